/** The record of portability-data imports, whichever door started them. */
import { insertAudit } from './audit-log.js';
import { newestFirst } from './paging.js';
import { toDataImport } from './rows.js';
import type { StoreContext } from './store-context.js';
import {
  type AuditOf,
  type DataImport,
  type DataImportOutcome,
  type NewDataImport,
  type Page,
  type PageOptions,
  StoreError,
} from './store.js';

export async function createDataImport(
  { write, traits }: StoreContext,
  input: NewDataImport,
  auditOf?: AuditOf<DataImport>,
): Promise<DataImport> {
  return write(async (trx) => {
    const row = await trx
      .insertInto('data_imports')
      .values({
        at: traits.toDb(new Date()),
        node: input.node,
        operator: input.operator,
        origin: input.origin,
        kind: input.kind,
        file_name: input.fileName,
        status: 'running',
        rows: 0,
        message: null,
        report: null,
        finished_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const started = toDataImport(row);
    if (auditOf) await insertAudit(trx, traits, auditOf(started));
    return started;
  });
}

export async function finishDataImport(
  { write, traits }: StoreContext,
  id: number,
  outcome: DataImportOutcome,
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

export function listDataImports({ db }: StoreContext, options: PageOptions): Promise<Page<DataImport>> {
  return newestFirst(db.selectFrom('data_imports').selectAll(), options, toDataImport);
}

/** Imports a stopped process of this node left 'running' will never finish: say so. */
export async function failRunningImports({ write, traits }: StoreContext, node: string): Promise<number> {
  const result = await write((trx) =>
    trx
      .updateTable('data_imports')
      .set({ status: 'failed', message: 'interrupted', finished_at: traits.toDb(new Date()) })
      .where('status', '=', 'running')
      .where('node', '=', node)
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows);
}
