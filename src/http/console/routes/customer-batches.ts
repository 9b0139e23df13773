import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account, BatchJob } from '../../../store/store.js';
import type { AppDeps } from '../../app-deps.js';
import { type InvalidSample, MAX_BATCH_FILE_BYTES, readBatchFile } from '../../../service/batches/batch-file.js';
import { resultPages, resultsCsv, resultsXlsx } from '../../../service/batches/batch-export.js';
import { ConsoleError } from '../console-error.js';
import { requireCustomer, sessionAccount } from '../guards.js';
import { pageQuery, pathId } from '../request-input.js';

export interface BatchPreview {
  lines: number;
  valid: number;
  invalid: number;
  duplicates: number;
  invalidSamples: InvalidSample[];
  /** Queries the job charges at most: one per valid number. */
  cost: number;
  balance: number;
  affordable: boolean;
}

export interface BatchView {
  id: number;
  fileName: string;
  status: BatchJob['status'];
  total: number;
  invalid: number;
  duplicates: number;
  processed: number;
  charged: number;
  progress: number;
  stopReason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  preview?: BatchPreview;
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
function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  return base.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_FILE_NAME_LENGTH);
}

function tooLarge(): ConsoleError {
  return new ConsoleError('payload_too_large', `a batch file is at most ${MAX_BATCH_FILE_BYTES} bytes`, {
    limit: MAX_BATCH_FILE_BYTES,
  });
}

/** The multipart plugin's errors in the console's terms. */
function uploadError(error: unknown): ConsoleError {
  if (error instanceof ConsoleError) return error;
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge();
  return new ConsoleError('invalid_file', `the upload could not be read: ${message ?? 'unknown error'}`);
}

async function uploadedFile(request: FastifyRequest): Promise<{ fileName: string; content: Buffer }> {
  if (!request.isMultipart()) {
    throw new ConsoleError('invalid_file', 'send the file as multipart/form-data in the field "file"');
  }
  try {
    const part = await request.file({ limits: { fileSize: MAX_BATCH_FILE_BYTES } });
    if (!part) throw new ConsoleError('invalid_file', 'no file was uploaded');
    const content = await part.toBuffer();
    // toBuffer() misses the limit when it is hit by the file's last piece; the stream does not.
    if (part.file.truncated) throw tooLarge();
    return { fileName: cleanFileName(part.filename), content };
  } catch (error) {
    throw uploadError(error);
  }
}

function attachment(
  reply: FastifyReply,
  job: BatchJob,
  extension: string,
  contentType: string,
): FastifyReply {
  const base = job.fileName.replace(/\.[^.]*$/, '') || `batch-${job.id}`;
  const name = `${base}-results.${extension}`;
  return reply
    .header('content-type', contentType)
    .header(
      'content-disposition',
      `attachment; filename="batch-${job.id}-results.${extension}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    )
    .header('cache-control', 'no-store');
}

/**
 * The customer's batch jobs: upload a .txt/.csv/.xlsx file (a draft with its preview), start it
 * (the runner does the rest in the background), cancel it, follow it, download its results. Every
 * job is looked up within the session's account: another account's id answers 404.
 */
export function customerBatchRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { store } = deps;

  const ownJob = async (accountId: number, request: FastifyRequest): Promise<BatchJob> => {
    const job = await store.getBatchJob(accountId, pathId(request.params, 'batch job'));
    if (!job) throw new ConsoleError('not_found', 'no such batch job');
    return job;
  };

  const views = async (accountId: number, jobs: BatchJob[]): Promise<BatchView[]> => {
    const owner = jobs.some((job) => job.status === 'draft')
      ? await sessionAccount(store, accountId)
      : undefined;
    return jobs.map((job) =>
      batchView(job, owner && job.status === 'draft' ? previewOf(job, owner) : undefined),
    );
  };

  app.post('/me/batches', async (request, reply) => {
    const { accountId } = requireCustomer(request);
    const { fileName, content } = await uploadedFile(request);
    const summary = await readBatchFile(fileName, content);
    const job = await store.createBatchJob({
      accountId,
      fileName,
      entries: summary.entries,
      invalid: summary.invalid,
      duplicates: summary.duplicates,
      invalidSamples: summary.invalidSamples,
    });
    const [view] = await views(accountId, [job]);
    return reply.code(201).send(view);
  });

  app.get('/me/batches', async (request) => {
    const { accountId } = requireCustomer(request);
    const page = await store.listBatchJobs(accountId, pageQuery(request.query));
    return { rows: await views(accountId, page.rows), next: page.next };
  });

  app.get('/me/batches/:id', async (request) => {
    const { accountId } = requireCustomer(request);
    const [view] = await views(accountId, [await ownJob(accountId, request)]);
    return view;
  });

  app.post('/me/batches/:id/start', async (request) => {
    const { accountId } = requireCustomer(request);
    const job = await ownJob(accountId, request);
    if (job.status !== 'draft') throw new ConsoleError('conflict', `the job is ${job.status}, not a draft`);
    if ((await sessionAccount(store, accountId)).status !== 'active') {
      throw new ConsoleError('account_suspended', 'the account is suspended');
    }
    const queued = await store.transitionBatchJob(accountId, job.id, ['draft'], 'queued');
    if (!queued) throw new ConsoleError('conflict', 'the job was started or cancelled meanwhile');
    deps.batchJobs.notify();
    return batchView(queued);
  });

  app.post('/me/batches/:id/cancel', async (request) => {
    const { accountId } = requireCustomer(request);
    const job = await ownJob(accountId, request);
    const cancelled = await store.transitionBatchJob(
      accountId,
      job.id,
      ['draft', 'queued', 'running'],
      'cancelled',
      'cancelled by the customer',
    );
    if (!cancelled) throw new ConsoleError('conflict', `the job is ${job.status} already`);
    return batchView(cancelled);
  });

  app.get('/me/batches/:id/results.csv', async (request, reply) => {
    const { accountId } = requireCustomer(request);
    const job = await ownJob(accountId, request);
    return attachment(reply, job, 'csv', 'text/csv; charset=utf-8').send(
      resultsCsv(resultPages(store, accountId, job.id)),
    );
  });

  app.get('/me/batches/:id/results.xlsx', async (request, reply) => {
    const { accountId } = requireCustomer(request);
    const job = await ownJob(accountId, request);
    return attachment(
      reply,
      job,
      'xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ).send(resultsXlsx(resultPages(store, accountId, job.id)));
  });
}
