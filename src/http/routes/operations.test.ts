import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortedDatabase } from '../../data/ported-database.js';
import { type TestServer, startTestServer } from '../../test-support/test-server.js';
import { hashPassword } from '../../service/operators/passwords.js';
import {
  BEIJING,
  YICHANG,
  YICHANG_ANSWER,
  codeOnly,
  seedAnswer,
  uniqueName,
  unknownApikey,
} from '../test-support/fixtures.js';
import { type LookupBody, get, postJson, request } from '../test-support/http-client.js';

let server: TestServer;
/** Accepts bodies up to 1024 bytes. */
let small: TestServer;

beforeAll(async () => {
  [server, small] = await Promise.all([
    startTestServer('sqlite'),
    startTestServer('sqlite', { MNPD_BODY_LIMIT: '1024' }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.close(), small?.close()]);
});

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('health and readiness', () => {
  it('/healthz answers ok', async () => {
    const answer = await get(server.url, '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
  });

  it('/healthz answers HEAD probes, while HEAD on a charged endpoint is refused', async () => {
    expect((await fetch(`${server.url}/healthz`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${server.url}/carrier?mobile=13972565391`, { method: 'HEAD' })).status).toBe(404);
  });

  it('/readyz answers ready with the data versions', async () => {
    const answer = await get(server.url, '/readyz');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'ready',
      segments: { version: '2502', count: 7, versionId: null, overrides: 0 },
      ported: { version: 'empty', count: 0, lastSeq: 0 },
    });
  });
});

describe('/metrics', () => {
  it('counts answers by endpoint and code in Prometheus text', async () => {
    const { apikey } = await server.account({ name: uniqueName('metrics'), qpsLimit: 10_000 });
    const before = await get(server.url, '/metrics');
    const count = (text: string, endpoint: string, code: number) =>
      Number(
        new RegExp(`^mnpd_requests_total\\{endpoint="${endpoint}",code="${code}"\\} (\\d+)$`, 'm').exec(
          text,
        )?.[1] ?? 0,
      );
    await get(server.url, '/carrier', { apikey, mobile: YICHANG });
    await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'metrics-1' });
    // A replay answers 0 again but is not a second charge.
    await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'metrics-1' });
    await get(server.url, '/carrier', { apikey: unknownApikey(), mobile: YICHANG });
    await get(server.url, '/carrier', { apikey, mobile: '123' });
    await get(server.url, '/balance', { apikey });
    const answer = await get(server.url, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = answer.text;
    expect(text).toContain('# TYPE mnpd_requests_total counter');
    expect(count(text, 'carrier', 0) - count(before.text, 'carrier', 0)).toBe(3);
    expect(count(text, 'carrier', -1) - count(before.text, 'carrier', -1)).toBe(1);
    expect(count(text, 'carrier', -2) - count(before.text, 'carrier', -2)).toBe(1);
    expect(count(text, 'balance', 0) - count(before.text, 'balance', 0)).toBe(1);
    expect(text).toMatch(/^mnpd_data_version_info\{data="segments",version="2502"\} 1$/m);
    expect(text).toMatch(/^mnpd_segments_version_info\{version="default",data_version="2502"\} 1$/m);
    expect(text).toMatch(/^mnpd_ported_numbers 0$/m);
    const charges = (body: string) => Number(/^mnpd_charges_total (\d+)$/m.exec(body)?.[1]);
    expect(charges(text) - charges(before.text)).toBe(2);
  });
});

describe('documentation', () => {
  it('/openapi.json is a valid OpenAPI document listing the endpoints', async () => {
    const answer = await get(server.url, '/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    const doc = JSON.parse(answer.text) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/carrier', '/balance', '/isp', '/carrier/batch', '/records', '/qxt_test']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(Object.keys(doc.paths['/carrier']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/carrier/batch'])).toEqual(['post']);
    // Signed requests: the X-Ca-* headers are documented on the endpoints that take them.
    const carrier = doc.paths['/carrier'].get as { parameters: { name: string; in: string }[] };
    expect(carrier.parameters.filter((p) => p.in === 'header').map((p) => p.name)).toEqual([
      'x-ca-key',
      'x-ca-timestamp',
      'x-ca-nonce',
      'x-ca-signature-headers',
      'x-ca-signature',
    ]);
    expect(answer.text).toContain('-10 签名校验失败');
  });

  it('/docs answers 200 with the HTML page', async () => {
    const answer = await get(server.url, '/docs');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/html; charset=utf-8');
    expect(answer.text).toContain('Swagger UI');
  });
});

describe('transport-level answers', () => {
  it('answers an unknown path with 404 and a code body', async () => {
    for (const init of [{}, { method: 'POST' }]) {
      const answer = await request(server.url, '/nope?apikey=x', init);
      expect(answer.status).toBe(404);
      expect(answer.contentType).toBe('application/json; charset=utf-8');
      expect(answer.body).toEqual({
        ...codeOnly(1),
        message: `no such endpoint: ${init.method ?? 'GET'} /nope`,
      });
    }
  });

  it('answers an oversized body with 413 and a code body, charging nothing', async () => {
    const { account, apikey } = await small.account({ name: uniqueName('big') });
    const answer = await postJson(small.url, '/carrier', {
      apikey,
      mobile: YICHANG,
      padding: 'x'.repeat(2000),
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ ...codeOnly(1), message: 'request body too large' });
    expect(await small.server.deps.store.ledgerSum(account.id)).toBe(100);
    // Just under the limit is answered.
    const fits = await postJson(small.url, '/carrier', { apikey, mobile: YICHANG, padding: 'x'.repeat(900) });
    expect(fits.status).toBe(200);
    expect(fits.body).toEqual(YICHANG_ANSWER);
  });
});

describe('POST /admin/ported/reload', () => {
  it('refuses without operator credentials', async () => {
    await server.server.deps.store.createOperator('ops-refuse', await hashPassword('right'));
    for (const authorization of [
      undefined,
      'Basic',
      'Basic !!!',
      basic('ops-refuse', 'wrong'),
      basic('nobody', 'right'),
      `Bearer ${Buffer.from('ops-refuse:right').toString('base64')}`,
      `Basic ${Buffer.from('ops-refuse').toString('base64')}`,
    ]) {
      const answer = await request(server.url, '/admin/ported/reload', {
        method: 'POST',
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Basic realm="mnpd"');
      expect(answer.body).toEqual(codeOnly(-1));
    }
    // A customer's apikey is no operator password.
    const { apikey } = await server.account({ name: uniqueName('not-ops') });
    const asCustomer = await request(server.url, '/admin/ported/reload', {
      method: 'POST',
      headers: { authorization: basic('demo', apikey) },
    });
    expect(asCustomer.status).toBe(401);
    // Nor is a customer's console password, though it logs the customer in to the console.
    await server.server.deps.store.setAccountPassword(
      (await server.server.deps.store.getAccountByName('demo'))!.id,
      await hashPassword('customer-password'),
    );
    const customerLogin = await request(server.url, '/admin/ported/reload', {
      method: 'POST',
      headers: { authorization: basic('demo', 'customer-password') },
    });
    expect(customerLogin.status).toBe(401);
    expect(customerLogin.body).toEqual(codeOnly(-1));
  });

  it('locks an operator name out after 5 wrong passwords, as the console login does', async () => {
    await server.server.deps.store.createOperator('ops-lock', await hashPassword('the-right-one'));
    const attempt = (password: string) =>
      request(server.url, '/admin/ported/reload', {
        method: 'POST',
        headers: { authorization: basic('ops-lock', password) },
      });
    for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
    const locked = await attempt('the-right-one');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.body).toMatchObject({ code: -6, reason: '请求过于频繁' });
  });

  it('loads a snapshot written beside the server, and lookups answer with it', async () => {
    await server.server.deps.store.createOperator('ops', await hashPassword('s3cret-pass'));
    const { apikey } = await server.account({ name: uniqueName('reload'), qpsLimit: 10_000 });
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(YICHANG_ANSWER);

    // Another process (here: another handle on the same data directory) writes a new snapshot.
    const writer = await PortedDatabase.open(server.dataDir);
    const feed = join(server.dataDir, 'full-feed.csv');
    writeFileSync(feed, `mobile,carrier,ported_at\n${YICHANG},电信,2024-03-01\n${BEIJING},联通,2023-11-20\n`);
    const written = await writer.importFull(feed, { seq: 7 });
    const version = written.state.meta.dataVersion;
    // Not seen before the reload.
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(YICHANG_ANSWER);

    const answer = await request(server.url, '/admin/ported/reload', {
      method: 'POST',
      headers: { authorization: basic('ops', 's3cret-pass') },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ code: 0, reason: 'Succ', result: { version, count: 2, lastSeq: 7 } });

    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(
      seedAnswer(YICHANG, '湖北-宜昌', '移动', '1', '电信'),
    );
    expect((await get(server.url, '/carrier', { apikey, mobile: BEIJING })).body).toEqual(
      seedAnswer(BEIJING, '北京-北京', '移动', '1', '联通'),
    );
    const ext = await get<LookupBody>(server.url, '/carrier', { apikey, mobile: YICHANG, ext: '1' });
    expect(ext.body.result).toMatchObject({
      res: '1',
      Init_isp: '移动',
      Now_isp: '电信',
      portedAt: '2024-03-01',
      dataVersion: { segments: '2502', ported: version },
    });
    // The free trial and readiness see the same data.
    expect((await get(server.url, '/qxt_test', { mobile: YICHANG })).body).toEqual(
      seedAnswer(YICHANG, '湖北-宜昌', '移动', '1', '电信'),
    );
    expect((await get(server.url, '/readyz')).body).toEqual({
      status: 'ready',
      segments: { version: '2502', count: 7, versionId: null, overrides: 0 },
      ported: { version, count: 2, lastSeq: 7 },
    });
    expect((await get(server.url, '/metrics')).text).toMatch(/^mnpd_ported_numbers 2$/m);
  });
});
