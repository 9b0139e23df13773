import type { Log } from '../log.js';
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type LookupOutcome, type LookupSources, lookupMobiles } from '../../core/lookup.js';
import { ResultCode } from '../../core/result-codes.js';
import {
  type BatchJob,
  type BatchJobStatus,
  type ChargeItem,
  type Store,
  StoreError,
} from '../../store/store.js';
import type { CachedAnswer } from '../../core/cached-answer.js';
import type { LiveAnswers } from '../queries/live-answers.js';
import { type AnswerOrigin, queryLogRow } from '../queries/query-log-row.js';
import { entryCode } from '../../core/result-columns.js';
import { type BatchAnswer, batchAnswer, encodeChunkOutput } from './chunk-output.js';
import { Doorbell } from '../../platform/doorbell.js';

/** How often an idle runner looks for jobs that another node queued (its own start notifies it). */
export const BATCH_IDLE_POLL_MS = 5000;
/** How long a job whose chunk failed (store unreachable…) waits before it is tried again. */
export const BATCH_RETRY_DELAY_MS = 5000;
/**
 * How long a runner's hold on a job lasts unless renewed (it renews at half-time): how long the
 * other nodes wait before they take over the jobs of a node that stopped without letting go.
 */
export const BATCH_LEASE_MS = 30_000;

export type RunnerLog = Log;

const SILENT: RunnerLog = { info: () => {}, warn: () => {}, error: () => {} };

export interface BatchJobRunnerOptions {
  /**
   * Who this runner is to the other runners on the store, for job leases: stable across restarts
   * of a node (the server uses its node name), so that a restarted node resumes its jobs at once.
   */
  owner?: string;
  leaseMs?: number;
  idlePollMs?: number;
  retryDelayMs?: number;
  /** After each committed chunk, with how many of its entries were charged (metrics). */
  onCommit?: (charged: number) => void;
  /** Upstream providers and the answer cache (MNPD_UPSTREAMS): jobs follow the same policy as queries. */
  live?: LiveAnswers;
}

/** No provider answered a number and the file says `onFailure: error`: the chunk is tried again later. */
export class UpstreamUnavailableError extends Error {
  constructor() {
    super('no upstream provider answered and onFailure is error: the chunk waits');
    this.name = 'UpstreamUnavailableError';
  }
}

/** Where a batch's query-log rows say they came from: no client IP is known while a job runs. */
const BATCH_CLIENT_IP = '';

/**
 * Runs customers' batch jobs in the background, one chunk at a time and round-robin over the jobs,
 * so that a million-number job does not starve a small one and API requests keep flowing between
 * chunks. Each chunk is looked up, charged and recorded in one store transaction
 * (commitBatchChunk), which is what makes a restart safe: the next runner resumes at the first
 * chunk not committed and a chunk is never charged twice, even with a runner on every node.
 * A runner works only the jobs it holds a lease on (claimBatchJob), so that with a runner on
 * every node each job is still looked up once; a node that stops lets go of its leases, or they
 * run out, and another node carries on.
 */
export class BatchJobRunner {
  readonly #store: Store;
  readonly #sources: () => LookupSources;
  readonly #idlePollMs: number;
  readonly #retryDelayMs: number;
  readonly #onCommit: ((charged: number) => void) | undefined;
  readonly #live: LiveAnswers | undefined;
  readonly #owner: string;
  readonly #leaseMs: number;
  /** The jobs this runner holds, with when each lease runs out (ms, this node's clock). */
  readonly #leases = new Map<number, number>();
  #log: RunnerLog = SILENT;
  readonly #bell = new Doorbell();
  /** Set by notify(): there may be new work, so the next idle wait is skipped. */
  /** Jobs whose last chunk failed: not tried again before this time (ms). */
  readonly #retryAt = new Map<number, number>();

  constructor(store: Store, sources: () => LookupSources, options: BatchJobRunnerOptions = {}) {
    this.#store = store;
    this.#sources = sources;
    this.#idlePollMs = options.idlePollMs ?? BATCH_IDLE_POLL_MS;
    this.#retryDelayMs = options.retryDelayMs ?? BATCH_RETRY_DELAY_MS;
    this.#onCommit = options.onCommit;
    this.#live = options.live;
    this.#owner = options.owner ?? `runner:${randomUUID()}`;
    this.#leaseMs = options.leaseMs ?? BATCH_LEASE_MS;
  }

