import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { DataFileError } from '../../../data/data-file-error.js';
import type { ApplyProgress } from '../../../data/ported-apply-worker.js';
import type { ApplyResult, PortedDatabase } from '../../../data/ported-database.js';
import { type FeedKind, FeedGapError, FeedRejectedError, detectFeedKind } from '../../../data/ported-feed.js';
import { portedStats } from '../../../data/ported-stats.js';
import type { DataImport, DataImportOutcome } from '../../../store/store.js';
import type { AppDeps } from '../../app-deps.js';
import { auditEntry } from '../audit.js';
import { ConsoleError } from '../console-error.js';
import { requireOperator } from '../guards.js';
import { pageQuery, pathId } from '../request-input.js';
import { nodeName } from '../../../service/node-name.js';

/** A full snapshot of every ported number in China is a few GB of CSV. */
export const MAX_PORTED_UPLOAD_BYTES = 4 * 1024 ** 3;
/** Uploads wait here, inside the data directory: same disk as the snapshot, and never /tmp-sized. */
export const UPLOADS_DIR = 'uploads';
const MAX_FILE_NAME_LENGTH = 200;
/** Enough of a file's start to tell a full snapshot from a delta. */
const HEAD_BYTES = 4096;

/**
 * The import this process runs, if any, and how far it got. Kept per portability database (one
 * per server), so the HTTP and HTTPS apps of one server share it.
 */
interface RunningImport {
  /** null while the file is still uploading. */
  id: number | null;
  progress: number;
}

const runningImports = new WeakMap<PortedDatabase, RunningImport>();

/** Parsing is most of the work; the other phases get fixed shares of the bar. */
function progressOf({ phase, done, total }: ApplyProgress): number {
  switch (phase) {
    case 'loading snapshot':
      return 0;
    case 'reading':
      return 0.05;
    case 'parsing':
      return 0.1 + 0.7 * (total > 0 ? Math.min(1, done / total) : 0);
    case 'building':
      return 0.8;
    case 'writing snapshot':
      return 0.9;
  }
}

function importView(row: DataImport, running: RunningImport | undefined) {
  return {
    id: row.id,
    at: row.at.toISOString(),
    operator: row.operator,
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

interface Upload {
  dir: string;
  path: string;
  fileName: string;
  kind: FeedKind;
  skipInvalid: boolean;
}

/**
 * Reads the form: fields `kind` and `skipInvalid` and one file `file`, streamed to disk as it
 * arrives (never held in memory). The caller removes `dir` when done with it.
 */
async function receiveUpload(request: FastifyRequest, uploads: string): Promise<Upload> {
  if (!request.isMultipart()) throw new ConsoleError('bad_request', 'send the file as multipart/form-data');
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
    throw error;
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
  return { ...file, kind, skipInvalid: skip === 'true' };
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
  const handle = await open(path);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0);
    const found = detectFeedKind(buffer.subarray(0, bytesRead).toString('utf8'));
    if (found === kind) return undefined;
    return found === 'delta'
      ? 'this looks like a delta feed (seq,op,mobile,carrier,ported_at), not a full snapshot'
      : 'this looks like a full snapshot (mobile,carrier[,ported_at]), not a delta feed';
  } finally {
    await handle.close();
  }
}

function appliedOutcome(result: ApplyResult, kind: FeedKind): DataImportOutcome {
  const report = result.report;
  const skipped = report && report.invalid > 0 ? `, ${report.invalid} invalid rows skipped` : '';
  const size = `the database has ${result.state.index.size} ported numbers`;
  const reportJson = report ? JSON.stringify(report) : null;
  if (!result.changed) {
    return {
      status: 'applied',
      rows: 0,
      message: 'every row was applied before; nothing changed',
      report: reportJson,
    };
  }
  const rows = (report?.valid ?? 0) - (report?.alreadyApplied ?? 0);
  const what =
    kind === 'full'
      ? `imported ${rows} numbers`
      : `applied seq ${report?.firstSeq}–${report?.lastSeq} (${rows} changes)`;
  const unshared =
    result.notShared === undefined ? '' : `; applied on this node only, not yet shared: ${result.notShared}`;
  return { status: 'applied', rows, message: `${what}${skipped}; ${size}${unshared}`, report: reportJson };
}

