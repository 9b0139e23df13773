/**
 * Announces the end of API jobs to their callback URLs, in the background of every node: an
 * ended job's event is made once in the store (whichever node sees it first), then each due event
 * is leased to one node, which signs and POSTs it and records the attempt with when to try again.
 * Everything lives in the store, so a restarted node, or another one, carries on with the next
 * attempt; a receiver sees each event's id on every attempt and de-duplicates by it.
 */
import { randomUUID } from 'node:crypto';
import type { BatchJob, CallbackDelivery, CallbackStore } from '../../store/store.js';
import type { Log } from '../log.js';
import { type CallbackEvent, newCallbackEvent } from './callback-event.js';
import { newCallbackSecret } from './callback-secret.js';
import type { CallbackTargetPolicy } from './callback-target.js';
import { type DeliveryAttempt, deliverCallback } from './deliver-callback.js';
import { FIRST_RETRY_DELAY_MS, nextAttempt } from './retry-schedule.js';
import { type CodeCounts, type JobTallies, jobTallies } from '../batches/code-counts.js';
import { Doorbell } from '../../platform/doorbell.js';

/** Ended jobs turned into events per look. */
const EVENTS_PER_LOOK = 100;
/** Deliveries sent at once by one node. */
const DELIVERIES_AT_ONCE = 8;
/**
 * How long a node holds an event it is sending: longer than an attempt can take (its timeout),
 * short enough that another node resends soon after a node died mid-attempt.
 */
export const CALLBACK_LEASE_MS = 60_000;

export type CallbackRunnerStore = Pick<
  CallbackStore,
  | 'callbacksDue'
  | 'createCallbackDelivery'
  | 'claimDueCallbacks'
  | 'recordCallbackAttempt'
  | 'releaseCallbacks'
  | 'callbackSecret'
  | 'setCallbackSecret'
>;

/** What a job-end event says. */
export interface JobFinishedData extends JobTallies {
  jobId: string;
  requestId: string | null;
  status: BatchJob['status'];
  counts: CodeCounts;
  stopReason: string | null;
  finishedAt: string | null;
  /** Where the results are read, with the account's apikey added by the client. */
  resultsUrl: string | null;
}

export const JOB_FINISHED_EVENT = 'job.finished';

export interface CallbackRunnerOptions {
  /**
   * Who this node is to the others, for leases (the node's name); each process adds its own
   * suffix, so two processes on one data directory never take the same event together.
   */
  owner?: string;
  policy: CallbackTargetPolicy;
  /** `scheme://host` of the API for results URLs, when the operator set one. */
  publicUrl?: string;
  /** Answers by code of a job (JobCodeCounts). */
  countsOf: (job: BatchJob) => Promise<CodeCounts>;
  pollMs?: number;
  /** The first retry's delay; the whole schedule is scaled with it (tests shorten it). */
  firstRetryMs?: number;
  leaseMs?: number;
  timeoutMs?: number;
  /** After each attempt, with its outcome (metrics). */
  onAttempt?: (outcome: DeliveryAttempt['outcome']) => void;
}

const SILENT: Log = { info: () => {}, warn: () => {}, error: () => {} };

export function jobFinishedEvent(
  job: BatchJob,
  counts: CodeCounts,
  resultsBase: string | null,
): CallbackEvent<JobFinishedData> {
  return newCallbackEvent<JobFinishedData>(
    JOB_FINISHED_EVENT,
    {
      jobId: String(job.id),
      requestId: job.requestId,
      status: job.status,
      ...jobTallies(job),
      counts,
      stopReason: job.stopReason,
      finishedAt: job.finishedAt?.toISOString() ?? null,
      resultsUrl: resultsBase ? `${resultsBase}/jobs/${job.id}/results` : null,
    },
    job.finishedAt?.getTime() ?? Date.now(),
  );
}

/** The secret that signs an account's callbacks; made on first need, so every account has one. */
export async function accountCallbackSecret(store: CallbackRunnerStore, accountId: number): Promise<string> {
  const secret = await store.callbackSecret(accountId);
  if (secret) return secret;
  const made = newCallbackSecret();
  await store.setCallbackSecret(accountId, made);
  // Another node may have made one at the same moment: the stored one signs.
  return (await store.callbackSecret(accountId)) ?? made;
}

export class CallbackRunner {
  readonly #owner: string;
  readonly #pollMs: number;
  readonly #scale: number;
  readonly #leaseMs: number;
  #log: Log = SILENT;
  readonly #bell = new Doorbell();