  /** Starts working on the store's queued and running jobs, including those a stopped process left. */
  start(log: RunnerLog = SILENT): void {
    if (this.#bell.started) return;
    this.#log = log;
    this.#bell.run(() => this.#run());
  }

  /** A job was queued: look at once rather than at the next poll. */
  notify(): void {
    this.#bell.ring();
  }

  /**
   * Finishes the chunk in progress, lets go of its leases and stops; jobs stay running for the
   * next runner to resume.
   */
  async close(): Promise<void> {
    await this.#bell.stop();
    if (this.#leases.size === 0) return;
    this.#leases.clear();
    try {
      await this.#store.releaseBatchJobs(this.#owner);
    } catch (error) {
      // Not fatal: the leases run out by themselves.
      this.#log.warn({ err: error }, 'batch jobs: cannot release the leases, they will run out');
    }
  }

  async #run(): Promise<void> {
    while (!this.#bell.closed) {
      this.#bell.answer();
      let worked = false;
      try {
        const jobs = await this.#store.runnableBatchJobs();
        this.#forgetLeasesBut(jobs);
        for (const job of jobs) {
          if (this.#bell.closed) break;
          if ((this.#retryAt.get(job.id) ?? 0) > Date.now()) continue;
          worked = (await this.#step(job)) || worked;
          // Between chunks, whatever else waits on the event loop goes first.
          await nextTurn();
        }
      } catch (error) {
        this.#log.error({ err: error }, 'batch jobs: cannot list the runnable jobs');
        await this.#bell.pause(this.#retryDelayMs);
        continue;
      }
      if (!worked) await this.#bell.pause(this.#idleMs());
    }
  }

  /** Leases on jobs that are no longer runnable (done, stopped, cancelled) are of no use. */
  #forgetLeasesBut(runnable: BatchJob[]): void {
    const ids = new Set(runnable.map((job) => job.id));
    for (const jobId of this.#leases.keys()) if (!ids.has(jobId)) this.#leases.delete(jobId);
  }

  /** True while this runner holds the job's lease, renewing it once half of it has passed. */
  async #hold(job: BatchJob): Promise<boolean> {
    const now = Date.now();
    const until = this.#leases.get(job.id);
    if (until !== undefined && until - now > this.#leaseMs / 2) return true;
    if (await this.#store.claimBatchJob(job.id, this.#owner, this.#leaseMs)) {
      this.#leases.set(job.id, now + this.#leaseMs);
      return true;
    }
    this.#leases.delete(job.id);
    return false;
  }

  #idleMs(): number {
    const now = Date.now();
    let ms = this.#idlePollMs;
    for (const [jobId, at] of this.#retryAt) {
      if (at <= now) this.#retryAt.delete(jobId);
      else ms = Math.min(ms, at - now);
    }
    return ms;
  }

  /** One chunk of one job (or the transition that ends it); false when there was nothing to do. */
  async #step(job: BatchJob): Promise<boolean> {
    try {
      // Another node's runner works this job; it is taken over if that runner's lease runs out.
      if (!(await this.#hold(job))) return false;
      const running = job.status === 'queued' ? await this.#transition(job, ['queued'], 'running') : job;
      if (!running) return false;
      const account = await this.#store.getAccount(job.accountId);
      if (account?.status !== 'active') {
        const reason = account ? 'account suspended' : 'account not found';
        if (await this.#transition(job, ['queued', 'running'], 'stopped', reason)) {
          this.#log.info({ jobId: job.id, accountId: job.accountId }, `batch job stopped: ${reason}`);
        }
        return true;
      }
      const chunk = await this.#store.nextBatchChunk(job.id);
      // The last chunk's commit ends a job; a job without chunks left ends here.
      if (!chunk) return (await this.#transition(job, ['running'], 'done')) !== undefined;
      await this.#runChunk(job, chunk.chunkNo, chunk.entries);
      this.#retryAt.delete(job.id);
      return true;
    } catch (error) {
      if (error instanceof StoreError) return this.#fail(job, error);
      this.#log.error({ err: error, jobId: job.id }, 'batch job: chunk failed, will retry');
      this.#retryAt.set(job.id, Date.now() + this.#retryDelayMs);
      return false;
    }
  }

  /** The store refused the job's data: trying again would fail the same way, forever. */
  async #fail(job: BatchJob, error: StoreError): Promise<boolean> {
    this.#log.error({ err: error, jobId: job.id }, 'batch job: refused by the store, stopped');
    try {
      await this.#transition(job, ['queued', 'running'], 'stopped', `failed: ${error.message}`);
    } catch (transitionError) {
      this.#log.error({ err: transitionError, jobId: job.id }, 'batch job: cannot be stopped');
      this.#retryAt.set(job.id, Date.now() + this.#retryDelayMs);
    }
    return true;
  }

  async #runChunk(job: BatchJob, chunkNo: number, entries: string[]): Promise<void> {
    const sources = this.#sources();
    const origin: AnswerOrigin = {
      accountId: job.accountId,
      keyId: null,
      clientIp: BATCH_CLIENT_IP,
      requestId: `batch:${job.id}:${chunkNo}`,
      at: new Date(),
      latencyMs: 0,
      sources,
    };
    const answers: BatchAnswer[] = [];
    const charges: ChargeItem[] = [];
    const resolved = await this.#resolve(job, lookupMobiles(entries, sources));
    resolved.forEach(({ outcome, cache, source }, i) => {
      answers.push(batchAnswer(entries[i], outcome));
      charges.push(chargeItem(origin, entries[i], outcome, cache, source));
    });
    const result = await this.#store.commitBatchChunk(job.id, chunkNo, charges, encodeChunkOutput(answers));
    if (result.status === 'skipped') return;
    this.#onCommit?.(result.charged);
    const { status, processed, charged } = result.job;
    if (status === 'done' || status === 'stopped') {
      this.#log.info(
        { jobId: job.id, accountId: job.accountId, processed, charged, stopReason: result.job.stopReason },
        `batch job ${status}`,
      );
    }
  }

  /**
   * The providers' policy applied to the chunk's answers, waiting for their budget (a job is never
   * in a hurry): one cache read for the chunk, then the numbers not answered from it are asked.
   */
  async #resolve(
    job: BatchJob,
    outcomes: LookupOutcome[],
  ): Promise<{ outcome: LookupOutcome; cache?: CachedAnswer; source?: string }[]> {
    const live = this.#live;
    const account = live ? await this.#store.getAccount(job.accountId) : undefined;
    if (!live || !account || !live.goesUpstream(account)) return outcomes.map((outcome) => ({ outcome }));
    const mobiles = outcomes.flatMap((o) => (o.code === ResultCode.Ok ? [o.answer.seed.Mobile] : []));
    const cached = await live.cache.getMany(mobiles);
    return Promise.all(
      outcomes.map(async (outcome) => {
        if (outcome.code !== ResultCode.Ok) return { outcome };
        const answer = await live.resolve(outcome.answer, account, {
          waitForBudget: true,
          cached: cached.get(outcome.answer.seed.Mobile) ?? null,
        });
        if (answer.kind === 'unavailable') throw new UpstreamUnavailableError();
        if (answer.kind === 'not-found')
          return { outcome: { code: ResultCode.NoData } as const, source: `upstream:${answer.provider}` };
        return { outcome: { code: ResultCode.Ok, answer: answer.answer } as const, cache: answer.cache };
      }),
    );
  }

  #transition(
    job: BatchJob,
    from: BatchJobStatus[],
    to: BatchJobStatus,
    stopReason?: string,
  ): Promise<BatchJob | undefined> {
    return this.#store.transitionBatchJob(job.accountId, job.id, from, to, stopReason);
  }
}

/** A code-0 answer is charged; any other is only written to the query log with its code. */
function chargeItem(
  origin: AnswerOrigin,
  entry: string,
  outcome: LookupOutcome,
  cache?: CachedAnswer,
  source?: string,
): ChargeItem {
  const seed = outcome.code === ResultCode.Ok ? outcome.answer.seed : undefined;
  const log = queryLogRow(
    origin,
    entryCode(outcome),
    seed?.Mobile ?? entry,
    seed,
    outcome.code === ResultCode.Ok ? outcome.answer.ext.source : (source ?? null),
  );
  return {
    kind: seed ? 'charge' : 'log',
    accountId: origin.accountId,
    // A chunk is committed once (commitBatchChunk), so its items need no idempotency keys.
    idempotencyKey: null,
    body: '',
    log,
    cache,
  };
}
