/**
 * API jobs' callbacks in the store: the account's secret, the event each ended job gets (made
 * once, whichever node sees the end first), the lease that lets one node send it, and the record
 * of every attempt, all kept so that a restart or another node carries on where it stopped.
 */
import { insertAudit } from './audit-log.js';
import { toDate, toNullableDate, toBatchJob } from './rows.js';
import type { CallbackAttemptsTable, CallbackDeliveriesTable, DbTime } from './schema.js';
import type { Selectable } from 'kysely';
import { type StoreContext, accountNotFound } from './store-context.js';
import type {
  BatchJob,
  CallbackAttemptRecord,
  CallbackAttemptResult,
  CallbackDelivery,
  CallbackDue,
  NewAuditEntry,
} from './store.js';

/** Attempts shown per job: the latest ones (an event is tried about 40 times in its 24 hours). */
const MAX_HISTORY_ATTEMPTS = 100;
const ENDED = ['done', 'stopped', 'cancelled'] as const;

function toDelivery(row: Selectable<CallbackDeliveriesTable>): CallbackDelivery {
  return {
    eventId: row.event_id,
    jobId: Number(row.job_id),
    accountId: Number(row.account_id),
    url: row.url,
    body: row.body,
    status: row.status,
    attempts: row.attempts,
    createdAt: toDate(row.created_at),
    firstAttemptAt: toNullableDate(row.first_attempt_at),
    nextAttemptAt: toNullableDate(row.next_attempt_at),
    finishedAt: toNullableDate(row.finished_at),
  };
}

function toAttempt(row: Selectable<CallbackAttemptsTable>): CallbackAttemptRecord {
  return {
    attempt: row.attempt,
    outcome: row.outcome,
    httpStatus: row.http_status,
    error: row.error,
    startedAt: toDate(row.started_at),
    durationMs: row.duration_ms,
    nextAttemptAt: toNullableDate(row.next_attempt_at),
  };
}

export async function findBatchJobByRequestId(
  { db }: StoreContext,
  accountId: number,
  requestId: string,
): Promise<BatchJob | undefined> {
  const row = await db
    .selectFrom('batch_jobs')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('request_id', '=', requestId)
    .executeTakeFirst();
  return row && toBatchJob(row);
}

export async function callbackSecret({ db }: StoreContext, accountId: number): Promise<string | null> {
  const row = await db
    .selectFrom('accounts')
    .select('callback_secret')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row?.callback_secret ?? null;
}

export async function setCallbackSecret(
  { write, traits }: StoreContext,
  accountId: number,
  secret: string,
  audit?: NewAuditEntry,
): Promise<void> {
  await write(async (trx) => {
    const result = await trx
      .updateTable('accounts')
      .set({ callback_secret: secret })
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw accountNotFound(accountId);
    if (audit) await insertAudit(trx, traits, audit);
  });
}

export async function callbacksDue({ db }: StoreContext, limit: number): Promise<CallbackDue[]> {
  const rows = await db
    .selectFrom('batch_jobs')
    .selectAll()
    .where('callback_state', '=', 'waiting')
    .where('status', 'in', ENDED)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    job: toBatchJob(row),
    callbackUrl: row.callback_url ?? '',
    resultsBase: row.results_base,
  }));
}

export async function createCallbackDelivery(
  { write, traits }: StoreContext,
  delivery: { eventId: string; jobId: number; url: string; body: string },
): Promise<boolean> {
  return write(async (trx) => {
    // The job's state is the once-only switch: the node whose update takes it makes the event.
    const job = await trx
      .updateTable('batch_jobs')
      .set({ callback_state: 'made' })
      .where('id', '=', delivery.jobId)
      .where('callback_state', '=', 'waiting')
      .returning('account_id')
      .executeTakeFirst();
    if (!job) return false;
    const now = traits.toDb(new Date());
    await trx
      .insertInto('callback_deliveries')
      .values({
        event_id: delivery.eventId,
        job_id: delivery.jobId,
        account_id: job.account_id,
        url: delivery.url,
        body: delivery.body,
        status: 'pending',
        attempts: 0,
        created_at: now,
        first_attempt_at: null,
        next_attempt_at: now,
        finished_at: null,
        lease_owner: null,
        lease_until: null,
      })
      .execute();
    return true;
  });
}

