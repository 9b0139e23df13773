import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type FeedKind, detectFeedKind } from '../../../data/ported-feed.js';
import { portedStats } from '../../../data/ported-stats.js';
import type { DataImport } from '../../../store/store.js';
import { fileHead } from '../../../service/portability/file-head.js';
import type { FeedUpload, RunningImport } from '../../../service/portability/portability-service.js';
import type { DataImportView, DataStats } from '../../../wire/console-api.js';
import type { AppDeps } from '../../app-deps.js';
import { ConsoleError } from '../console-error.js';
import { operatorActor, requireOperator } from '../guards.js';
import { pageQuery, pathId } from '../request-input.js';

/** A full snapshot of every ported number in China is a few GB of CSV. */
export const MAX_PORTED_UPLOAD_BYTES = 4 * 1024 ** 3;
/** Uploads wait here, inside the data directory: same disk as the snapshot, and never /tmp-sized. */
export const UPLOADS_DIR = 'uploads';
const MAX_FILE_NAME_LENGTH = 200;
function importView(row: DataImport, running: RunningImport | undefined): DataImportView {
  return {
    id: row.id,
    at: row.at.toISOString(),
    operator: row.operator,
    origin: row.origin,
    node: row.node,
    kind: row.kind,
    fileName: row.fileName,
    status: row.status,
    rows: row.rows,
    message: row.message,
    report: row.report === null ? null : (JSON.parse(row.report) as unknown),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    progress: row.status === 'running' && running?.id === row.id ? running.progress : null,
  };
}

/** A name for the file on disk: the snapshot records it as its source, so it should read well. */
function diskName(fileName: string): string {
  const safe = basename(fileName.replaceAll('\\', '/'))
    .replace(/[^\p{L}\p{N}._-]/gu, '_')
    .slice(-100);
  return safe === '' || safe.startsWith('.') ? `ported${safe}.csv` : safe;
}

interface Upload extends FeedUpload {
  /** The upload's own directory, removed once the import is done with the file. */
  dir: string;
}

/**
 * What went wrong reading an upload, in the console's terms: a body that is not the multipart form
 * it says it is (cut short, no boundary) is the client's mistake (400), a full disk is not.
 */
function uploadReadError(error: unknown): unknown {
  if (error instanceof ConsoleError || (error as { statusCode?: number }).statusCode !== undefined)
    return error;
  if (
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code!)
  ) {
    return error;
  }
  return new ConsoleError(
    'invalid_file',
    `the upload could not be read: ${(error as Error).message}`.slice(0, 200),
  );
}

/**
 * Reads the form: fields `kind` and `skipInvalid` and one file `file`, streamed to disk as it
 * arrives (never held in memory). The caller removes `dir` when done with it.
 */
async function receiveUpload(request: FastifyRequest, uploads: string): Promise<Upload> {
  if (!request.isMultipart()) throw new ConsoleError('invalid_file', 'send the file as multipart/form-data');
  const fields: Record<string, string> = {};
  let file: { dir: string; path: string; fileName: string } | undefined;
  let extraFile = false;
  try {
    const parts = request.parts({
      limits: { fileSize: MAX_PORTED_UPLOAD_BYTES, fieldSize: 100, fields: 10 },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file' || file) {
        extraFile = true;
        part.file.resume();
        continue;
      }
      file = await saveFile(part, uploads);
    }
  } catch (error) {
    if (file) await rm(file.dir, { recursive: true, force: true });
    throw uploadReadError(error);
  }
  const fail = async (error: ConsoleError): Promise<never> => {
    if (file) await rm(file.dir, { recursive: true, force: true });
    throw error;
  };
  if (!file || extraFile)
    return fail(new ConsoleError('bad_request', 'send exactly one file, in field file'));
  const kind = fields.kind;
  if (kind !== 'full' && kind !== 'delta')
    return fail(new ConsoleError('bad_request', 'kind must be full or delta'));
  const skip = fields.skipInvalid ?? 'false';
  if (skip !== 'true' && skip !== 'false') {
    return fail(new ConsoleError('bad_request', 'skipInvalid must be true or false'));
  }
  const problem = await checkFeed(file.path, kind);
  if (problem) return fail(new ConsoleError('invalid_file', problem));
  const bytes = (await stat(file.path)).size;
  return { ...file, kind, skipInvalid: skip === 'true', details: { bytes } };
}

