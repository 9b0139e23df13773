/**
 * A customer's batch jobs: a file becomes a draft with its preview, a started draft is queued for
 * the runner, a job can be cancelled, and its answers are read back page by page. Every job is
 * found within its account: another account's id is not found.
 */
import {
  type Account,
  type AccountStore,
  type BatchJob,
  type BatchJobStore,
  type CallbackStore,
  StoreError,
} from '../../store/store.js';
import type { BatchPreview, BatchView } from '../../wire/console-api.js';
import { type CallbackTargetPolicy, checkCallbackTarget } from '../callbacks/callback-target.js';
import { ServiceError } from '../service-error.js';
import { type ResultRow, resultPages } from './batch-export.js';
import { type BatchFileSummary, MAX_BATCH_FILE_ROWS, readNumberList } from './batch-file.js';
import { type CodeCounts, JobCodeCounts, type JobTallies, jobTallies } from './code-counts.js';
import { UploadReader } from './upload-reader.js';

/** A client's requestId for a job: as long as the API's requestId may be. */
export const MAX_JOB_REQUEST_ID_LENGTH = 128;

/** What `POST /jobs` hands over: a file's bytes or a list of numbers, and the job's options. */
export interface JobSubmission {
  file?: { fileName: string; content: Buffer };
  mobiles?: readonly unknown[];
  requestId?: string;
  callbackUrl?: string;
  /** `scheme://host` the client reached, for the results URL of the callback. */
  resultsBase?: string;
}

