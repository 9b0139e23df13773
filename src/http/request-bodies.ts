/**
 * How the API reads request bodies. The seed's clients send their form in every way seen in the
 * wild: urlencoded, JSON, `text/plain`, no Content-Type at all, or multipart; each is read as the
 * parameters it spells. JSON may not nest deeper than any request of the contract does.
 */
import { parse as parseQueryString } from 'node:querystring';
import { Readable } from 'node:stream';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';
import { keepRawBodyIfSigned } from './raw-bodies.js';

/** Fields of a multipart body; a field longer than this is cut by the parser and refused here. */
const MAX_MULTIPART_FIELDS = 50;
const MAX_MULTIPART_FIELD_BYTES = 64 * 1024;

/** A client's mistake in its body, answered as a missing parameter (code 1) by the app. */
function badBody(message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode: 400 });
}

/** JSON as Fastify reads it (refusing `__proto__` keys), once its depth is known to be sane. */
function jsonReader(app: FastifyInstance): (request: FastifyRequest, text: string) => Promise<unknown> {
  const parse = app.getDefaultJsonParser('error', 'error');
  return (request, text) =>
    new Promise((resolve, reject) => {
      if (nestsDeeperThan(text)) {
        reject(badBody(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`));
        return;
      }
      parse(request, text, (error, value) => (error ? reject(error) : resolve(value)));
    });
}

/** A body whatever its Content-Type says: JSON when it looks like JSON, else a form. */
function formShaped(
  readJson: (request: FastifyRequest, text: string) => Promise<unknown>,
): (request: FastifyRequest, text: string) => Promise<unknown> {
  return async (request, text) => {
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) return readJson(request, trimmed);
    return { ...parseQueryString(trimmed) };
  };
}

/** The fields of a multipart form; files are read past and left out. */
function multipartFields(request: FastifyRequest, body: Buffer): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let busboy: BusboyInstance;
    try {
      busboy = new Busboy({
        headers: request.headers as { 'content-type': string },
        limits: { fields: MAX_MULTIPART_FIELDS, fieldSize: MAX_MULTIPART_FIELD_BYTES, files: 0 },
      });
    } catch (error) {
      reject(badBody(`the multipart body cannot be read: ${(error as Error).message}`));
      return;
    }
    busboy.on('field', (name: string, value: string, _nameTruncated: boolean, valueTruncated: boolean) => {
      if (valueTruncated)
        reject(badBody(`field ${name.slice(0, 40)} is longer than ${MAX_MULTIPART_FIELD_BYTES} bytes`));
      else if (!(name in fields)) fields[name] = value;
    });
    busboy.on('file', (_name: string, stream: Readable) => stream.resume());
    busboy.on('error', (error: Error) =>
      reject(badBody(`the multipart body cannot be read: ${error.message}`)),
    );
    busboy.on('finish', () => resolve(fields));
    Readable.from([body]).pipe(busboy);
  });
}

/**
 * Every scope's JSON: an empty body (clients that set the header on every request and put the
 * parameters in the query string) is no body, a body nested too deep a client's mistake.
 */
export function readJsonBodies(app: FastifyInstance): void {
  const readJson = jsonReader(app);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    async (request: FastifyRequest, body: string | Buffer) => {
      keepRawBodyIfSigned(request, body);
      return (body as string).trim() === '' ? undefined : readJson(request, body as string);
    },
  );
}

/**
 * The API's own scope: a multipart form's fields, and any other body read as a form (or JSON).
 * The console's scope has its own multipart parser, for uploads.
 */
export function readApiBodies(api: FastifyInstance): void {
  const readForm = formShaped(jsonReader(api));
  api.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer' },
    async (request: FastifyRequest, body: string | Buffer) => {
      keepRawBodyIfSigned(request, body);
      return multipartFields(request, body as Buffer);
    },
  );
  // Fastify reads text/plain as a string of its own; here it is a form like any other body.
  for (const type of ['*', 'text/plain']) {
    api.removeContentTypeParser(type);
    api.addContentTypeParser(
      type,
      { parseAs: 'string' },
      async (request: FastifyRequest, body: string | Buffer) => {
        keepRawBodyIfSigned(request, body);
        return readForm(request, body as string);
      },
    );
  }
}