  constructor(
    private readonly store: CallbackRunnerStore,
    private readonly options: CallbackRunnerOptions,
  ) {
    this.#owner = `${options.owner ?? 'callbacks'}:${randomUUID().slice(0, 8)}`;
    this.#pollMs = options.pollMs ?? 1000;
    this.#scale = (options.firstRetryMs ?? FIRST_RETRY_DELAY_MS) / FIRST_RETRY_DELAY_MS;
    this.#leaseMs = options.leaseMs ?? CALLBACK_LEASE_MS;
  }

  start(log: Log = SILENT): void {
    if (this.#bell.started) return;
    this.#log = log;
    this.#bell.run(() => this.#run());
  }

  /** A job may have ended: look at once. */
  notify(): void {
    this.#bell.ring();
  }

  /** Finishes the attempts under way, lets go of the leases it holds and stops. */
  async close(): Promise<void> {
    await this.#bell.stop();
    try {
      await this.store.releaseCallbacks(this.#owner);
    } catch (error) {
      this.#log.warn({ err: error }, 'callbacks: cannot release the leases, they will run out');
    }
  }

  /** One look: events for ended jobs, then the deliveries due. For tests and the loop. */
  async runOnce(): Promise<number> {
    await this.#makeEvents();
    return this.#deliverDue();
  }

  async #run(): Promise<void> {
    while (!this.#bell.closed) {
      this.#bell.answer();
      let sent = 0;
      try {
        sent = await this.runOnce();
      } catch (error) {
        this.#log.error({ err: error }, 'callbacks: look failed, will try again');
      }
      // A full batch of deliveries may have more behind it.
      if (sent < DELIVERIES_AT_ONCE) await this.#bell.pause(this.#pollMs);
    }
  }

  async #makeEvents(): Promise<void> {
    for (const due of await this.store.callbacksDue(EVENTS_PER_LOOK)) {
      const base = this.options.publicUrl ?? due.resultsBase;
      const event = jobFinishedEvent(due.job, await this.options.countsOf(due.job), base);
      const made = await this.store.createCallbackDelivery({
        eventId: event.id,
        jobId: due.job.id,
        url: due.callbackUrl,
        body: JSON.stringify(event),
      });
      if (made) this.#log.info({ jobId: due.job.id, eventId: event.id }, 'callback event made');
    }
  }

  async #deliverDue(): Promise<number> {
    if (this.#bell.closed) return 0;
    const deliveries = await this.store.claimDueCallbacks(this.#owner, this.#leaseMs, DELIVERIES_AT_ONCE);
    await Promise.all(deliveries.map((delivery) => this.#deliver(delivery)));
    return deliveries.length;
  }

  async #deliver(delivery: CallbackDelivery): Promise<void> {
    try {
      const secret = await accountCallbackSecret(this.store, delivery.accountId);
      const event = JSON.parse(delivery.body) as CallbackEvent;
      const attempt = await deliverCallback({
        url: delivery.url,
        event,
        secret,
        policy: this.options.policy,
        timeoutMs: this.options.timeoutMs,
      });
      await this.#record(delivery, attempt);
    } catch (error) {
      // The store failed: the lease runs out and the attempt is made again.
      this.#log.error({ err: error, eventId: delivery.eventId }, 'callback: attempt not recorded');
    }
  }

  async #record(delivery: CallbackDelivery, attempt: DeliveryAttempt): Promise<void> {
    const attempts = delivery.attempts + 1;
    const ended = new Date(attempt.startedAt + attempt.durationMs);
    let status: 'pending' | 'delivered' | 'failed' = 'delivered';
    let nextAttemptAt: Date | null = null;
    if (attempt.outcome !== 'delivered') {
      const first = delivery.firstAttemptAt?.getTime() ?? attempt.startedAt;
      const next = attempt.retryable
        ? nextAttempt(attempts, first, ended.getTime())
        : { giveUp: true as const };
      if ('retryAt' in next) {
        status = 'pending';
        nextAttemptAt = new Date(ended.getTime() + (next.retryAt - ended.getTime()) * this.#scale);
      } else {
        status = 'failed';
      }
    }
    this.options.onAttempt?.(attempt.outcome);
    await this.store.recordCallbackAttempt(delivery.eventId, this.#owner, {
      status,
      outcome: attempt.outcome,
      httpStatus: attempt.status ?? null,
      error: attempt.error?.slice(0, 500) ?? null,
      startedAt: new Date(attempt.startedAt),
      durationMs: attempt.durationMs,
      nextAttemptAt,
    });
    const fields = {
      jobId: delivery.jobId,
      eventId: delivery.eventId,
      attempt: attempts,
      status: attempt.status,
    };
    if (status === 'delivered') this.#log.info(fields, 'callback delivered');
    else if (status === 'pending')
      this.#log.warn({ ...fields, error: attempt.error }, 'callback failed, will retry');
    else this.#log.warn({ ...fields, error: attempt.error }, 'callback failed, given up');
  }
}