/** A job as the API shows it. */
export interface ApiJobView extends JobTallies {
  jobId: string;
  status: BatchJob['status'];
  progress: number;
  /** Answers by code so far (`"0"`, `"-2"`, …). */
  counts: CodeCounts;
  stopReason: string | null;
  requestId: string | null;
  callbackUrl: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Stored file names are cut to this many characters. */
const MAX_FILE_NAME_LENGTH = 200;

function affordable(account: Account, cost: number): boolean {
  if (account.feeType === 'prepaid') return account.balance >= cost;
  return account.creditLimit === null || account.balance - cost >= -account.creditLimit;
}

function previewOf(job: BatchJob, account: Account): BatchPreview {
  const valid = job.total - job.invalid;
  return {
    lines: job.total + job.duplicates,
    valid,
    invalid: job.invalid,
    duplicates: job.duplicates,
    invalidSamples: job.invalidSamples,
    cost: valid,
    balance: account.balance,
    affordable: affordable(account, valid),
  };
}

export function batchView(job: BatchJob, preview?: BatchPreview): BatchView {
  return {
    id: job.id,
    fileName: job.fileName,
    status: job.status,
    ...jobTallies(job),
    progress: progressOf(job),
    stopReason: job.stopReason,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    ...(preview ? { preview } : {}),
    origin: job.origin,
    requestId: job.requestId,
    callbackUrl: job.callbackUrl,
  };
}

function progressOf(job: BatchJob): number {
  return job.status === 'done' ? 1 : job.total > 0 ? Math.min(1, job.processed / job.total) : 0;
}

export function apiJobView(job: BatchJob, counts: CodeCounts): ApiJobView {
  return {
    jobId: String(job.id),
    status: job.status,
    ...jobTallies(job),
    progress: progressOf(job),
    counts,
    stopReason: job.stopReason,
    requestId: job.requestId,
    callbackUrl: job.callbackUrl,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

/** The name as the customer knows the file, without a path or control characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  return base.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_FILE_NAME_LENGTH);
}

export class BatchService {
  readonly #uploads = new UploadReader();
  readonly #counts: JobCodeCounts;

  constructor(
    private readonly store: BatchJobStore &
      Pick<AccountStore, 'getAccount'> &
      Pick<CallbackStore, 'findBatchJobByRequestId' | 'callbackHistory' | 'callbackSecret'>,
    /** Tells the runner a job was queued, so it starts at once rather than at its next look. */
    private readonly notifyRunner: () => void,
    /** Where callbacks may go (MNPD_CALLBACK_ALLOW); none are taken without it. */
    private readonly callbackPolicy?: CallbackTargetPolicy,
  ) {
    this.#counts = new JobCodeCounts(store);
  }

  /** A draft job from an uploaded file, with its preview. */
  async upload(accountId: number, fileName: string, content: Buffer): Promise<BatchView> {
    const name = cleanFileName(fileName);
    const summary = await this.#uploads.read(accountId, name, content);
    const job = await this.store.createBatchJob({ accountId, fileName: name, ...entriesOf(summary) });
    const [view] = await this.views(accountId, [job]);
    return view;
  }

  /**
   * A job submitted over the API, queued at once: the same reading, limits, runner and billing as
   * an uploaded file started from the console. A requestId the account used before answers the
   * job it made (`created: false`), whatever the retry sent.
   */
  async submit(accountId: number, submission: JobSubmission): Promise<{ job: BatchJob; created: boolean }> {
    const { requestId, callbackUrl } = submission;
    if (requestId !== undefined && (requestId === '' || requestId.length > MAX_JOB_REQUEST_ID_LENGTH)) {
      throw new ServiceError('invalid', `a requestId has 1 to ${MAX_JOB_REQUEST_ID_LENGTH} characters`);
    }
    if (requestId !== undefined) {
      const earlier = await this.store.findBatchJobByRequestId(accountId, requestId);
      if (earlier) return { job: earlier, created: false };
    }
    if ((await this.#account(accountId)).status !== 'active') {
      throw new ServiceError('account_suspended', 'the account is suspended');
    }
    if (callbackUrl !== undefined) await this.#checkCallbackUrl(accountId, callbackUrl);
    const { fileName, summary } = await this.#read(accountId, submission);
    try {
      const job = await this.store.createBatchJob({
        accountId,
        fileName,
        ...entriesOf(summary),
        origin: 'api',
        requestId,
        callbackUrl,
        resultsBase: submission.resultsBase,
        queued: true,
      });
      this.notifyRunner();
      return { job, created: true };
    } catch (error) {
      // The same requestId sent twice at once: the other submission made the job.
      if (error instanceof StoreError && error.code === 'duplicate' && requestId !== undefined) {
        const earlier = await this.store.findBatchJobByRequestId(accountId, requestId);
        if (earlier) return { job: earlier, created: false };
      }
      throw error;
    }
  }

  /** The job as the API shows it, with its answers counted by code. */
  async apiView(job: BatchJob): Promise<ApiJobView> {
    return apiJobView(job, await this.#counts.of(job));
  }

  /** The job's callback event and its attempts; undefined when it has none (yet). */
  callbacks(accountId: number, jobId: number) {
    return this.store.callbackHistory(accountId, jobId);
  }

  async #read(
    accountId: number,
    submission: JobSubmission,
  ): Promise<{ fileName: string; summary: BatchFileSummary }> {
    if (submission.file) {
      const fileName = cleanFileName(submission.file.fileName);
      return { fileName, summary: await this.#uploads.read(accountId, fileName, submission.file.content) };
    }
    const mobiles = submission.mobiles ?? [];
    if (mobiles.length === 0) throw new ServiceError('invalid_file', 'no numbers: send mobiles or a file');
    if (mobiles.length > MAX_BATCH_FILE_ROWS) {
      throw new ServiceError('too_many_numbers', `more than ${MAX_BATCH_FILE_ROWS} entries`);
    }
    return { fileName: 'mobiles.json', summary: readNumberList(mobiles) };
  }

  async #checkCallbackUrl(accountId: number, url: string): Promise<void> {
    if (!this.callbackPolicy) throw new ServiceError('invalid', 'callbacks are not available on this server');
    // A callback signed with a secret nobody was shown could not be checked by its receiver.
    if ((await this.store.callbackSecret(accountId)) === null) {
      throw new ServiceError(
        'invalid',
        'a callbackUrl needs the account’s callback secret: make one on the console’s keys page ' +
          '(or with mnpd account callback-secret NAME), then submit again',
      );
    }
    const target = await checkCallbackTarget(url, this.callbackPolicy);
    // A name that does not resolve now may resolve when the job ends: its delivery checks again.
    if (!target.ok && target.reason !== 'unresolvable-host') {
      throw new ServiceError('invalid', `callbackUrl refused: ${target.message}`, { reason: target.reason });
    }
  }

  async job(accountId: number, id: number): Promise<BatchJob> {
    const job = await this.store.getBatchJob(accountId, id);
    if (!job) throw new ServiceError('not_found', 'no such batch job');
    return job;
  }

  async list(accountId: number, page: { before?: number; limit?: number }) {
    const { rows, next } = await this.store.listBatchJobs(accountId, page);
    return { rows: await this.views(accountId, rows), next };
  }

  /** The account's jobs as they are (the API shows them its own way). */
  listJobs(accountId: number, page: { before?: number; limit?: number }) {
    return this.store.listBatchJobs(accountId, page);
  }

  async view(accountId: number, id: number): Promise<BatchView> {
    const [view] = await this.views(accountId, [await this.job(accountId, id)]);
    return view;
  }

  /** Queues a draft; the runner does the rest in the background. */
  async start(accountId: number, id: number): Promise<BatchView> {
    const job = await this.job(accountId, id);
    if (job.status !== 'draft') throw new ServiceError('conflict', `the job is ${job.status}, not a draft`);
    if ((await this.#account(accountId)).status !== 'active') {
      throw new ServiceError('account_suspended', 'the account is suspended');
    }
    const queued = await this.store.transitionBatchJob(accountId, job.id, ['draft'], 'queued');
    if (!queued) throw new ServiceError('conflict', 'the job was started or cancelled meanwhile');
    this.notifyRunner();
    return batchView(queued);
  }

  /** Cancels a job that has not ended; what was answered stays answered and charged. */
  async cancel(accountId: number, id: number): Promise<BatchView> {
    const job = await this.job(accountId, id);
    const cancelled = await this.store.transitionBatchJob(
      accountId,
      job.id,
      ['draft', 'queued', 'running'],
      'cancelled',
      'cancelled by the customer',
    );
    if (!cancelled) throw new ServiceError('conflict', `the job is ${job.status} already`);
    return batchView(cancelled);
  }

  /** The job's answers, a page of rows at a time, in the order of its file. */
  results(accountId: number, job: BatchJob): AsyncGenerator<ResultRow[]> {
    return resultPages(this.store, accountId, job.id);
  }

  async #account(accountId: number): Promise<Account> {
    const account = await this.store.getAccount(accountId);
    if (!account) throw new ServiceError('not_found', 'the account no longer exists');
    return account;
  }

  /** Drafts show their preview, which needs the account's balance. */
  async views(accountId: number, jobs: BatchJob[]): Promise<BatchView[]> {
    const owner = jobs.some((job) => job.status === 'draft') ? await this.#account(accountId) : undefined;
    return jobs.map((job) =>
      batchView(job, owner && job.status === 'draft' ? previewOf(job, owner) : undefined),
    );
  }
}

function entriesOf(summary: BatchFileSummary) {
  return {
    entries: summary.entries,
    invalid: summary.invalid,
    duplicates: summary.duplicates,
    invalidSamples: summary.invalidSamples,
  };
}
