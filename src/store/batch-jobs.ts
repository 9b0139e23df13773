/**
 * Uploaded batch jobs: a job row and its entries cut into chunks. A chunk is charged and its
 * output stored in one transaction that first checks the chunk is not committed yet, so a job
 * resumed after a crash, or raced by a second runner, never charges an entry twice.
 */
import { commitChargesIn } from './commit-charges.js';
import { newestFirst, pageSize } from './paging.js';
import { toBatchJob } from './rows.js';
import type { DbTime } from './schema.js';
import { type Db, type StoreContext, accountNotFound } from './store-context.js';
import {
  BATCH_CHUNK_SIZE,
  type BatchChunkCommit,
  type BatchChunkOutput,
  type BatchJob,
  type BatchJobStatus,
  type ChargeItem,
  type NewBatchJob,
  type Page,
  type PageOptions,
  StoreError,
} from './store.js';

/** The stop reason of a job whose chunk met a refused charge. */
export const INSUFFICIENT_BALANCE_REASON = 'insufficient balance';

/** Chunk rows per INSERT when a job is created: up to ~12 MB of entries per statement. */
const CHUNKS_PER_INSERT = 100;

const RUNNABLE: BatchJobStatus[] = ['queued', 'running'];
const FINISHED: ReadonlySet<BatchJobStatus> = new Set(['done', 'stopped', 'cancelled']);

function checkCount(what: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new StoreError('invalid', `${what} must be an integer from 0 to ${max}, not ${value}`);
  }
}

function checkNewJob(job: NewBatchJob): void {
  if (job.entries.length === 0) throw new StoreError('invalid', 'a batch job needs at least one entry');
  // Entries are stored newline-joined; PostgreSQL text cannot hold NUL.
  const bad = job.entries.findIndex((entry) => entry.includes('\n') || entry.includes('\0'));
  if (bad >= 0) throw new StoreError('invalid', `entry ${bad + 1} holds a newline or NUL character`);
  checkCount('invalid', job.invalid, job.entries.length);
  checkCount('duplicates', job.duplicates, Number.MAX_SAFE_INTEGER);
}

