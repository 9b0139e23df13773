import { request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../test-support/test-server.js';
import { request } from '../test-support/http-client.js';
import { consoleStatic } from './static.js';

const INDEX =
  '<!doctype html><html><body><div id="root"></div><script src="/console/assets/index-Bx9a.js"></script></body></html>';

/** The console's pages alone, served from `root`, on a real port. */
function pagesFrom(root: () => string): { url: () => string } {
  let app: FastifyInstance | undefined;
  let url = '';
  beforeAll(async () => {
    app = Fastify({ exposeHeadRoutes: false });
    await consoleStatic(app, { root: root() });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
  });
  return { url: () => url };
}

/** A GET with the path sent exactly as written (fetch would resolve `..` and `%2e%2e` first). */
function rawGet(url: string, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { path }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

function expectPageHeaders(headers: Headers): void {
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self' 'unsafe-inline'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
}

describe('a built console', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnpd-console-'));
  const root = join(dir, 'console');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, 'assets', 'index-Bx9a.js'), 'console.log("console")');
  writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, 'secret.txt'), 'not for the web');
  const pages = pagesFrom(() => root);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('redirects /console to /console/', async () => {
    const answer = await request(pages.url(), '/console');
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/console/');
  });

  it('answers index.html for / and every client route, never cached without revalidation', async () => {
    for (const path of [
      '/console/',
      '/console/login',
      '/console/batches/12',
      '/console/admin/accounts/3?tab=keys',
    ]) {
      const answer = await request(pages.url(), path);
      expect(answer.status, path).toBe(200);
      expect(answer.text).toBe(INDEX);
      expect(answer.contentType).toBe('text/html; charset=utf-8');
      expect(answer.headers.get('cache-control')).toBe('no-cache');
      expectPageHeaders(answer.headers);
    }
  });

  it('serves hashed assets as immutable and other files revalidated', async () => {
    const script = await request(pages.url(), '/console/assets/index-Bx9a.js');
    expect(script.status).toBe(200);
    expect(script.text).toBe('console.log("console")');
    expect(script.contentType).toMatch(/^(application|text)\/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const icon = await request(pages.url(), '/console/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers 404 for a missing file rather than the page', async () => {
    const answer = await request(pages.url(), '/console/assets/index-gone.js');
    expect(answer.status).toBe(404);
    expect(answer.text).not.toContain('<html');
  });

  it('answers API paths with a JSON 404, never the page', async () => {
    for (const path of ['/console/api', '/console/api/anything']) {
      const answer = await request(pages.url(), path);
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('serves nothing outside its directory', async () => {
    for (const path of [
      '/console/../secret.txt',
      '/console/..%2fsecret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/assets/..%2f..%2fsecret.txt',
    ]) {
      const answer = await rawGet(pages.url(), path);
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.text).not.toContain('not for the web');
    }
  });
});

describe('a console that was not built', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnpd-console-'));
  const pages = pagesFrom(() => join(dir, 'missing'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a page that says how to build it, for every client route', async () => {
    for (const path of ['/console/', '/console/records']) {
      const answer = await request(pages.url(), path);
      expect(answer.status).toBe(200);
      expect(answer.contentType).toBe('text/html; charset=utf-8');
      expect(answer.text).toContain('not built');
      expect(answer.text).toContain('npm run build');
      expectPageHeaders(answer.headers);
    }
    expect((await request(pages.url(), '/console/assets/index.js')).status).toBe(404);
  });
});

describe('the console in the server', () => {
  const server = serverForThisFile();

  it('serves its pages next to the API, whether or not the front end was built', async () => {
    const redirect = await request(server.url, '/console');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/console/');
    const page = await request(server.url, '/console/login');
    expect(page.status).toBe(200);
    expect(page.contentType).toBe('text/html; charset=utf-8');
    expectPageHeaders(page.headers);
  });

  it('leaves the seed API as it was', async () => {
    const answer = await request(server.url, '/nope');
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ code: 1 });
  });
});
