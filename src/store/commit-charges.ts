/**
 * The group commit's reads and writes, inside the engine's write transaction: lock the batch's
 * accounts, read the idempotency keys they already know, let `planCharges` decide, write the result
 * (balances, ledger, query log, idempotency keys and hourly answer statistics, the usage among them).
 */
import { type Insertable, type Kysely, sql } from 'kysely';
import type { CompiledStatements } from './compiled-statements.js';
import {
  type AnswerCount,
  type ChargeAccount,
  type ChargePlan,
  type KnownBodies,
  planCharges,
} from '../core/charge-plan.js';
import type { CachedAnswer } from '../core/cached-answer.js';
import { queryLogValues } from './rows.js';
import type { Database, EngineTraits } from './schema.js';
import type { ChargeItem, ChargeResult } from './store.js';

/**
 * Bound parameters per statement, kept well under SQLite's (32766) and PostgreSQL's (65535)
 * limits: large batches are written in several multi-row INSERTs of at most this many values.
 */
export const MAX_PARAMETERS = 10_000;

/**
 * PostgreSQL types of the columns the group commit inserts many rows into. With `unnestInserts`
 * each column goes in as one typed array (`unnest($1::bigint[], …)`): one statement of a dozen
 * parameters however many rows, which PostgreSQL parses and plans in a fraction of the time of a
 * VALUES list of thousands (1000 query-log rows: 12 ms → 6 ms). A store test checks them against
 * the migrated schema.
 */
export const BULK_COLUMN_TYPES = {
  ledger: {
    account_id: 'bigint',
    delta: 'bigint',
    reason: 'text',
    balance_after: 'bigint',
    at: 'timestamptz',
  },
  query_log: {
    at: 'timestamptz',
    account_id: 'bigint',
    key_id: 'bigint',
    client_ip: 'text',
    mobile: 'text',
    code: 'integer',
    res: 'text',
    init_isp: 'text',
    now_isp: 'text',
    segments_version: 'text',
    ported_version: 'text',
    latency_ms: 'integer',
    request_id: 'text',
    source: 'text',
  },
  idempotency: { account_id: 'bigint', key: 'text', body: 'text', created_at: 'timestamptz' },
} satisfies Partial<Record<keyof Database, Record<string, string>>>;

type BulkTable = keyof typeof BULK_COLUMN_TYPES;

type Db = Kysely<Database>;

/** What the group commit needs of its store besides the transaction. */
export interface CommitContext {
  readonly traits: EngineTraits;
  readonly statements: CompiledStatements;
}

export async function commitChargesIn(
  trx: Db,
  items: readonly ChargeItem[],
  { traits, statements }: CommitContext,
): Promise<ChargeResult[]> {
  const accounts = await lockAccounts(trx, statements, traits.rowLocks, items);
  const plan = planCharges(items, accounts, await knownBodies(trx, statements, items));
  await writeCharges(trx, statements, plan, traits);
  await writeCachedAnswers(
    trx,
    statements,
    items.flatMap((item) => (item.cache ? [item.cache] : [])),
    traits,
  );
  return plan.results;
}

/** Reads the batch's accounts, locked until commit; in id order, so two batches cannot deadlock. */
async function lockAccounts(
  trx: Db,
  statements: CompiledStatements,
  rowLocks: boolean,
  items: readonly ChargeItem[],
): Promise<Map<number, ChargeAccount>> {
  const ids = [...new Set(items.map((item) => item.accountId))].sort((a, b) => a - b);
  const { rows } = await statements.run(trx, `lock-accounts:${ids.length}`, ids, () =>
    trx
      .selectFrom('accounts')
      .select(['id', 'fee_type', 'balance', 'credit_limit'])
      .where('id', 'in', ids)
      .orderBy('id')
      // NO KEY UPDATE is the lock an UPDATE of the balance takes anyway; unlike FOR UPDATE it does
      // not wait for transactions that only insert rows referencing the account (keys, rules).
      .$if(rowLocks, (qb) => qb.forNoKeyUpdate())
      .compile(),
  );
  return new Map(
    rows.map((row) => [
      row.id,
      { id: row.id, feeType: row.fee_type, balance: row.balance, creditLimit: row.credit_limit },
    ]),
  );
}

async function knownBodies(
  trx: Db,
  statements: CompiledStatements,
  items: readonly ChargeItem[],
): Promise<KnownBodies> {
  const keysByAccount = new Map<number, Set<string>>();
  for (const { kind, accountId, idempotencyKey } of items) {
    // A 'log' item never replays (see planCharges): its key need not be read.
    if (idempotencyKey === null || kind === 'log') continue;
    const keys = keysByAccount.get(accountId) ?? new Set<string>();
    keysByAccount.set(accountId, keys.add(idempotencyKey));
  }
  const known: KnownBodies = new Map();
  for (const [accountId, keys] of keysByAccount) {
    const bodies = new Map<string, string>();
    for (const part of chunks([...keys], MAX_PARAMETERS - 1)) {
      const { rows } = await statements.run(trx, `known-bodies:${part.length}`, [accountId, ...part], () =>
        trx
          .selectFrom('idempotency')
          .select(['key', 'body'])
          .where('account_id', '=', accountId)
          .where('key', 'in', part)
          .compile(),
      );
      for (const row of rows) bodies.set(row.key, row.body);
    }
    known.set(accountId, bodies);
  }
  return known;
}

