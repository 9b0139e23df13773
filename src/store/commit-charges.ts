/**
 * The group commit's reads and writes, inside the engine's write transaction: lock the batch's
 * accounts, read the idempotency keys they already know, let `planCharges` decide, write the result
 * (balances, ledger, query log, idempotency keys, hourly usage and answer statistics).
 */
import type { Insertable, Kysely } from 'kysely';
import {
  type AnswerCount,
  type ChargeAccount,
  type ChargePlan,
  type KnownBodies,
  planCharges,
} from './charge-plan.js';
import { queryLogValues } from './rows.js';
import type { Database, EngineTraits } from './schema.js';
import type { ChargeItem, ChargeResult } from './store.js';

/**
 * Bound parameters per statement, kept well under SQLite's (32766) and PostgreSQL's (65535)
 * limits: large batches are written in several multi-row INSERTs of at most this many values.
 */
export const MAX_PARAMETERS = 10_000;

type Db = Kysely<Database>;

export async function commitChargesIn(
  trx: Db,
  items: readonly ChargeItem[],
  traits: EngineTraits,
): Promise<ChargeResult[]> {
  const accounts = await lockAccounts(trx, traits.rowLocks, items);
  const plan = planCharges(items, accounts, await knownBodies(trx, items));
  await writeCharges(trx, plan, traits.toDb);
  return plan.results;
}

/** Reads the batch's accounts, locked until commit; in id order, so two batches cannot deadlock. */
async function lockAccounts(
  trx: Db,
  rowLocks: boolean,
  items: readonly ChargeItem[],
): Promise<Map<number, ChargeAccount>> {
  const ids = [...new Set(items.map((item) => item.accountId))].sort((a, b) => a - b);
  const rows = await trx
    .selectFrom('accounts')
    .select(['id', 'fee_type', 'balance', 'credit_limit'])
    .where('id', 'in', ids)
    .orderBy('id')
    // NO KEY UPDATE is the lock an UPDATE of the balance takes anyway; unlike FOR UPDATE it does
    // not wait for transactions that only insert rows referencing the account (keys, rules).
    .$if(rowLocks, (qb) => qb.forNoKeyUpdate())
    .execute();
  return new Map(
    rows.map((row) => [
      row.id,
      { id: row.id, feeType: row.fee_type, balance: row.balance, creditLimit: row.credit_limit },
    ]),
  );
}

async function knownBodies(trx: Db, items: readonly ChargeItem[]): Promise<KnownBodies> {
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
      const rows = await trx
        .selectFrom('idempotency')
        .select(['key', 'body'])
        .where('account_id', '=', accountId)
        .where('key', 'in', part)
        .execute();
      for (const row of rows) bodies.set(row.key, row.body);
    }
    known.set(accountId, bodies);
  }
  return known;
}

async function writeCharges(trx: Db, plan: ChargePlan, toDb: EngineTraits['toDb']): Promise<void> {
  const now = toDb(new Date());
  const ledger = [...plan.balances].map(([accountId, { delta, balanceAfter }]) => ({
    account_id: accountId,
    delta,
    reason: 'charge',
    balance_after: balanceAfter,
    at: now,
  }));
  for (const { account_id, delta } of ledger) {
    await trx
      .updateTable('accounts')
      .set((eb) => ({ balance: eb('balance', '+', delta) }))
      .where('id', '=', account_id)
      .execute();
  }
  await insertChunked(trx, 'ledger', ledger);
  await insertChunked(
    trx,
    'query_log',
    plan.logs.map(({ accountId, log }) => queryLogValues(accountId, log, toDb(log.at))),
  );
  await insertChunked(
    trx,
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
  await addUsage(trx, plan.usage, toDb);
  await addAnswerCounts(trx, plan.answers, toDb);
}

async function addUsage(trx: Db, usage: ChargePlan['usage'], toDb: EngineTraits['toDb']): Promise<void> {
  const rows = usage.map((u) => ({
    account_id: u.accountId,
    hour: toDb(new Date(u.hour)),
    queries: u.queries,
  }));
  for (const part of chunks(rows, rowsPerInsert(rows))) {
    await trx
      .insertInto('usage_hourly')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['account_id', 'hour']).doUpdateSet((eb) => ({
          queries: eb('usage_hourly.queries', '+', eb.ref('excluded.queries')),
        })),
      )
      .execute();
  }
}

async function addAnswerCounts(trx: Db, answers: AnswerCount[], toDb: EngineTraits['toDb']): Promise<void> {
  const rows = answers.map((a) => ({
    account_id: a.accountId,
    hour: toDb(new Date(a.hour)),
    code: a.code,
    answers: a.answers,
    ported: a.ported,
  }));
  for (const part of chunks(rows, rowsPerInsert(rows))) {
    await trx
      .insertInto('answer_stats_hourly')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['account_id', 'hour', 'code']).doUpdateSet((eb) => ({
          answers: eb('answer_stats_hourly.answers', '+', eb.ref('excluded.answers')),
          ported: eb('answer_stats_hourly.ported', '+', eb.ref('excluded.ported')),
        })),
      )
      .execute();
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

async function insertChunked<T extends keyof Database>(
  trx: Db,
  table: T,
  rows: Insertable<Database[T]>[],
): Promise<void> {
  for (const part of chunks(rows, rowsPerInsert(rows))) {
    await trx.insertInto(table).values(part).execute();
  }
}
