/**
 * Bulk jobs over the API against a real server, with a real HTTP client (fetch) and a callback
 * receiver on 127.0.0.1 that verifies every signature; on SQLite and PostgreSQL.
 */
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_COLUMNS } from '../../service/batches/batch-export.js';
import { rotateCallbackSecret } from '../../service/callbacks/callback-secrets.js';
import { cliActor } from '../../service/operators/audit.js';
import { availableEngines } from '../../test-support/test-databases.js';
import { serverForThisFile } from '../../test-support/test-server.js';
import {
  BEIJING,
  GUANGZHOU_UNICOM,
  NOT_MOBILE,
  NO_DATA,
  TOO_SHORT,
  YICHANG,
  uniqueName,
} from '../test-support/fixtures.js';
import { type CallbackReceiver, startCallbackReceiver } from '../test-support/callback-receiver.js';

interface JobBody {
  code: number;
  reason: string;
  message?: string;
  result?: Record<string, unknown> & { jobId: string; status: string };
}

const ENDED = ['done', 'stopped', 'cancelled'];

for (const engine of availableEngines('jobs API tests')) {
  describe(`/jobs on ${engine}`, () => {
    const server = serverForThisFile(engine, {
      MNPD_CALLBACK_ALLOW: '127.0.0.1/32',
      MNPD_CALLBACK_FIRST_RETRY_MS: '100',
      MNPD_CALLBACK_POLL_MS: '50',
    });
    let receiver: CallbackReceiver;

    beforeAll(async () => {
      receiver = await startCallbackReceiver();
    });
    afterAll(async () => {
      await receiver?.close();
    });

    async function customer(balance = 100) {
      const opened = await server.account({ name: uniqueName('jobs'), balance, qpsLimit: 10_000 });
      const secret = await rotateCallbackSecret(server.server.deps.store, cliActor(), opened.account.id);
      return { ...opened, secret };
    }

    async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as JobBody };
    }

    async function finished(apikey: string, jobId: string) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const { body } = await call('GET', `/jobs/${jobId}?apikey=${apikey}`);
        if (ENDED.includes(body.result!.status)) return body.result!;
        if (Date.now() > deadline) throw new Error(`job ${jobId} is still ${body.result!.status}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    async function callbackHistory(accountId: number, jobId: string, status = 'delivered') {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const history = await server.server.deps.batches.callbacks(accountId, Number(jobId));
        if (history?.delivery.status === status) return history;
        if (Date.now() > deadline) throw new Error(`callback of job ${jobId}: ${history?.delivery.status}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    it('runs a JSON job, bills exactly its code-0 answers, and calls back signed', async () => {
      const { account, apikey, secret } = await customer();
      receiver.setSecret(secret);
      const submitted = await call('POST', '/jobs', {
        apikey,
        mobiles: [
          YICHANG,
          BEIJING,
          `+86 ${BEIJING}`,
          TOO_SHORT,
          NOT_MOBILE,
          NO_DATA,
          GUANGZHOU_UNICOM,
          13800138000,
        ],
        requestId: 'order-1',
        callbackUrl: receiver.url,
      });
      expect(submitted).toMatchObject({
        status: 200,
        body: {
          code: 0,
          reason: 'Succ',
          result: { status: 'queued', total: 6, invalid: 2, duplicates: 2, created: true },
        },
      });
      const { jobId } = submitted.body.result!;
      const done = await finished(apikey, jobId);
      expect(done).toMatchObject({
        jobId,
        status: 'done',
        total: 6,
        processed: 6,
        charged: 3,
        progress: 1,
        counts: { '0': 3, '-2': 1, '-3': 1, '-4': 1 },
        requestId: 'order-1',
        callbackUrl: receiver.url,
      });
      // Charged = the code-0 answers, in the balance and the ledger alike.
      const after = await server.server.deps.store.getAccount(account.id);
      expect(after!.balance).toBe(97);
      expect(await server.server.deps.store.ledgerSum(account.id)).toBe(97);

      const [callback] = await receiver.waitFor(jobId, 1);
      expect(callback.verified).toBe(true);
      expect(callback.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(callback.eventId).toBe(callback.event.id);
      expect(callback.event).toMatchObject({
        type: 'job.finished',
        data: {
          jobId,
          requestId: 'order-1',
          status: 'done',
          total: 6,
          charged: 3,
          counts: { '0': 3, '-2': 1, '-3': 1, '-4': 1 },
          resultsUrl: `${server.url}/jobs/${jobId}/results`,
        },
      });
      const history = await callbackHistory(account.id, jobId);
      expect(history.attempts).toMatchObject([{ attempt: 1, outcome: 'delivered', httpStatus: 200 }]);
    });

    it('answers a retried requestId with the first job, creating no second one', async () => {
      const { account, apikey } = await customer();
      const first = await call('POST', '/jobs', { apikey, mobiles: [YICHANG], requestId: 'same' });
      const again = await call('POST', '/jobs', { apikey, mobiles: [BEIJING, YICHANG], requestId: 'same' });
      expect(again.body.result).toMatchObject({ jobId: first.body.result!.jobId, total: 1, created: false });
      const both = await Promise.all([
        call('POST', '/jobs', { apikey, mobiles: [YICHANG], requestId: 'raced' }),
        call('POST', '/jobs', { apikey, mobiles: [YICHANG], requestId: 'raced' }),
      ]);
      expect(both[0].body.result!.jobId).toBe(both[1].body.result!.jobId);
      const listed = await call('GET', `/jobs?apikey=${apikey}`);
      expect((listed.body.result!.jobs as unknown[]).length).toBe(2);
      await finished(apikey, first.body.result!.jobId);
      await finished(apikey, both[0].body.result!.jobId);
      // Two jobs of one number each: two charges, not three.
      expect((await server.server.deps.store.getAccount(account.id))!.balance).toBe(98);
    });

    it('reads a file body as multipart and as raw bytes (txt, csv, xlsx)', async () => {
      const { apikey } = await customer();
      const form = new FormData();
      form.set('apikey', apikey);
      form.set('file', new Blob([`手机号\n${YICHANG}\n${BEIJING}\n`]), 'numbers.txt');
      const multipart = await fetch(`${server.url}/jobs`, { method: 'POST', body: form });
      expect(await multipart.json()).toMatchObject({ code: 0, result: { total: 2, status: 'queued' } });

      const csv = await fetch(`${server.url}/jobs?apikey=${apikey}`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: `name,mobile\nA,${YICHANG}\nB,${GUANGZHOU_UNICOM}\nC,${TOO_SHORT}\n`,
      });
      expect(await csv.json()).toMatchObject({ code: 0, result: { total: 3, invalid: 1 } });

      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('numbers');
      sheet.addRow(['mobile']);
      for (const mobile of [YICHANG, BEIJING, GUANGZHOU_UNICOM, BEIJING]) sheet.addRow([mobile]);
      const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
      const raw = await fetch(`${server.url}/jobs?apikey=${apikey}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: xlsx,
      });
      const body = (await raw.json()) as JobBody;
      expect(body).toMatchObject({ code: 0, result: { total: 3, duplicates: 1 } });
      expect((await finished(apikey, body.result!.jobId)).charged).toBe(3);
    });

    it('streams results as CSV, XLSX and JSON lines, formula-looking cells neutralised', async () => {
      const { apikey } = await customer();
      const submitted = await call('POST', '/jobs', {
        apikey,
        mobiles: [YICHANG, '=HYPERLINK("x")', NO_DATA],
      });
      const { jobId } = submitted.body.result!;
      await finished(apikey, jobId);

      const csv = await fetch(`${server.url}/jobs/${jobId}/results?apikey=${apikey}&format=csv`);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const rows = parse((await csv.text()).replace(/^\uFEFF/, '')) as string[][];
      expect(rows[0]).toEqual(RESULT_COLUMNS);
      expect(rows.slice(1).map((row) => row.slice(0, 3))).toEqual([
        [YICHANG, '0', 'Succ'],
        [`'=HYPERLINK("x")`, '-2', '查询的手机号码长度不对'],
        [NO_DATA, '-4', '未查询到相关信息'],
      ]);

      const jsonl = await fetch(`${server.url}/jobs/${jobId}/results?apikey=${apikey}&format=jsonl`);
      const lines = (await jsonl.text())
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatchObject({ mobile: YICHANG, code: 0, reason: 'Succ', area: '湖北-宜昌' });
      expect(lines[2]).toEqual({ mobile: NO_DATA, code: -4, reason: '未查询到相关信息' });

      const xlsx = await fetch(`${server.url}/jobs/${jobId}/results?apikey=${apikey}&format=xlsx`);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(await xlsx.arrayBuffer());
      expect(workbook.worksheets[0].getRow(2).getCell(1).value).toBe(YICHANG);
      expect(workbook.worksheets[0].rowCount).toBe(4);

      expect((await call('GET', `/jobs/${jobId}/results?apikey=${apikey}&format=pdf`)).body.code).toBe(1);
    });

    it('cancels a running job, keeping what was charged, and calls back its cancellation', async () => {
      const { account, apikey, secret } = await customer(200_000);
      receiver.setSecret(secret);
      const mobiles = Array.from({ length: 100_000 }, (_, i) => String(13800130000 + i));
      const { body } = await call('POST', '/jobs', { apikey, mobiles, callbackUrl: receiver.url });
      const { jobId } = body.result!;
      // Cancelled once it has answered something: what was answered stays charged.
      for (;;) {
        const { result } = (await call('GET', `/jobs/${jobId}?apikey=${apikey}`)).body;
        if ((result!.processed as number) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const cancelled = await call('DELETE', `/jobs/${jobId}?apikey=${apikey}`);
      expect(cancelled.body).toMatchObject({ code: 0, result: { status: 'cancelled' } });
      const ended = await finished(apikey, jobId);
      expect(ended.status).toBe('cancelled');
      expect(ended.processed as number).toBeLessThan(100_000);
      const charged = ended.charged as number;
      expect(charged).toBeGreaterThan(0);
      expect(charged).toBe((ended.counts as Record<string, number>)['0']);
      expect((await server.server.deps.store.getAccount(account.id))!.balance).toBe(200_000 - charged);
      const [callback] = await receiver.waitFor(jobId, 1);
      expect(callback.event.data).toMatchObject({ status: 'cancelled', charged });
      expect(callback.verified).toBe(true);
      expect((await call('DELETE', `/jobs/${jobId}?apikey=${apikey}`)).body.code).toBe(1);
    });

    it('retries a callback the receiver fails, with the same event, until it is delivered', async () => {
      const { account, apikey, secret } = await customer();
      receiver.setSecret(secret);
      receiver.failNext(3);
      const { body } = await call('POST', '/jobs', { apikey, mobiles: [YICHANG], callbackUrl: receiver.url });
      const deliveries = await receiver.waitFor(body.result!.jobId, 4);
      expect(new Set(deliveries.map((delivery) => delivery.eventId)).size).toBe(1);
      expect(new Set(deliveries.map((delivery) => delivery.body)).size).toBe(1);
      expect(deliveries.every((delivery) => delivery.verified)).toBe(true);
      const history = await callbackHistory(account.id, body.result!.jobId);
      expect(history.attempts).toMatchObject([
        { attempt: 1, outcome: 'failed', httpStatus: 503, error: 'HTTP 503' },
        { attempt: 2, outcome: 'failed', httpStatus: 503 },
        { attempt: 3, outcome: 'failed', httpStatus: 503 },
        { attempt: 4, outcome: 'delivered', httpStatus: 200, nextAttemptAt: null },
      ]);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/mnpd_callback_attempts_total\{outcome="failed"\} [3-9]/);
      expect(metrics).toMatch(/mnpd_callback_attempts_total\{outcome="delivered"\} [1-9]/);
      expect(history!.attempts[0].nextAttemptAt!.getTime()).toBeGreaterThan(
        history!.attempts[0].startedAt.getTime(),
      );
    });

    it('never shows one account’s job to another account’s key', async () => {
      const alice = await customer();
      const bob = await customer();
      const { body } = await call('POST', '/jobs', { apikey: alice.apikey, mobiles: [YICHANG] });
      const id = body.result!.jobId;
      await finished(alice.apikey, id);
      for (const [method, path] of [
        ['GET', `/jobs/${id}`],
        ['GET', `/jobs/${id}/results`],
        ['DELETE', `/jobs/${id}`],
      ]) {
        const answer = await call(method, `${path}?apikey=${bob.apikey}`);
        expect(answer, `${method} ${path}`).toMatchObject({ status: 404, body: { code: 1 } });
        expect(JSON.stringify(answer.body)).not.toContain(YICHANG);
      }
      expect((await call('GET', `/jobs?apikey=${bob.apikey}`)).body.result!.jobs).toEqual([]);
      expect((await call('GET', `/jobs/${id}?apikey=${'x'.repeat(32)}`)).body).toMatchObject({ code: -1 });
      expect((await call('GET', `/jobs/${id}`)).body).toMatchObject({ code: 1 });
    });

    it('refuses a callbackUrl before the account has a callback secret', async () => {
      const { apikey } = await server.account({ name: uniqueName('nosecret'), balance: 10 });
      const refused = await call('POST', '/jobs', { apikey, mobiles: [YICHANG], callbackUrl: receiver.url });
      expect(refused.body).toMatchObject({ code: 1, message: expect.stringContaining('callback secret') });
      expect((await call('GET', `/jobs?apikey=${apikey}`)).body.result!.jobs).toEqual([]);
    });

    it('refuses an empty or oversized submission with code 1, charging nothing', async () => {
      const { account, apikey } = await customer();
      expect((await call('POST', '/jobs', { apikey })).body).toMatchObject({
        code: 1,
        message: expect.any(String),
      });
      expect((await call('POST', '/jobs', { apikey, mobiles: [] })).body.code).toBe(1);
      expect((await call('POST', '/jobs', { apikey, mobiles: ['hello'] })).body).toMatchObject({
        code: 1,
        message: expect.stringContaining('valid'),
      });
      const many = Array.from({ length: 1_000_001 }, (_, i) => 13000000000 + i);
      expect((await call('POST', '/jobs', { apikey, mobiles: many })).body).toMatchObject({
        code: 1,
        message: expect.stringContaining('1000000'),
      });
      expect(
        (await call('POST', '/jobs', { apikey, mobiles: [YICHANG], requestId: 'x'.repeat(129) })).body.code,
      ).toBe(1);
      expect((await call('GET', `/jobs?apikey=${apikey}`)).body.result!.jobs).toEqual([]);
      expect((await server.server.deps.store.getAccount(account.id))!.balance).toBe(100);
    });
  });
}

describe('/jobs without MNPD_CALLBACK_ALLOW', () => {
  const server = serverForThisFile('sqlite');

  it('refuses a loopback or private callback URL (SSRF), creating no job', async () => {
    const { account, apikey } = await server.account({ name: uniqueName('ssrf'), balance: 10 });
    await rotateCallbackSecret(server.server.deps.store, cliActor(), account.id);
    for (const callbackUrl of [
      'http://127.0.0.1:9/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://localhost/',
      'ftp://example.com/',
    ]) {
      const response = await fetch(`${server.url}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apikey, mobiles: [YICHANG], callbackUrl }),
      });
      const body = (await response.json()) as JobBody;
      expect(body, callbackUrl).toMatchObject({
        code: 1,
        message: expect.stringContaining('callbackUrl refused'),
      });
    }
    const listed = await fetch(`${server.url}/jobs?apikey=${apikey}`);
    expect(((await listed.json()) as JobBody).result!.jobs).toEqual([]);
  });
});