/** The feed's refusals name the file on disk; people know it by the name they uploaded. */
function failedOutcome(error: unknown, upload: Upload): DataImportOutcome {
  const named = (message: string) => message.replaceAll(upload.path, upload.fileName);
  if (error instanceof FeedRejectedError) {
    const { report } = error;
    return {
      status: 'rejected',
      rows: 0,
      message: `${report.invalid} invalid rows of ${report.rows}; nothing applied (skipInvalid applies the valid ones)`,
      report: JSON.stringify(report),
    };
  }
  if (error instanceof DataFileError) {
    return { status: 'rejected', rows: 0, message: `${upload.fileName}: ${error.problem}`, report: null };
  }
  if (error instanceof FeedGapError)
    return { status: 'rejected', rows: 0, message: named(error.message), report: null };
  return {
    status: 'failed',
    rows: 0,
    message: named((error as Error).message ?? String(error)),
    report: null,
  };
}

/** Applies the upload (hot: lookups switch to the new data when it is ready) and records how it ended. */
async function runImport(
  deps: AppDeps,
  row: DataImport,
  upload: Upload,
  running: RunningImport,
  log: FastifyBaseLogger,
): Promise<void> {
  const options = {
    skipInvalid: upload.skipInvalid,
    onProgress: (progress: ApplyProgress) => {
      running.progress = progressOf(progress);
    },
  };
  let outcome: DataImportOutcome;
  try {
    const result =
      upload.kind === 'full'
        ? await deps.portedSharing.importFull(upload.path, options)
        : await deps.portedSharing.applyDelta(upload.path, options);
    outcome = appliedOutcome(result, upload.kind);
  } catch (error) {
    outcome = failedOutcome(error, upload);
    if (outcome.status === 'failed') log.error({ err: error, importId: row.id }, 'portability import failed');
  }
  try {
    await rm(upload.dir, { recursive: true, force: true });
    await deps.store.finishDataImport(row.id, outcome);
    log.info({ importId: row.id, status: outcome.status, message: outcome.message }, 'portability import');
  } catch (error) {
    // The row stays 'running' until the next start marks it failed.
    log.error({ err: error, importId: row.id }, 'recording the end of a portability import failed');
  } finally {
    runningImports.delete(deps.ported);
  }
}

/** The operator's data page: what is loaded, portability uploads and their history. */
export function adminDataRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/admin/data', async (request) => {
    requireOperator(request);
    const segments = deps.sources.segments;
    return {
      // Each node keeps its own copy of the portability database: the page says whose it shows,
      // and whether imports reach the other nodes.
      node: nodeName(deps.config.dataDir),
      shared: deps.portedSharing.enabled,
      segments: { version: segments.version, count: segments.size, source: segments.source },
      ported: portedStats(deps.ported.state),
    };
  });

  app.post('/admin/data/ported', async (request, reply) => {
    const { username } = requireOperator(request);
    if (runningImports.has(deps.ported)) {
      throw new ConsoleError('conflict', 'a portability import is running; wait for it to finish');
    }
    // Taken before the upload: a second upload of gigabytes would only be refused at its end.
    const running: RunningImport = { id: null, progress: 0 };
    runningImports.set(deps.ported, running);
    let upload: Upload | undefined;
    try {
      upload = await receiveUpload(request, join(deps.config.dataDir, UPLOADS_DIR));
      const bytes = (await stat(upload.path)).size;
      const { kind, fileName, skipInvalid } = upload;
      const row = await deps.store.createDataImport(
        { node: nodeName(deps.config.dataDir), operator: username, kind, fileName },
        (started) =>
          auditEntry(request, 'data.import', `import:${started.id}`, { kind, fileName, skipInvalid, bytes }),
      );
      running.id = row.id;
      // From here the import owns the upload and the slot, whatever happens to this request.
      void runImport(deps, row, upload, running, request.log);
      return reply.code(202).send(importView(row, running));
    } catch (error) {
      if (running.id === null) {
        runningImports.delete(deps.ported);
        if (upload) await rm(upload.dir, { recursive: true, force: true });
      }
      throw error;
    }
  });

  app.get('/admin/data/imports', async (request) => {
    requireOperator(request);
    const { rows, next } = await deps.store.listDataImports(pageQuery(request.query));
    const running = runningImports.get(deps.ported);
    return { rows: rows.map((row) => importView(row, running)), next };
  });

  app.get('/admin/data/imports/:id', async (request) => {
    requireOperator(request);
    const row = await deps.store.getDataImport(pathId(request.params, 'import'));
    if (!row) throw new ConsoleError('not_found', 'no such import');
    return importView(row, runningImports.get(deps.ported));
  });
}
