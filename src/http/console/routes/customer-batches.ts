import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BatchJob } from '../../../store/store.js';
import { MAX_BATCH_FILE_BYTES } from '../../../service/batches/batch-file.js';
import { resultsCsv, resultsXlsx } from '../../../service/batches/batch-export.js';
import type { AppDeps } from '../../app-deps.js';
import { ConsoleError } from '../console-error.js';
import { requireCustomer } from '../guards.js';
import { pageQuery, pathId } from '../request-input.js';

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
    return { fileName: part.filename, content };
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
export function customerBatchRoutes(app: FastifyInstance, deps: Pick<AppDeps, 'batches'>): void {
  const { batches } = deps;
  const jobId = (request: FastifyRequest) => pathId(request.params, 'batch job');

  app.post('/me/batches', async (request, reply) => {
    const { accountId } = requireCustomer(request);
    const { fileName, content } = await uploadedFile(request);
    return reply.code(201).send(await batches.upload(accountId, fileName, content));
  });

  app.get('/me/batches', async (request) => {
    const { accountId } = requireCustomer(request);
    return batches.list(accountId, pageQuery(request.query));
  });

  app.get('/me/batches/:id', async (request) => {
    const { accountId } = requireCustomer(request);
    return batches.view(accountId, jobId(request));
  });

  app.post('/me/batches/:id/start', async (request) => {
    const { accountId } = requireCustomer(request);
    return batches.start(accountId, jobId(request));
  });

  app.post('/me/batches/:id/cancel', async (request) => {
    const { accountId } = requireCustomer(request);
    return batches.cancel(accountId, jobId(request));
  });

  app.get('/me/batches/:id/results.csv', async (request, reply) => {
    const { accountId } = requireCustomer(request);
    const job = await batches.job(accountId, jobId(request));
    return attachment(reply, job, 'csv', 'text/csv; charset=utf-8').send(
      resultsCsv(batches.results(accountId, job)),
    );
  });

  app.get('/me/batches/:id/results.xlsx', async (request, reply) => {
    const { accountId } = requireCustomer(request);
    const job = await batches.job(accountId, jobId(request));
    return attachment(
      reply,
      job,
      'xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ).send(resultsXlsx(batches.results(accountId, job)));
  });
}