export async function claimDueCallbacks(
  { db, write, traits }: StoreContext,
  owner: string,
  leaseMs: number,
  limit: number,
): Promise<CallbackDelivery[]> {
  const candidates = await db
    .selectFrom('callback_deliveries')
    .select('event_id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', traits.clock())
    .where((eb) =>
      eb.or([
        eb('lease_owner', 'is', null),
        eb('lease_owner', '=', owner),
        eb('lease_until', '<', traits.clock()),
      ]),
    )
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  const claimed: CallbackDelivery[] = [];
  for (const { event_id } of candidates) {
    // Re-checked in the update: of two nodes that saw the same row free, one takes it.
    const row = await write((trx) =>
      trx
        .updateTable('callback_deliveries')
        .set({ lease_owner: owner, lease_until: traits.clock(leaseMs) })
        .where('event_id', '=', event_id)
        .where('status', '=', 'pending')
        .where((eb) =>
          eb.or([
            eb('lease_owner', 'is', null),
            eb('lease_owner', '=', owner),
            eb('lease_until', '<', traits.clock()),
          ]),
        )
        .returningAll()
        .executeTakeFirst(),
    );
    if (row) claimed.push(toDelivery(row));
  }
  return claimed;
}

export async function recordCallbackAttempt(
  { write, traits }: StoreContext,
  eventId: string,
  owner: string,
  result: CallbackAttemptResult,
): Promise<boolean> {
  const at = (date: Date | null): DbTime | null => (date ? traits.toDb(date) : null);
  return write(async (trx) => {
    const updated = await trx
      .updateTable('callback_deliveries')
      .set((eb) => ({
        status: result.status,
        attempts: eb('attempts', '+', 1),
        first_attempt_at: eb.fn.coalesce('first_attempt_at', eb.val<DbTime>(traits.toDb(result.startedAt))),
        next_attempt_at: result.status === 'pending' ? at(result.nextAttemptAt) : null,
        finished_at: result.status === 'pending' ? null : traits.toDb(new Date()),
        lease_owner: null,
        lease_until: null,
      }))
      .where('event_id', '=', eventId)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'pending')
      .returning(['job_id', 'attempts'])
      .executeTakeFirst();
    if (!updated) return false;
    await trx
      .insertInto('callback_attempts')
      .values({
        event_id: eventId,
        job_id: updated.job_id,
        attempt: updated.attempts,
        outcome: result.outcome,
        http_status: result.httpStatus,
        error: result.error,
        started_at: traits.toDb(result.startedAt),
        duration_ms: Math.max(0, Math.round(result.durationMs)),
        next_attempt_at: result.status === 'pending' ? at(result.nextAttemptAt) : null,
      })
      .execute();
    return true;
  });
}

export async function releaseCallbacks({ write }: StoreContext, owner: string): Promise<void> {
  await write((trx) =>
    trx
      .updateTable('callback_deliveries')
      .set({ lease_owner: null, lease_until: null })
      .where('lease_owner', '=', owner)
      .execute(),
  );
}

export async function callbackHistory(
  { db }: StoreContext,
  accountId: number,
  jobId: number,
): Promise<{ delivery: CallbackDelivery; attempts: CallbackAttemptRecord[] } | undefined> {
  const row = await db
    .selectFrom('callback_deliveries')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('job_id', '=', jobId)
    .executeTakeFirst();
  if (!row) return undefined;
  const attempts = await db
    .selectFrom('callback_attempts')
    .selectAll()
    .where('event_id', '=', row.event_id)
    .orderBy('id', 'desc')
    .limit(MAX_HISTORY_ATTEMPTS)
    .execute();
  return { delivery: toDelivery(row), attempts: attempts.reverse().map(toAttempt) };
}