async function writeCharges(
  trx: Db,
  statements: CompiledStatements,
  plan: ChargePlan,
  traits: EngineTraits,
): Promise<void> {
  const { toDb } = traits;
  const insert = <T extends BulkTable>(table: T, rows: Insertable<Database[T]>[]) =>
    insertRows(trx, statements, table, rows, traits.unnestInserts);
  const now = toDb(new Date());
  const ledger = [...plan.balances].map(([accountId, { delta, balanceAfter }]) => ({
    account_id: accountId,
    delta,
    reason: 'charge',
    balance_after: balanceAfter,
    at: now,
  }));
  for (const { account_id, delta } of ledger) {
    await statements.run(trx, 'add-balance', [delta, account_id], () =>
      trx
        .updateTable('accounts')
        .set((eb) => ({ balance: eb('balance', '+', delta) }))
        .where('id', '=', account_id)
        .compile(),
    );
  }
  await insert('ledger', ledger);
  await insert(
    'query_log',
    plan.logs.map(({ accountId, log }) => queryLogValues(accountId, log, toDb(log.at))),
  );
  await insert(
    'idempotency',
    plan.charged
      .filter((item) => item.idempotencyKey !== null)
      .map((item) => ({
        account_id: item.accountId,
        key: item.idempotencyKey!,
        body: item.body,
        created_at: now,
      })),
  );
  await addAnswerCounts(trx, statements, plan.answers, toDb);
}

async function addAnswerCounts(
  trx: Db,
  statements: CompiledStatements,
  answers: AnswerCount[],
  toDb: EngineTraits['toDb'],
): Promise<void> {
  const rows = answers.map((a) => ({
    account_id: a.accountId,
    hour: toDb(new Date(a.hour)),
    code: a.code,
    answers: a.answers,
    ported: a.ported,
  }));
  for (const part of chunks(rows, rowsPerInsert(rows))) {
    await statements.run(trx, `add-answers:${part.length}`, rowParameters(part), () =>
      trx
        .insertInto('answer_stats_hourly')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['account_id', 'hour', 'code']).doUpdateSet((eb) => ({
            answers: eb('answer_stats_hourly.answers', '+', eb.ref('excluded.answers')),
            ported: eb('answer_stats_hourly.ported', '+', eb.ref('excluded.ported')),
          })),
        )
        .compile(),
    );
  }
}

/**
 * Upserts the batch's upstream answers into the answer cache: the newest answer of a number wins,
 * whichever node wrote it first (a row is only replaced by one checked at the same time or later).
 */
export async function writeCachedAnswers(
  trx: Db,
  statements: CompiledStatements,
  answers: readonly CachedAnswer[],
  { toDb }: EngineTraits,
): Promise<void> {
  const newest = new Map<string, CachedAnswer>();
  for (const cache of answers) {
    const known = newest.get(cache.mobile);
    if (!known || known.checkedAt <= cache.checkedAt) newest.set(cache.mobile, cache);
  }
  const rows = [...newest.values()].map((answer) => ({
    mobile: answer.mobile,
    res: answer.res,
    init_isp: answer.initIsp,
    now_isp: answer.nowIsp,
    provider: answer.provider,
    checked_at: toDb(answer.checkedAt),
  }));
  for (const part of chunks(rows, rowsPerInsert(rows))) {
    await statements.run(trx, `cache-answers:${part.length}`, rowParameters(part), () =>
      trx
        .insertInto('answer_cache')
        .values(part)
        .onConflict((oc) =>
          oc
            .column('mobile')
            .doUpdateSet((eb) => ({
              res: eb.ref('excluded.res'),
              init_isp: eb.ref('excluded.init_isp'),
              now_isp: eb.ref('excluded.now_isp'),
              provider: eb.ref('excluded.provider'),
              checked_at: eb.ref('excluded.checked_at'),
            }))
            .where((eb) => eb('answer_cache.checked_at', '<=', eb.ref('excluded.checked_at'))),
        )
        .compile(),
    );
  }
}

function chunks<T>(rows: T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < rows.length; i += size) parts.push(rows.slice(i, i + size));
  return parts;
}

function rowsPerInsert(rows: readonly object[]): number {
  return rows.length === 0 ? 1 : Math.max(1, Math.floor(MAX_PARAMETERS / Object.keys(rows[0]).length));
}

/**
 * The values of rows built by one function (same columns, in the same order), row after row: the
 * parameters of a multi-row INSERT of them. Kysely leaves out an undefined value, which would
 * shift every parameter after it, so none may be undefined.
 */
function rowParameters(rows: readonly object[]): unknown[] {
  const parameters: unknown[] = [];
  for (const row of rows) {
    for (const value of Object.values(row)) {
      if (value === undefined) throw new Error('a row to insert has an undefined value');
      parameters.push(value);
    }
  }
  return parameters;
}

async function insertRows<T extends BulkTable>(
  trx: Db,
  statements: CompiledStatements,
  table: T,
  rows: Insertable<Database[T]>[],
  unnest: boolean,
): Promise<void> {
  if (rows.length === 0) return;
  if (unnest) {
    const columns = Object.keys(rows[0]);
    const types: Record<string, string> = BULK_COLUMN_TYPES[table];
    const values = rowParameters(rows);
    const arrays = columns.map((_, j) => rows.map((_row, i) => values[i * columns.length + j]));
    await statements.run(trx, `unnest:${table}:${columns.join(',')}`, arrays, () => {
      const typed = arrays.map((array, j) => {
        const type = types[columns[j]];
        if (type === undefined) throw new Error(`no PostgreSQL type for ${table}.${columns[j]}`);
        return sql`${array}::${sql.raw(type)}[]`;
      });
      return sql`insert into ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column)))}) select * from unnest(${sql.join(typed)})`.compile(
        trx,
      );
    });
    return;
  }
  for (const part of chunks(rows, rowsPerInsert(rows))) {
    const shape = `insert:${table}:${Object.keys(part[0]).join(',')}:${part.length}`;
    await statements.run(trx, shape, rowParameters(part), () => trx.insertInto(table).values(part).compile());
  }
}
