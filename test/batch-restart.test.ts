/**
 * A console batch job survives a crash of the server: `mnpd serve` is killed with SIGKILL while a
 * 500,000-number job runs, started again on the same data, and the job finishes by itself. Every
 * number is answered once and charged at most once: the charges equal the code-0 answers of the
 * results, the balance and the ledger agree, and the query log counts each charge once.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConsoleClient, loginCustomer } from '../src/http/console/test-support/console-client.js';
import { openStore } from '../src/store/open-store.js';
import { freePort } from './free-port.js';
import { serve } from './serve.js';

/** 50 prefixes of the embedded data × 10,000: a job that runs for seconds, so it can be cut short. */
const NUMBERS = Array.from({ length: 50 }, (_, p) =>
  Array.from({ length: 10_000 }, (_, i) => `139${String(p).padStart(4, '0')}${String(i).padStart(4, '0')}`),
).flat();
const TOP_UP = 1_000_000;

interface Job {
  status: string;
  total: number;
  processed: number;
  charged: number;
}

const children: ChildProcess[] = [];
afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

async function job(client: ConsoleClient, id: number): Promise<Job> {
  const answer = await client.get(`/me/batches/${id}`);
  expect(answer.status).toBe(200);
  return answer.json<Job>();
}

describe('a console batch job across a server crash', () => {
  it('resumes after SIGKILL and charges every number at most once', { timeout: 180_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mnpd-batch-restart-'));
    const first = await serve(dataDir, await freePort());
    children.push(first.child);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const password = /demo console login:\s+demo \/ (\S+)/.exec(first.output())![1];
    const base = /web console:\s+(http:\/\/\S+)\/console\//.exec(first.output())![1];

    const store = await openStore(undefined, dataDir);
    const demo = (await store.getAccountByName('demo'))!;
    await store.adjustBalance(demo.id, TOP_UP, 'topup: batch restart test');
    const opening = demo.balance + TOP_UP;

    let client = await loginCustomer(base, 'demo', password);
    const upload = await client.postFile('/me/batches', 'file', 'numbers.txt', NUMBERS.join('\n'));
    expect(upload.status).toBe(201);
    const { id } = upload.json<{ id: number }>();
    expect((await client.post(`/me/batches/${id}/start`)).status).toBe(200);

    // Killed once some chunks are committed and well before the last.
    let before = await job(client, id);
    while (before.processed < NUMBERS.length / 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      before = await job(client, id);
    }
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(before.processed).toBeLessThan(NUMBERS.length / 2);

    const second = await serve(dataDir, Number(new URL(base).port));
    children.push(second.child);
    client = await loginCustomer(base, 'demo', password);
    let after = await job(client, id);
    for (let waited = 0; after.status !== 'done' && waited < 120_000; waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await job(client, id);
    }
    expect(after).toMatchObject({ status: 'done', total: NUMBERS.length, processed: NUMBERS.length });

    const csv = (await client.get(`/me/batches/${id}/results.csv`)).text().replace(/^\uFEFF/, '');
    const rows: string[][] = parse(csv).slice(1);
    expect(rows.map((row) => row[0])).toEqual(NUMBERS);
    const answeredZero = rows.filter((row) => row[1] === '0').length;
    expect(answeredZero).toBeGreaterThan(NUMBERS.length * 0.9);
    expect(after.charged).toBe(answeredZero);

    const account = (await store.getAccount(demo.id))!;
    expect(account.balance).toBe(opening - answeredZero);
    expect(await store.ledgerSum(demo.id)).toBe(account.balance);
    const stats = await store.answerStats(demo.id, new Date(0), new Date(Date.now() + 3_600_000));
    const loggedZero = stats.filter((s) => s.code === 0).reduce((sum, s) => sum + s.answers, 0);
    expect(loggedZero).toBe(answeredZero);
    await store.close();
  });
});
