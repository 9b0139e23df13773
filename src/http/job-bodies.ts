/**
 * How `POST /jobs` reads its body, in the scope of the job routes only: a JSON object (`mobiles`
 * and options), a multipart form with a file and fields, or the file itself as the raw body
 * (text, CSV or a workbook), with the options in the query string. Up to a batch file's size.
 */
import { Readable } from 'node:stream';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MAX_BATCH_FILE_BYTES } from '../service/batches/batch-file.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';

/** A body may carry a file this big, plus the form around it. */
export const MAX_JOB_BODY_BYTES = MAX_BATCH_FILE_BYTES + 1024 * 1024;
const MAX_FORM_FIELDS = 20;
const MAX_FORM_FIELD_BYTES = 64 * 1024;

/** A file sent with a job, as the body or a multipart part. */
export interface JobFile {
  fileName: string;
  content: Buffer;
}

/** Where the file of a parsed body is kept, apart from the fields a client names. */
export const JOB_FILE = Symbol('job file');

export type JobBody = Record<string, unknown> & { [JOB_FILE]?: JobFile };

function badBody(message: string, statusCode = 400): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode });
}

const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The name a raw body is read as: the `fileName` parameter, else what its type and bytes say. */
function rawFileName(request: FastifyRequest, content: Buffer): string {
  const named = (request.query as Record<string, unknown> | undefined)?.fileName;
  if (typeof named === 'string' && /\.(txt|csv|xlsx)$/i.test(named)) return named;
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === XLSX_TYPE || content.subarray(0, 4).equals(ZIP_MAGIC)) return 'upload.xlsx';
  if (type === 'text/csv') return 'upload.csv';
  return 'upload.txt';
}

function multipartBody(request: FastifyRequest, body: Buffer): Promise<JobBody> {
  return new Promise((resolve, reject) => {
    const fields: JobBody = {};
    let busboy: BusboyInstance;
    try {
      busboy = new Busboy({
        headers: request.headers as { 'content-type': string },
        limits: {
          fields: MAX_FORM_FIELDS,
          fieldSize: MAX_FORM_FIELD_BYTES,
          files: 1,
          fileSize: MAX_BATCH_FILE_BYTES,
        },
      });
    } catch (error) {
      reject(badBody(`the multipart body cannot be read: ${(error as Error).message}`));
      return;
    }
    const reading: Promise<void>[] = [];
    busboy.on('field', (name: string, value: string, _nameTruncated: boolean, valueTruncated: boolean) => {
      if (valueTruncated) reject(badBody(`field ${name.slice(0, 40)} is too long`));
      else if (!(name in fields)) fields[name] = value;
    });
    busboy.on('file', (_name: string, stream: Readable & { truncated?: boolean }, fileName: string) => {
      const chunks: Buffer[] = [];
      reading.push(
        new Promise((done) => {
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            if (stream.truncated) reject(badBody(`a file is at most ${MAX_BATCH_FILE_BYTES} bytes`, 413));
            else fields[JOB_FILE] = { fileName: fileName || 'upload.txt', content: Buffer.concat(chunks) };
            done();
          });
        }),
      );
    });
    busboy.on('error', (error: Error) =>
      reject(badBody(`the multipart body cannot be read: ${error.message}`)),
    );
    busboy.on('finish', () => void Promise.all(reading).then(() => resolve(fields)));
    Readable.from([body]).pipe(busboy);
  });
}

/** The job routes' body parsers (their scope only): JSON, multipart, or a raw file. */
export function readJobBodies(scope: FastifyInstance): void {
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: MAX_JOB_BODY_BYTES },
    (request, text, done) => {
      const body = (text as string).trim();
      if (body === '') return done(null, undefined);
      if (nestsDeeperThan(body)) {
        return done(badBody(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      }
      parseJson(request, body, done);
    },
  );
  scope.removeContentTypeParser('multipart/form-data');
  scope.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: MAX_JOB_BODY_BYTES },
    async (request: FastifyRequest, body: string | Buffer) => multipartBody(request, body as Buffer),
  );
  for (const type of ['*', 'text/plain']) {
    scope.removeContentTypeParser(type);
    scope.addContentTypeParser(
      type,
      { parseAs: 'buffer', bodyLimit: MAX_JOB_BODY_BYTES },
      async (request: FastifyRequest, body: string | Buffer) => {
        const content = body as Buffer;
        if (content.length === 0) return undefined;
        return { [JOB_FILE]: { fileName: rawFileName(request, content), content } } satisfies JobBody;
      },
    );
  }
}

/** The file a parsed body carries, if any. */
export function jobFileOf(request: FastifyRequest): JobFile | undefined {
  const body = request.body;
  return body !== null && typeof body === 'object' ? (body as JobBody)[JOB_FILE] : undefined;
}
