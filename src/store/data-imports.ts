/** The record of portability-data imports started from the console. */
import { toDataImport, toPage } from './rows.js';
import { type StoreContext, pageSize } from './store-context.js';
import { type DataImport, type DataImportStatus, type Page, StoreError } from './store.js';

export async function createDataImport(
  { write, traits }: StoreContext,
  input: { operator: string; kind: 'full' | 'delta'; fileName: string },
): Promise<DataImport> {
  const row = await write((trx) =>
    trx
      .insertInto('data_imports')
      .values({
        at: traits.toDb(new Date()),
        operator: input.operator,
        kind: input.kind,
        file_name: input.fileName,
        status: 'running',
        rows: 0,
        message: null,
        report: null,
        finished_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toDataImport(row);
}

export async function finishDataImport(
  { write, traits }: StoreContext,
  id: number,
  outcome: {
    status: Exclude<DataImportStatus, 'running'>;
    rows: number;
    message: string;
    report: string | null;
  },
): Promise<DataImport> {
  if (!Number.isSafeInteger(outcome.rows) || outcome.rows < 0) {
    throw new StoreError('invalid', `rows must be an integer >= 0, not ${outcome.rows}`);
  }
  const row = await write((trx) =>
    trx
      .updateTable('data_imports')
      .set({
        status: outcome.status,
        rows: outcome.rows,
        message: outcome.message,
        report: outcome.report,
        finished_at: traits.toDb(new Date()),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst(),
  );
  if (!row) throw new StoreError('not_found', `no data import ${id}`);
  return toDataImport(row);
}

export async function getDataImport({ db }: StoreContext, id: number): Promise<DataImport | undefined> {
  const row = await db.selectFrom('data_imports').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toDataImport(row);
}

export async function listDataImports(
  { db }: StoreContext,
  options: { limit?: number; before?: number },
): Promise<Page<DataImport>> {
  const limit = pageSize(options.limit);
  const rows = await db
    .selectFrom('data_imports')
    .selectAll()
    .$if(options.before !== undefined, (qb) => qb.where('id', '<', options.before!))
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows.map(toDataImport), limit);
}

/** Imports a stopped process left 'running' will never finish: say so. */
export async function failRunningImports({ write, traits }: StoreContext): Promise<number> {
  const result = await write((trx) =>
    trx
      .updateTable('data_imports')
      .set({ status: 'failed', message: 'interrupted', finished_at: traits.toDb(new Date()) })
      .where('status', '=', 'running')
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows);
}
