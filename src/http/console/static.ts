import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The built single-page console (`npm run build` puts it in dist/console): its files under
 * /console/, and index.html for every other page path, since the client routes them itself.
 */

/**
 * dist/http/console/static.js serves dist/console; run from the TypeScript sources (tests, tsx)
 * it serves the same build, never src/console (the front end's sources).
 */
export function defaultConsoleRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return import.meta.url.endsWith('.ts')
    ? resolve(here, '../../../dist/console')
    : resolve(here, '../../console');
}

/** The client may frame nothing, load scripts only from us; antd writes inline styles. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Vite names what it puts in assets/ by content hash: a changed file gets a new name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mnpd console</title></head>
<body><h1>The mnpd console is not built</h1>
<p>Build it with <code>npm run build</code> in the mnpd directory and reload this page.
The API at <code>/console/api/</code> works without it.</p></body></html>
`;

function pageHeaders(reply: FastifyReply): void {
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
}

/** A last path segment with a dot names a file; anything else is a page of the client. */
function namesFile(path: string): boolean {
  return (path.split('/').pop() ?? '').includes('.');
}

export async function consoleStatic(app: FastifyInstance, options: { root?: string } = {}): Promise<void> {
  const root = options.root ?? defaultConsoleRoot();
  const assets = resolve(root, 'assets') + sep;
  await app.register(
    async (scope) => {
      await scope.register(fastifyStatic, {
        root,
        serve: false,
        cacheControl: false,
        setHeaders: (reply, path) => {
          reply.header('cache-control', path.startsWith(assets) ? IMMUTABLE : REVALIDATE);
        },
      });
      scope.addHook('onRequest', async (_request, reply) => pageHeaders(reply));

      scope.route({
        method: 'GET',
        url: '/',
        prefixTrailingSlash: 'no-slash',
        handler: (_request, reply) => reply.redirect('/console/', 302),
      });
      scope.get('/*', async (request, reply) => {
        const path = (request.params as { '*': string })['*'];
        // The API's own paths never get a page, even where no API route matches.
        if (path === 'api' || path.startsWith('api/')) {
          return reply.code(404).send({ error: { code: 'not_found', message: 'no such API path' } });
        }
        if (!existsSync(resolve(root, 'index.html'))) {
          if (namesFile(path)) return reply.callNotFound();
          return reply
            .type('text/html; charset=utf-8')
            .header('cache-control', REVALIDATE)
            .send(NOT_BUILT_PAGE);
        }
        if (namesFile(path)) return reply.sendFile(path);
        return reply.header('cache-control', REVALIDATE).sendFile('index.html');
      });
      scope.setNotFoundHandler((_request, reply) =>
        reply.code(404).type('text/plain; charset=utf-8').send('not found\n'),
      );
    },
    { prefix: '/console' },
  );
}
