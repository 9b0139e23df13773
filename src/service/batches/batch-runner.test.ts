import { beforeAll, describe, expect, it } from 'vitest';
import { type BatchJob, type Store, StoreError } from '../../store/store.js';
import { availableEngines } from '../../test-support/test-databases.js';
import { serverForThisFile } from '../../test-support/test-server.js';
import { uniqueName } from '../../http/test-support/fixtures.js';
import { type ResultRow, resultPages } from './batch-export.js';
import { BatchJobRunner, type RunnerLog } from './batch-runner.js';

/** Numbers of the test segments' 湖北-宜昌 prefix (1397256): up to 10,000 different ones. */
function yichang(count: number, first = 0): string[] {
  return Array.from({ length: count }, (_, i) => String(13972560000 + first + i));
}

const TERMINAL = new Set(['done', 'stopped', 'cancelled']);

async function waitForJob(
  store: Store,
  job: BatchJob,
  until: (job: BatchJob) => boolean = (current) => TERMINAL.has(current.status),
  timeoutMs = 30_000,
): Promise<BatchJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = (await store.getBatchJob(job.accountId, job.id))!;
    if (until(current)) return current;
    if (Date.now() > deadline)
      throw new Error(`job ${job.id} still ${current.status}: ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function allRows(store: Store, job: BatchJob): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for await (const page of resultPages(store, job.accountId, job.id)) rows.push(...page);
  return rows;
}

/** Query-log rows of the account by code, read page by page. */
async function logCodes(store: Store, accountId: number): Promise<Record<number, number>> {
  const counted: Record<number, number> = {};
  let before: number | undefined;
  do {
    const page = await store.queryLog(accountId, { limit: 1000, before });
    for (const row of page.rows) counted[row.code] = (counted[row.code] ?? 0) + 1;
    before = page.next ?? undefined;
  } while (before !== undefined);
  return counted;
}

for (const engine of availableEngines('batch runner')) {
  describe(`batch job runner on ${engine}`, () => {
    const server = serverForThisFile(engine);
    let store: Store;

    beforeAll(() => {
      store = server.server.deps.store;
    });

    const runnerOnStore = () =>
      new BatchJobRunner(store, () => server.server.deps.sources.current(), { idlePollMs: 20 });

    async function queuedJob(accountId: number, entries: string[], invalid = 0): Promise<BatchJob> {
      const draft = await store.createBatchJob({
        accountId,
        fileName: 'n.txt',
        entries,
        invalid,
        duplicates: 0,
      });
      return (await store.transitionBatchJob(accountId, draft.id, ['draft'], 'queued'))!;
    }

    it('answers and charges a 10,000-number job exactly', async () => {
      const { account } = await server.account({ name: uniqueName('batch'), balance: 20_000 });
      const invalid = ['123', '12345678901'];
      const noData = ['15400000000', '15400000001'];
      const entries = [...yichang(5000), ...invalid, ...noData, ...yichang(5000, 5000)];
      const started = performance.now();
      const job = await queuedJob(account.id, entries, invalid.length);
      server.server.deps.batchJobs.notify();
      const done = await waitForJob(store, job);
      const seconds = (performance.now() - started) / 1000;
      console.log(`batch runner on ${engine}: ${entries.length} numbers in ${seconds.toFixed(2)} s`);

      expect(done).toMatchObject({
        status: 'done',
        processed: entries.length,
        charged: 10_000,
        stopReason: null,
      });
      expect(done.startedAt).not.toBeNull();
      expect(done.finishedAt).not.toBeNull();
      expect((await store.getAccount(account.id))!.balance).toBe(10_000);
      expect(await store.ledgerSum(account.id)).toBe(10_000);
      expect(await logCodes(store, account.id)).toEqual({ 0: 10_000, [-2]: 1, [-3]: 1, [-4]: 2 });

      const rows = await allRows(store, done);
      expect(rows.map((row) => row[0])).toEqual(entries);
      expect(rows[0]).toEqual([
        '13972560000',
        0,
        'Succ',
        '0',
        '湖北-宜昌',
        '移动',
        '移动',
        '湖北',
        '宜昌',
        '443000',
        '0717',
        expect.any(String),
        '',
      ]);
      expect(rows.slice(5000, 5004).map((row) => row.slice(0, 3))).toEqual([
        ['123', -2, '查询的手机号码长度不对'],
        ['12345678901', -3, '请填写正确的手机号码'],
        ['15400000000', -4, '未查询到相关信息'],
        ['15400000001', -4, '未查询到相关信息'],
      ]);
    });

    it('stops a job when the balance runs out, keeping what was done and showing -5 for the rest', async () => {
      const { account } = await server.account({ name: uniqueName('poor'), balance: 2500 });
      const job = await queuedJob(account.id, yichang(4000));
      server.server.deps.batchJobs.notify();
      const stopped = await waitForJob(store, job);
      expect(stopped).toMatchObject({
        status: 'stopped',
        charged: 2500,
        processed: 3000,
        stopReason: 'insufficient balance',
      });
      expect((await store.getAccount(account.id))!.balance).toBe(0);
      expect(await store.ledgerSum(account.id)).toBe(0);
      const rows = await allRows(store, stopped);
      expect(rows).toHaveLength(3000);
      expect(rows.slice(0, 2500).every((row) => row[1] === 0 && row[4] === '湖北-宜昌')).toBe(true);
      expect(rows[2500]).toEqual([yichang(1, 2500)[0], -5, '当前余额不足', ...Array<string>(10).fill('')]);
      expect(rows.slice(2500).every((row) => row[1] === -5)).toBe(true);
      expect(await logCodes(store, account.id)).toEqual({ 0: 2500, [-5]: 500 });
    });

    it('resumes after a restart and never charges an entry twice, even with two runners', async () => {
      // The server's own runner is stopped: this test runs its runners by hand.
      await server.server.deps.batchJobs.close();
      const { account } = await server.account({ name: uniqueName('resume'), balance: 100_000 });
      const entries = [
        ...yichang(10_000),
        ...Array.from({ length: 10_000 }, (_, i) => String(15000000000 + i)),
        ...Array.from({ length: 10_000 }, (_, i) => String(15400000000 + i)),
      ];
      // 1500000xxxx has data; 1540000xxxx (a block no carrier holds) answers -4, uncharged.
      const job = await queuedJob(account.id, entries);

      const first = runnerOnStore();
      first.start();
      const partial = await waitForJob(store, job, (current) => current.processed >= 3000);
      await first.close();
      const afterClose = (await store.getBatchJob(account.id, job.id))!;
      expect(afterClose.status).toBe('running');
      expect(afterClose.processed).toBeGreaterThanOrEqual(partial.processed);
      expect(afterClose.processed).toBeLessThan(entries.length);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Closed means closed: nothing moves while no runner runs.
      expect((await store.getBatchJob(account.id, job.id))!.processed).toBe(afterClose.processed);

      const [second, third] = [runnerOnStore(), runnerOnStore()];
      second.start();
      third.start();
      const done = await waitForJob(store, job);
      await Promise.all([second.close(), third.close()]);

      expect(done).toMatchObject({ status: 'done', processed: entries.length, charged: 20_000 });
      expect((await store.getAccount(account.id))!.balance).toBe(80_000);
      expect(await store.ledgerSum(account.id)).toBe(80_000);
      expect(await logCodes(store, account.id)).toEqual({ 0: 20_000, [-4]: 10_000 });
      const rows = await allRows(store, done);
      expect(rows.map((row) => row[0])).toEqual(entries);
    });

    it('works each job on one runner of several, and takes over a job whose holder stopped', async () => {
      await server.server.deps.batchJobs.close();
      const { account } = await server.account({ name: uniqueName('lease'), balance: 100_000 });
      const sources = () => server.server.deps.sources.current();
      const job = await queuedJob(account.id, yichang(10_000));
      // Two nodes' runners: the one that takes the lease first commits every chunk.
      const commits = [0, 0];
      const runners = commits.map(
        (_, i) =>
          new BatchJobRunner(store, sources, {
            owner: `node-${i}`,
            idlePollMs: 20,
            onCommit: () => commits[i]++,
          }),
      );
      for (const runner of runners) runner.start();
      const done = await waitForJob(store, job);
      await Promise.all(runners.map((runner) => runner.close()));
      expect(done).toMatchObject({ status: 'done', processed: 10_000, charged: 10_000 });
      expect([...commits].sort((a, b) => a - b)).toEqual([0, 10]);

      // A node stopped without letting go: the job waits for its lease to run out, then moves on.
      const orphan = await queuedJob(account.id, yichang(3000));
      expect(await store.claimBatchJob(orphan.id, 'stopped-node', 500)).toBe(true);
      const heir = new BatchJobRunner(store, sources, { owner: 'heir', idlePollMs: 20 });
      const started = Date.now();
      heir.start();
      try {
        await new Promise((resolve) => setTimeout(resolve, 250));
        expect((await store.getBatchJob(account.id, orphan.id))!.processed).toBe(0);
        const finished = await waitForJob(store, orphan);
        expect(finished).toMatchObject({ status: 'done', processed: 3000, charged: 3000 });
        expect(Date.now() - started).toBeGreaterThanOrEqual(450);
      } finally {
        await heir.close();
      }
      expect((await store.getAccount(account.id))!.balance).toBe(100_000 - 13_000);
      expect(await store.ledgerSum(account.id)).toBe(100_000 - 13_000);
    });

    it('retries a chunk that failed, and stops a job the store refuses', async () => {
      // Only the runner on the failing store may take this job.
      await server.server.deps.batchJobs.close();
      const failures: Error[] = [new Error('connection reset'), new StoreError('invalid', 'broken chunk')];
      const flaky = new Proxy(store, {
        get(target, property, receiver) {
          if (property === 'commitBatchChunk' && failures.length > 0) {
            return () => Promise.reject(failures.shift());
          }
          const value = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const logged: string[] = [];
      const log = {
        info: () => {},
        warn: () => {},
        error: (_: unknown, message: string) => logged.push(message),
      };
      const runner = new BatchJobRunner(flaky, () => server.server.deps.sources.current(), {
        idlePollMs: 20,
        retryDelayMs: 50,
      });
      const { account } = await server.account({ name: uniqueName('flaky'), balance: 100 });
      const job = await queuedJob(account.id, yichang(10));
      runner.start(log as unknown as RunnerLog);
      try {
        const stopped = await waitForJob(store, job);
        expect(stopped).toMatchObject({
          status: 'stopped',
          processed: 0,
          stopReason: 'failed: broken chunk',
        });
        expect(logged).toEqual([
          'batch job: chunk failed, will retry',
          'batch job: refused by the store, stopped',
        ]);
        const retried = await queuedJob(account.id, yichang(10));
        runner.notify();
        expect(await waitForJob(store, retried)).toMatchObject({ status: 'done', charged: 10 });
      } finally {
        await runner.close();
      }
    });

    it('takes turns between jobs, stops a suspended account and a cancelled job', async () => {
      const runner = runnerOnStore();
      runner.start();
      try {
        const big = await server.account({ name: uniqueName('big'), balance: 100_000 });
        const small = await server.account({ name: uniqueName('small'), balance: 100 });
        const bigJob = await queuedJob(big.account.id, yichang(10_000));
        const smallJob = await queuedJob(small.account.id, yichang(50));
        runner.notify();
        await waitForJob(store, smallJob);
        // The small job did not wait for the big one to finish.
        expect((await store.getBatchJob(big.account.id, bigJob.id))!.processed).toBeLessThan(10_000);

        const cancelled = await store.transitionBatchJob(
          big.account.id,
          bigJob.id,
          ['queued', 'running'],
          'cancelled',
          'cancelled by the customer',
        );
        expect(cancelled?.status).toBe('cancelled');
        await new Promise((resolve) => setTimeout(resolve, 200));
        const after = (await store.getBatchJob(big.account.id, bigJob.id))!;
        expect(after.status).toBe('cancelled');
        expect(after.charged).toBe(after.processed);
        expect((await store.getAccount(big.account.id))!.balance).toBe(100_000 - after.charged);
        // What was done before the cancel stays downloadable.
        expect(await allRows(store, after)).toHaveLength(after.processed);

        const suspended = await server.account({ name: uniqueName('suspended'), balance: 100 });
        await store.updateAccount(suspended.account.id, { status: 'suspended' });
        const suspendedJob = await queuedJob(suspended.account.id, yichang(10));
        runner.notify();
        const stopped = await waitForJob(store, suspendedJob);
        expect(stopped).toMatchObject({ status: 'stopped', processed: 0, stopReason: 'account suspended' });
        expect((await store.getAccount(suspended.account.id))!.balance).toBe(100);
      } finally {
        await runner.close();
      }
    });
  });
}