export async function createBatchJob({ write, traits }: StoreContext, job: NewBatchJob): Promise<BatchJob> {
  checkNewJob(job);
  const chunks: string[] = [];
  for (let i = 0; i < job.entries.length; i += BATCH_CHUNK_SIZE) {
    chunks.push(job.entries.slice(i, i + BATCH_CHUNK_SIZE).join('\n'));
  }
  return write(async (trx) => {
    const account = await trx
      .selectFrom('accounts')
      .select('id')
      .where('id', '=', job.accountId)
      .executeTakeFirst();
    if (!account) throw accountNotFound(job.accountId);
    const row = await trx
      .insertInto('batch_jobs')
      .values({
        account_id: job.accountId,
        file_name: job.fileName,
        status: job.queued ? 'queued' : 'draft',
        total: job.entries.length,
        invalid: job.invalid,
        duplicates: job.duplicates,
        processed: 0,
        charged: 0,
        chunks: chunks.length,
        stop_reason: null,
        invalid_samples: JSON.stringify(job.invalidSamples ?? []),
        created_at: traits.toDb(new Date()),
        started_at: null,
        finished_at: null,
        origin: job.origin ?? 'console',
        request_id: job.requestId ?? null,
        callback_url: job.callbackUrl ?? null,
        results_base: job.resultsBase ?? null,
        callback_state: job.callbackUrl ? 'waiting' : null,
      })
      // A retried submission meets its first job here, even when both ran at once.
      .onConflict((oc) => oc.columns(['account_id', 'request_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new StoreError('duplicate', 'the account has a job with this requestId already');
    for (let first = 0; first < chunks.length; first += CHUNKS_PER_INSERT) {
      const rows = chunks.slice(first, first + CHUNKS_PER_INSERT).map((entries, i) => ({
        job_id: row.id,
        chunk_no: first + i,
        entries,
        output: null,
        charged: null,
      }));
      await trx.insertInto('batch_job_chunks').values(rows).execute();
    }
    return toBatchJob(row);
  });
}

export async function getBatchJob(
  { db }: StoreContext,
  accountId: number,
  id: number,
): Promise<BatchJob | undefined> {
  const row = await db
    .selectFrom('batch_jobs')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toBatchJob(row);
}

export function listBatchJobs(
  { db }: StoreContext,
  accountId: number,
  options: PageOptions,
): Promise<Page<BatchJob>> {
  const query = db.selectFrom('batch_jobs').selectAll().where('account_id', '=', accountId);
  return newestFirst(query, options, toBatchJob);
}

export async function transitionBatchJob(
  { write, traits }: StoreContext,
  accountId: number,
  id: number,
  from: BatchJobStatus[],
  to: BatchJobStatus,
  stopReason?: string,
): Promise<BatchJob | undefined> {
  if (from.length === 0) return undefined;
  const now = traits.toDb(new Date());
  const active = RUNNABLE.includes(to);
  const row = await write((trx) =>
    trx
      .updateTable('batch_jobs')
      .set((eb) => ({
        status: to,
        // A resumed job keeps the time it first started.
        ...(to === 'running' && { started_at: eb.fn.coalesce('started_at', eb.val<DbTime>(now)) }),
        ...(FINISHED.has(to) && { finished_at: now }),
        // A job queued again (after a stop) is no longer finished, nor stopped for the old reason.
        ...(active && { finished_at: null, stop_reason: null }),
        ...(stopReason !== undefined && { stop_reason: stopReason }),
      }))
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst(),
  );
  return row && toBatchJob(row);
}

export async function runnableBatchJobs({ db }: StoreContext): Promise<BatchJob[]> {
  const rows = await db
    .selectFrom('batch_jobs')
    .selectAll()
    .where('status', 'in', RUNNABLE)
    .orderBy('id')
    .execute();
  return rows.map(toBatchJob);
}

export async function claimBatchJob(
  { write, traits }: StoreContext,
  jobId: number,
  owner: string,
  leaseMs: number,
): Promise<boolean> {
  // Timed by the store's clock: a node whose clock runs ahead cannot take a lease that still runs.
  const result = await write((trx) =>
    trx
      .updateTable('batch_jobs')
      .set({ lease_owner: owner, lease_until: traits.clock(leaseMs) })
      .where('id', '=', jobId)
      .where('status', 'in', RUNNABLE)
      .where((eb) =>
        eb.or([
          eb('lease_owner', 'is', null),
          eb('lease_owner', '=', owner),
          eb('lease_until', '<', traits.clock()),
        ]),
      )
      .executeTakeFirst(),
  );
  return result.numUpdatedRows > 0n;
}

export async function releaseBatchJobs({ write }: StoreContext, owner: string): Promise<void> {
  await write((trx) =>
    trx
      .updateTable('batch_jobs')
      .set({ lease_owner: null, lease_until: null })
      .where('lease_owner', '=', owner)
      .execute(),
  );
}

export async function nextBatchChunk(
  { db }: StoreContext,
  jobId: number,
): Promise<{ chunkNo: number; entries: string[] } | undefined> {
  const row = await db
    .selectFrom('batch_job_chunks')
    .select(['chunk_no', 'entries'])
    .where('job_id', '=', jobId)
    .where('output', 'is', null)
    .orderBy('chunk_no')
    .limit(1)
    .executeTakeFirst();
  return row && { chunkNo: row.chunk_no, entries: row.entries.split('\n') };
}

export async function commitBatchChunk(
  { write, traits, statements }: StoreContext,
  jobId: number,
  chunkNo: number,
  charges: ChargeItem[],
  output: string,
): Promise<BatchChunkCommit> {
  return write(async (trx) => {
    // The job's row lock makes a second runner of the same chunk wait, then see it committed.
    const job = await trx
      .selectFrom('batch_jobs')
      .selectAll()
      .where('id', '=', jobId)
      .$if(traits.rowLocks, (qb) => qb.forNoKeyUpdate())
      .executeTakeFirst();
    if (!job) throw new StoreError('not_found', `no batch job ${jobId}`);
    const chunk = await trx
      .selectFrom('batch_job_chunks')
      .select(['entries', 'output'])
      .where('job_id', '=', jobId)
      .where('chunk_no', '=', chunkNo)
      .executeTakeFirst();
    if (!chunk) throw new StoreError('not_found', `batch job ${jobId} has no chunk ${chunkNo}`);
    if (chunk.output !== null || !RUNNABLE.includes(job.status)) {
      return { status: 'skipped', job: toBatchJob(job) };
    }
    if (charges.some((item) => item.accountId !== job.account_id)) {
      throw new StoreError('invalid', `a charge of batch job ${jobId} is for another account`);
    }

    const results = charges.length === 0 ? [] : await commitChargesIn(trx, charges, { traits, statements });
    // A chunk is committed whole or not at all: one item that cannot be billed refuses it.
    const rejected = results.find((result) => result.status === 'rejected');
    if (rejected) throw new StoreError(rejected.reason, rejected.message);
    const charged = results.filter((result) => result.status === 'charged').length;
    const insufficient = results.filter((result) => result.status === 'insufficient').length;
    await trx
      .updateTable('batch_job_chunks')
      .set({ output, charged })
      .where('job_id', '=', jobId)
      .where('chunk_no', '=', chunkNo)
      .execute();
    const status: BatchJobStatus =
      insufficient > 0 ? 'stopped' : (await uncommittedChunks(trx, jobId)) === 0 ? 'done' : 'running';
    const now = traits.toDb(new Date());
    const updated = await trx
      .updateTable('batch_jobs')
      .set((eb) => ({
        status,
        // Every entry of the chunk was answered, refused ones with -5.
        processed: eb('processed', '+', chunk.entries.split('\n').length),
        charged: eb('charged', '+', charged),
        started_at: eb.fn.coalesce('started_at', eb.val<DbTime>(now)),
        ...(status !== 'running' && { finished_at: now }),
        ...(status === 'stopped' && { stop_reason: INSUFFICIENT_BALANCE_REASON }),
      }))
      .where('id', '=', jobId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { status: 'committed', charged, insufficient, job: toBatchJob(updated) };
  });
}

async function uncommittedChunks(trx: Db, jobId: number): Promise<number> {
  const row = await trx
    .selectFrom('batch_job_chunks')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('job_id', '=', jobId)
    .where('output', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function batchChunkOutputs(
  { db }: StoreContext,
  accountId: number,
  jobId: number,
  fromChunk: number,
  limit: number,
): Promise<BatchChunkOutput[]> {
  const rows = await db
    .selectFrom('batch_job_chunks as c')
    .innerJoin('batch_jobs as j', 'j.id', 'c.job_id')
    .select(['c.chunk_no', 'c.output', 'c.charged'])
    .where('j.account_id', '=', accountId)
    .where('c.job_id', '=', jobId)
    .where('c.chunk_no', '>=', fromChunk)
    .where('c.output', 'is not', null)
    .orderBy('c.chunk_no')
    .limit(pageSize(limit))
    .execute();
  return rows.map((row) => ({ chunkNo: row.chunk_no, output: row.output!, charged: row.charged ?? 0 }));
}

/** Drafts nobody started, with their chunks; at most `limit` jobs per call. */
export async function deleteDrafts(
  trx: Db,
  rowLocks: boolean,
  before: DbTime,
  limit: number,
): Promise<number> {
  // Locked and re-read under the lock: a draft started meanwhile is no longer one and stays.
  const ids = (
    await trx
      .selectFrom('batch_jobs')
      .select('id')
      .where('status', '=', 'draft')
      .where('created_at', '<', before)
      .orderBy('id')
      .limit(limit)
      .$if(rowLocks, (qb) => qb.forUpdate())
      .execute()
  ).map((row) => row.id);
  if (ids.length === 0) return 0;
  const chunks = await trx.deleteFrom('batch_job_chunks').where('job_id', 'in', ids).executeTakeFirst();
  const jobs = await trx.deleteFrom('batch_jobs').where('id', 'in', ids).executeTakeFirst();
  return Number(chunks.numDeletedRows) + Number(jobs.numDeletedRows);
}
