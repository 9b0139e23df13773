/**
 * Live answers through the HTTP path, with real servers: mnpd B asking mnpd A (its qxt provider),
 * a fake provider for failures, coalescing and reloads, and two nodes sharing the answer cache.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor } from '../../service/operators/audit.js';
import { FAKE_QXT_APIKEY, FakeQxt } from '../../service/upstream/test-support/fake-qxt.js';
import { UpstreamsFileError } from '../../service/upstream/upstreams.js';
import { availableEngines } from '../../test-support/test-databases.js';
import { type TestServer, startTestServer } from '../../test-support/test-server.js';
import {
  BEIJING,
  FULL_FEED,
  GUANGZHOU_UNICOM,
  NO_DATA,
  SHANGHAI,
  SHENZHEN_TELECOM,
  TELECOM_VIRTUAL,
  YICHANG,
  allRecords,
} from '../test-support/fixtures.js';
import { type LookupBody, get, postJson } from '../test-support/http-client.js';
import { loggedInCustomer, loginFirstOperator } from '../console/test-support/console-users.js';
import type { BatchView } from '../../wire/console-api.js';

const dir = mkdtempSync(join(tmpdir(), 'mnpd-upstreams-'));
let files = 0;

/** Writes a providers file and returns its path. */
function providersFile(content: unknown): string {
  const path = join(dir, `upstreams-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function qxtProvider(name: string, url: string, apikey = FAKE_QXT_APIKEY, extra: object = {}) {
  return {
    name,
    kind: 'qxt',
    url,
    apikey,
    method: 'GET',
    balance: false,
    costFen: 3,
    timeoutMs: 500,
    ...extra,
  };
}

async function carrier(server: TestServer, apikey: string, mobile: string) {
  return (await get<LookupBody>(server.url, '/carrier', { apikey, mobile, ext: '1' })).body;
}

async function expectExactBilling(server: TestServer, accountId: number, opening: number, charged: number) {
  const { store } = server.server.deps;
  const account = await store.getAccount(accountId);
  expect(account!.balance).toBe(opening - charged);
  expect(await store.ledgerSum(accountId)).toBe(account!.balance);
}

for (const engine of availableEngines('upstream HTTP tests')) {
  describe(`mnpd B with mnpd A as its qxt provider (${engine})`, () => {
    let a: TestServer;
    let b: TestServer;
    let downstream: { account: { id: number }; apikey: string };
    let customer: { account: { id: number }; apikey: string };

    beforeAll(async () => {
      a = await startTestServer(engine);
      const feed = join(dir, `feed-${engine}.csv`);
      writeFileSync(feed, FULL_FEED);
      const end = await a.server.deps.portability.importFile(cliActor(), 'cli', {
        path: feed,
        fileName: 'feed.csv',
        kind: 'full',
        skipInvalid: false,
      });
      expect(end.ok).toBe(true);
      downstream = await a.account({ name: 'mnpd-b', balance: 100 });
      const file = providersFile({
        policy: 'cache-first',
        cacheTtl: '1h',
        providers: [qxtProvider('a', a.url, downstream.apikey)],
      });
      b = await startTestServer(engine, { MNPD_UPSTREAMS: file });
      customer = await b.account({ name: 'customer', balance: 50 });
    }, 60_000);
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    const aLog = async () => (await a.server.deps.store.queryLog(downstream.account.id)).rows.length;

    it('answers a number ported in A’s feeds as ported, then from its cache without asking A again', async () => {
      const first = await carrier(b, customer.apikey, YICHANG);
      expect(first).toMatchObject({
        code: 0,
        result: { res: '1', Init_isp: '移动', Now_isp: '联通', Area: '湖北-宜昌', source: 'upstream:a' },
      });
      expect(Date.parse(first.result!.checkedAt as string)).toBeGreaterThan(Date.now() - 60_000);
      expect(await aLog()).toBe(1);

      const second = await carrier(b, customer.apikey, YICHANG);
      expect(second.result).toMatchObject({ res: '1', Now_isp: '联通', source: 'cache:a' });
      expect(await aLog()).toBe(1);
      // Without ext the seed's shape is unchanged.
      const plain = (await get<LookupBody>(b.url, '/carrier', { apikey: customer.apikey, mobile: YICHANG }))
        .body;
      expect(Object.keys(plain.result!)).toEqual(['res', 'Mobile', 'Area', 'Init_isp', 'Now_isp']);
      expect(await aLog()).toBe(1);

      const records = await allRecords(b, customer.apikey);
      expect(records.map((row) => row.source)).toEqual(['cache:a', 'cache:a', 'upstream:a']);
      await expectExactBilling(b, customer.account.id, 50, 3);
    });

    it('never sends virtual-operator numbers upstream, and answers A’s -4 as -4 uncharged', async () => {
      const before = await aLog();
      expect((await carrier(b, customer.apikey, TELECOM_VIRTUAL)).result).toMatchObject({
        res: '3',
        source: 'segment',
      });
      expect(await aLog()).toBe(before);
      // A number without data is -4 on B itself: never asked.
      expect(await carrier(b, customer.apikey, NO_DATA)).toMatchObject({ code: -4 });
      expect(await aLog()).toBe(before);
    });

    it('keeps a local-only account’s numbers on the machine', async () => {
      const local = await b.account({ name: 'local-only', balance: 5 });
      await b.server.deps.store.updateAccount(local.account.id, { localOnly: true });
      b.server.deps.keys.invalidate();
      const before = await aLog();
      expect((await carrier(b, local.apikey, BEIJING)).result).toMatchObject({
        Now_isp: '移动',
        source: 'segment',
      });
      expect(await aLog()).toBe(before);
    });

    it('answers from batches through the same policy, one cache read for all', async () => {
      const before = await aLog();
      const answer = await postJson<{ code: number; result: LookupBody[] }>(b.url, '/carrier/batch', {
        apikey: customer.apikey,
        mobiles: [YICHANG, BEIJING],
        ext: 1,
      });
      const results = answer.body.result.map((body) => body.result);
      expect(results[0]).toMatchObject({ Now_isp: '联通', source: 'cache:a' });
      expect(results[1]).toMatchObject({ Now_isp: '电信', res: '1', source: 'upstream:a' });
      expect(await aLog()).toBe(before + 1);
    });

    it('shows the operator each provider, the cache and the answers by source (System → Upstreams)', async () => {
      const operator = await loginFirstOperator(b);
      const answer = await operator.get('/admin/upstreams');
      expect(answer.status).toBe(200);
      const view = answer.json();
      expect(view).toMatchObject({ configured: true, policy: 'cache-first' });
      expect(view.providers[0]).toMatchObject({ name: 'a', kind: 'qxt', state: 'closed', url: a.url });
      expect(view.providers[0].calls).toBeGreaterThanOrEqual(2);
      expect(view.cache.storeEntries).toBeGreaterThanOrEqual(2);
      expect(view.cache.hitRatio).toBeGreaterThan(0);
      expect(view.sources.cache).toBeGreaterThanOrEqual(3);
      expect(answer.text).not.toContain(downstream.apikey);
      const metrics = (await get(b.url, '/metrics')).text;
      expect(metrics).toMatch(/^mnpd_upstream_calls_total\{provider="a",outcome="answer"\} [1-9]/m);
      expect(metrics).toMatch(/^mnpd_upstream_cost_fen_total\{provider="a"\} [1-9]/m);
      expect(metrics).toMatch(/^mnpd_upstream_saved_fen_total [1-9]/m);
      expect(metrics).toMatch(/^mnpd_answers_by_source_total\{source="cache"\} [1-9]/m);
      expect(metrics).toMatch(/^mnpd_upstream_call_duration_seconds_count\{provider="a"\} [1-9]/m);
      expect(metrics).toMatch(/^mnpd_answer_cache_entries [1-9]/m);
      expect(metrics).toContain('mnpd_upstream_breaker_state{provider="a"} 0');
      expect(metrics).not.toContain(downstream.apikey);
      const local = await b.account({ name: 'console-local', balance: 0 });
      const patched = await operator.patch(`/admin/accounts/${local.account.id}`, { localOnly: true });
      expect(patched.json()).toMatchObject({ localOnly: true });
      expect((await operator.patch(`/admin/accounts/${local.account.id}`, { localOnly: 'yes' })).status).toBe(
        400,
      );
    });

    it('still answers a cached number with A stopped, and others from local data', async () => {
      const charged = (await b.server.deps.store.getAccount(customer.account.id))!.balance;
      await a.server.app.close();
      expect((await carrier(b, customer.apikey, YICHANG)).result).toMatchObject({
        Now_isp: '联通',
        source: 'cache:a',
      });
      expect((await carrier(b, customer.apikey, SHANGHAI)).result).toMatchObject({
        Now_isp: '移动',
        source: 'segment',
      });
      await expectExactBilling(b, customer.account.id, charged, 2);
    });
  });

  describe(`a fake provider in the path (${engine})`, () => {
    let fake: FakeQxt;
    beforeAll(async () => {
      fake = await FakeQxt.start({
        numbers: {
          [SHENZHEN_TELECOM]: { result: { res: '1', Init_isp: '电信', Now_isp: '移动', Area: '广东-深圳' } },
          [GUANGZHOU_UNICOM]: { code: -4 },
        },
      });
    });
    afterAll(() => fake.close());

    it('makes one upstream call for 100 concurrent queries of one number, and charges each once', async () => {
      fake.numbers.set(SHENZHEN_TELECOM, {
        result: { res: '1', Init_isp: '电信', Now_isp: '移动', Area: '广东-深圳' },
        delayMs: 1000,
      });
      const server = await startTestServer(engine, {
        MNPD_UPSTREAMS: providersFile({
          policy: 'realtime',
          providers: [qxtProvider('fake', fake.url, FAKE_QXT_APIKEY, { timeoutMs: 5000 })],
        }),
        MNPD_DEFAULT_QPS: '10000',
      });
      try {
        const { account, apikey } = await server.account({ name: 'burst', balance: 1001 });
        // Warm the key cache and the connections: the 100 then arrive within the provider's second.
        await carrier(server, apikey, SHANGHAI);
        const calls = fake.carrierCalls;
        const answers = await Promise.all(
          Array.from({ length: 100 }, () => carrier(server, apikey, SHENZHEN_TELECOM)),
        );
        expect(fake.carrierCalls - calls).toBe(1);
        expect(answers.every((body) => body.code === 0 && body.result!.Now_isp === '移动')).toBe(true);
        await expectExactBilling(server, account.id, 1001, 101);
        // A provider's -4 is the customer's -4, uncharged, and logged with its source.
        expect(await carrier(server, apikey, GUANGZHOU_UNICOM)).toMatchObject({ code: -4 });
        await expectExactBilling(server, account.id, 1001, 101);
        const [row] = await allRecords(server, apikey, 1);
        expect(row).toMatchObject({ code: -4, source: 'upstream:fake' });
      } finally {
        await server.close();
      }
    });

    it('never passes the operator’s trouble to the customer; -8 uncharged with onFailure error', async () => {
      const file = providersFile({
        policy: 'realtime',
        onFailure: 'error',
        providers: [qxtProvider('badkey', fake.url, 'f'.repeat(32))],
      });
      const server = await startTestServer(engine, { MNPD_UPSTREAMS: file });
      try {
        const { account, apikey } = await server.account({ name: 'strict', balance: 10 });
        const body = await carrier(server, apikey, SHANGHAI);
        expect(body.code).toBe(-8);
        await expectExactBilling(server, account.id, 10, 0);
        const { upstreams, metrics } = server.server.deps;
        expect(upstreams.alerts.map((alert) => [alert.provider, alert.reason])).toEqual([
          ['badkey', 'bad-key'],
        ]);
        expect(upstreams.gateway!.stats().providers[0].breaker).toBe('open');
        const exposition = await metrics.registry.metrics();
        expect(exposition).toContain('mnpd_upstream_alerts_total{provider="badkey",reason="bad-key"} 1');
        expect(exposition).toContain('mnpd_upstream_breaker_state{provider="badkey"} 2');
        expect(exposition).not.toContain('f'.repeat(32));
      } finally {
        await server.close();
      }
    });

    it('runs console batch jobs through the same policy, waiting for the provider’s budget', async () => {
      const file = providersFile({
        policy: 'cache-first',
        providers: [qxtProvider('jobs', fake.url, FAKE_QXT_APIKEY, { maxQps: 2 })],
      });
      const server = await startTestServer(engine, { MNPD_UPSTREAMS: file });
      try {
        fake.numbers.set(SHENZHEN_TELECOM, {
          result: { res: '1', Init_isp: '电信', Now_isp: '移动', Area: '广东-深圳' },
        });
        const customer = await loggedInCustomer(server, { balance: 100 });
        const calls = fake.carrierCalls;
        const upload = await customer.client.postFile(
          '/me/batches',
          'file',
          'jobs.txt',
          [SHENZHEN_TELECOM, GUANGZHOU_UNICOM, SHANGHAI, BEIJING, TELECOM_VIRTUAL].join('\n'),
        );
        const { id } = upload.json<BatchView>();
        expect((await customer.client.post(`/me/batches/${id}/start`)).status).toBe(200);
        let view: BatchView;
        const deadline = Date.now() + 20_000;
        do {
          await new Promise((resolve) => setTimeout(resolve, 50));
          view = (await customer.client.get(`/me/batches/${id}`)).json<BatchView>();
        } while (view.status !== 'done' && Date.now() < deadline);
        expect(view.status).toBe('done');
        // Four numbers asked at 2 a second (the virtual one never goes), none refused for budget;
        // the provider's -4 is uncharged.
        expect(fake.carrierCalls - calls).toBe(4);
        expect(view.charged).toBe(4);
        const records = (await customer.client.get('/me/records?limit=10')).json<{
          rows: { mobile: string; code: number; nowIsp: string | null; source: string | null }[];
        }>().rows;
        const byMobile = new Map(records.map((row) => [row.mobile, row]));
        expect(byMobile.get(SHENZHEN_TELECOM)).toMatchObject({
          code: 0,
          nowIsp: '移动',
          source: 'upstream:jobs',
        });
        expect(byMobile.get(GUANGZHOU_UNICOM)).toMatchObject({ code: -4, source: 'upstream:jobs' });
        expect(byMobile.get(TELECOM_VIRTUAL)).toMatchObject({ code: 0, source: 'segment' });
        await expectExactBilling(server, customer.account.id, 100, 4);
      } finally {
        await server.close();
      }
    }, 60_000);

    it('refuses to start on a bad providers file, one line per mistake', async () => {
      const file = providersFile({
        policy: 'sometimes',
        providers: [{ name: 'x', kind: 'qxt', url: 'nope' }],
      });
      const failure = await startTestServer(engine, { MNPD_UPSTREAMS: file }).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(UpstreamsFileError);
      const { errors } = failure as UpstreamsFileError;
      expect(errors.length).toBeGreaterThanOrEqual(3);
      expect(errors.join('\n')).toMatch(/policy/);
      expect(errors.join('\n')).toMatch(/providers\[0\] \(x\): url/);
    });

    it('reloads the providers file (SIGHUP) and keeps the old providers when the new file is bad', async () => {
      const file = providersFile({ policy: 'cache-first', providers: [qxtProvider('first', fake.url)] });
      const server = await startTestServer(engine, { MNPD_UPSTREAMS: file });
      try {
        const names = () => server.server.deps.upstreams.gateway!.describe().map((p) => p.name);
        writeFileSync(
          file,
          JSON.stringify({ policy: 'cache-first', providers: [qxtProvider('second', fake.url)] }),
        );
        await server.server.reloadUpstreams();
        expect(names()).toEqual(['second']);
        writeFileSync(file, '{"policy": "cache-first", "providers": [');
        await server.server.reloadUpstreams();
        expect(names()).toEqual(['second']);
      } finally {
        await server.close();
      }
    });
  });
}

describe.skipIf(!availableEngines('upstream cluster test').includes('postgres'))(
  'two nodes on PostgreSQL share the answer cache',
  () => {
    it('answers on node 2 from node 1’s upstream answer without calling upstream', async () => {
      const fake = await FakeQxt.start({
        numbers: { [SHENZHEN_TELECOM]: { result: { res: '1', Init_isp: '电信', Now_isp: '联通' } } },
      });
      const file = providersFile({ policy: 'cache-first', providers: [qxtProvider('shared', fake.url)] });
      const one = await startTestServer('postgres', { MNPD_UPSTREAMS: file });
      const two = await startTestServer('sqlite', {
        MNPD_UPSTREAMS: file,
        DATABASE_URL: one.config.databaseUrl!,
      });
      try {
        const { apikey } = await one.account({ name: 'cluster', balance: 10 });
        expect((await carrier(one, apikey, SHENZHEN_TELECOM)).result).toMatchObject({
          source: 'upstream:shared',
        });
        expect(fake.carrierCalls).toBe(1);
        expect((await carrier(two, apikey, SHENZHEN_TELECOM)).result).toMatchObject({
          Now_isp: '联通',
          source: 'cache:shared',
        });
        expect(fake.carrierCalls).toBe(1);
      } finally {
        await two.close();
        await one.close();
        await fake.close();
      }
    }, 60_000);
  },
);