async function saveFile(part: MultipartFile, uploads: string) {
  await mkdir(uploads, { recursive: true });
  const dir = await mkdtemp(join(uploads, 'ported-'));
  const fileName = (part.filename || 'ported.csv').slice(0, MAX_FILE_NAME_LENGTH);
  const path = join(dir, diskName(fileName));
  try {
    await pipeline(part.file, createWriteStream(path, { flags: 'wx' }));
    if (part.file.truncated) {
      throw new ConsoleError(
        'payload_too_large',
        `a portability file may have at most ${MAX_PORTED_UPLOAD_BYTES / 1024 ** 3} GiB`,
      );
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, path, fileName };
}

/**
 * Refuses what would do harm once applied: an empty file, or a delta sent as a full snapshot (with
 * skipInvalid every row would be skipped and the database replaced by nothing) and the reverse.
 */
async function checkFeed(path: string, kind: FeedKind): Promise<string | undefined> {
  if ((await stat(path)).size === 0) return 'the file is empty';
  const found = detectFeedKind(await fileHead(path));
  if (found === kind) return undefined;
  return found === 'delta'
    ? 'this looks like a delta feed (seq,op,mobile,carrier,ported_at), not a full snapshot'
    : 'this looks like a full snapshot (mobile,carrier[,ported_at]), not a delta feed';
}

/** The operator's data page: what is loaded, portability uploads and their history. */
export function adminDataRoutes(
  app: FastifyInstance,
  deps: Pick<AppDeps, 'config' | 'store' | 'sources' | 'portability'>,
): void {
  const { portability } = deps;

  app.get('/admin/data', async (request): Promise<DataStats> => {
    requireOperator(request);
    const segments = deps.sources.segments;
    return {
      // Each node keeps its own copy of the portability database: the page says whose it shows,
      // and whether imports reach the other nodes.
      node: portability.node,
      shared: deps.config.npdbShared,
      segments: { version: segments.version, count: segments.size, source: segments.source },
      ported: portedStats(portability.state),
    };
  });

  app.post('/admin/data/ported', async (request, reply) => {
    const actor = operatorActor(request);
    // Taken before the upload: a second upload of gigabytes would only be refused at its end.
    const slot = portability.reserve();
    let upload: Upload | undefined;
    try {
      upload = await receiveUpload(request, join(deps.config.dataDir, UPLOADS_DIR));
      const dir = upload.dir;
      const discard = () => rm(dir, { recursive: true, force: true });
      const { row, done } = await portability.start(slot, actor, 'console', { ...upload, discard });
      // From here the import owns the upload and the slot, whatever happens to this request.
      void done.then(
        (end) => {
          const { id, status, message } = end.row;
          if (status === 'failed')
            request.log.error(
              { err: end.ok ? undefined : end.error, importId: id },
              'portability import failed',
            );
          else request.log.info({ importId: id, status, message }, 'portability import');
        },
        // The row stays 'running' until the next start marks it failed.
        (error: Error) =>
          request.log.error(
            { err: error, importId: row.id },
            'recording the end of a portability import failed',
          ),
      );
      return reply.code(202).send(importView(row, portability.running));
    } catch (error) {
      if (slot.id === null) {
        portability.release(slot);
        if (upload) await rm(upload.dir, { recursive: true, force: true });
      }
      throw error;
    }
  });

  app.get('/admin/data/imports', async (request) => {
    requireOperator(request);
    const { rows, next } = await deps.store.listDataImports(pageQuery(request.query));
    return { rows: rows.map((row) => importView(row, portability.running)), next };
  });

  app.get('/admin/data/imports/:id', async (request) => {
    requireOperator(request);
    const row = await deps.store.getDataImport(pathId(request.params, 'import'));
    if (!row) throw new ConsoleError('not_found', 'no such import');
    return importView(row, portability.running);
  });
}
