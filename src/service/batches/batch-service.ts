/**
 * A customer's batch jobs: a file becomes a draft with its preview, a started draft is queued for
 * the runner, a job can be cancelled, and its answers are read back page by page. Every job is
 * found within its account: another account's id is not found.
 */
import type { Account, AccountStore, BatchJob, BatchJobStore } from '../../store/store.js';
import type { BatchPreview, BatchView } from '../../wire/console-api.js';
import { ServiceError } from '../service-error.js';
import { type ResultRow, resultPages } from './batch-export.js';
import { UploadReader } from './upload-reader.js';

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
    total: job.total,
    invalid: job.invalid,
    duplicates: job.duplicates,
    processed: job.processed,
    charged: job.charged,
    progress: job.status === 'done' ? 1 : job.total > 0 ? Math.min(1, job.processed / job.total) : 0,
    stopReason: job.stopReason,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    ...(preview ? { preview } : {}),
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

  constructor(
    private readonly store: BatchJobStore & Pick<AccountStore, 'getAccount'>,
    /** Tells the runner a job was queued, so it starts at once rather than at its next look. */
    private readonly notifyRunner: () => void,
  ) {}

  /** A draft job from an uploaded file, with its preview. */
  async upload(accountId: number, fileName: string, content: Buffer): Promise<BatchView> {
    const name = cleanFileName(fileName);
    const summary = await this.#uploads.read(accountId, name, content);
    const job = await this.store.createBatchJob({
      accountId,
      fileName: name,
      entries: summary.entries,
      invalid: summary.invalid,
      duplicates: summary.duplicates,
      invalidSamples: summary.invalidSamples,
    });
    const [view] = await this.views(accountId, [job]);
    return view;
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
