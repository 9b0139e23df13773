/**
 * What the web console needs of the store, run against every engine like store.test.ts: account
 * thresholds and console passwords, answer statistics, top accounts, sessions, the audit log,
 * batch jobs, data imports, their retention, and the upgrade of a database made by 0001.
 */
import { Migrator } from 'kysely';
import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { initial } from './migration-0001-initial.js';
import {
  BATCH_CHUNK_SIZE,
  type BatchJob,
  type ChargeItem,
  type ConsoleSession,
  type FeeType,
  type LedgerEntry,
  type NewAuditEntry,
  type Store,
} from './store.js';
import {
  HOUR,
  T0,
  chargeItem,
  logItem,
  logSkippedEngines,
  storeEngines,
  storeForThisSuite,
  uniqueName,
  withOwnStore,
} from './test-support/store-engines.js';

logSkippedEngines('console store tests');

/** A day of its own, far from the other suites' T0, for the reports read by time. */
const T1 = Date.parse('2030-06-01T00:00:00Z');
const MINUTE = 60_000;

const entries = (count: number, first = 0) =>
  Array.from({ length: count }, (_, i) => `139${String(first + i).padStart(8, '0')}`);

function session(subjectId: number, options: Partial<ConsoleSession> = {}): ConsoleSession {
  const now = Date.now();
  return {
    idHash: uniqueName('session'),
    role: 'customer',
    subjectId,
    csrfToken: uniqueName('csrf'),
    createdAt: new Date(now),
    expiresAt: new Date(now + 12 * HOUR),
    ...options,
  };
}

for (const engine of storeEngines) {
  describe.skipIf(engine.skipReason !== undefined)(`console store on ${engine.name}`, () => {
    const { store, withSecondStore } = storeForThisSuite(engine);

    async function newAccount(feeType: FeeType, balance: number) {
      return store.createAccount({ name: uniqueName('acct'), feeType, balance });
    }

    describe('accounts', () => {
      it('keeps a low-balance threshold, null by default', async () => {
        const plain = await newAccount('prepaid', 5);
        expect(plain.lowBalanceThreshold).toBeNull();
        const warned = await store.createAccount({
          name: uniqueName('warned'),
          feeType: 'postpaid',
          balance: 0,
          lowBalanceThreshold: -500,
        });
        expect(warned.lowBalanceThreshold).toBe(-500);
        expect(await store.getAccount(warned.id)).toEqual(warned);

        const changed = await store.updateAccount(plain.id, { lowBalanceThreshold: 100 });
        expect(changed).toEqual({ ...plain, lowBalanceThreshold: 100 });
        expect(await store.updateAccount(plain.id, { status: 'suspended' })).toEqual({
          ...changed,
          status: 'suspended',
        });
        expect(await store.updateAccount(plain.id, { lowBalanceThreshold: null })).toMatchObject({
          lowBalanceThreshold: null,
        });
        await expect(store.updateAccount(plain.id, { lowBalanceThreshold: 1.5 })).rejects.toMatchObject({
          code: 'invalid',
        });

        const hash = `${'ab'.repeat(32)}`;
        const key = await store.createKey(warned.id, 'apikey', hash, 'abab', '');
        expect(await store.findKey('apikey', hash)).toEqual({ key, account: warned });
      });

      it('sets and reads console passwords, never as part of the account', async () => {
        const account = await newAccount('prepaid', 1);
        expect(await store.getAccountPasswordHash(account.id)).toBeNull();
        await store.setAccountPassword(account.id, '$scrypt$one');
        expect(await store.getAccountPasswordHash(account.id)).toBe('$scrypt$one');
        await store.setAccountPassword(account.id, '$scrypt$two');
        expect(await store.getAccountPasswordHash(account.id)).toBe('$scrypt$two');
        expect(Object.keys((await store.getAccount(account.id))!)).not.toContain('passwordHash');
        expect(JSON.stringify(await store.listAccounts())).not.toContain('$scrypt$');
        await expect(store.setAccountPassword(account.id + 1_000_000, 'x')).rejects.toMatchObject({
          code: 'not_found',
        });
        expect(await store.getAccountPasswordHash(account.id + 1_000_000)).toBeNull();
      });

      it('finds operators by id and changes their passwords', async () => {
        const operator = await store.createOperator(uniqueName('op'), '$scrypt$old');
        expect(await store.getOperatorById(operator.id)).toEqual(operator);
        expect(await store.getOperatorById(operator.id + 1_000_000)).toBeUndefined();
        await store.setOperatorPassword(operator.id, '$scrypt$new');
        expect(await store.getOperator(operator.username)).toEqual({
          ...operator,
          passwordHash: '$scrypt$new',
        });
        await expect(store.setOperatorPassword(operator.id + 1_000_000, 'x')).rejects.toMatchObject({
          code: 'not_found',
        });
      });
    });

    describe('answer statistics', () => {
      it('counts every logged answer by hour and code, charged or not, and never a replay', async () => {
        const account = await newAccount('prepaid', 3);
        const other = await newAccount('postpaid', 0);
        const results = await store.commitCharges([
          chargeItem(account.id, { at: T1, res: '1', key: 'a' }),
          chargeItem(account.id, { at: T1 + MINUTE, res: '0' }),
          logItem(account.id, -2, { at: T1 + 2 * MINUTE }),
          logItem(account.id, -4, { at: T1 + HOUR }),
          chargeItem(account.id, { at: T1 + HOUR, res: '1', key: 'a' }),
          chargeItem(other.id, { at: T1 + HOUR, res: '1' }),
        ]);
        expect(results.map((result) => result.status)).toEqual([
          'charged',
          'charged',
          'logged',
          'logged',
          'replay',
          'charged',
        ]);
        // The balance runs out: the second one is refused and counted as -5.
        expect(
          (
            await store.commitCharges([
              chargeItem(account.id, { at: T1 + HOUR + MINUTE, res: '1' }),
              chargeItem(account.id, { at: T1 + HOUR + 2 * MINUTE, res: '1' }),
              logItem(account.id, -3, { at: T1 + HOUR + 3 * MINUTE }),
            ])
          ).map((result) => result.status),
        ).toEqual(['charged', 'insufficient', 'logged']);
        expect(await store.ledgerSum(account.id)).toBe(0);

        const day = [new Date(T1), new Date(T1 + 24 * HOUR)] as const;
        expect(await store.answerStats(account.id, ...day)).toEqual([
          { accountId: account.id, hour: new Date(T1), code: -2, answers: 1, ported: 0 },
          { accountId: account.id, hour: new Date(T1), code: 0, answers: 2, ported: 1 },
          { accountId: account.id, hour: new Date(T1 + HOUR), code: -5, answers: 1, ported: 0 },
          { accountId: account.id, hour: new Date(T1 + HOUR), code: -4, answers: 1, ported: 0 },
          { accountId: account.id, hour: new Date(T1 + HOUR), code: -3, answers: 1, ported: 0 },
          { accountId: account.id, hour: new Date(T1 + HOUR), code: 0, answers: 1, ported: 1 },
        ]);
        // [from, to): the second hour alone.
        const second = await store.answerStats(account.id, new Date(T1 + HOUR), new Date(T1 + 2 * HOUR));
        expect(second.map((row) => row.code)).toEqual([-5, -4, -3, 0]);
        expect(await store.answerStats(account.id, new Date(T1 + 2 * HOUR), day[1])).toEqual([]);

        // Every account: one row per account, not summed across them.
        const all = await store.answerStats(null, ...day);
        expect(all.filter((row) => row.accountId === account.id)).toHaveLength(6);
        expect(all.filter((row) => row.accountId === other.id)).toEqual([
          { accountId: other.id, hour: new Date(T1 + HOUR), code: 0, answers: 1, ported: 1 },
        ]);
        // The log agrees, and usage still counts only what was charged.
        const codes = (await store.queryLog(account.id)).rows.map((row) => row.code);
        expect(codes).toEqual([-3, -5, 0, -4, -2, 0, 0]);
        expect(await store.usage(account.id, ...day)).toEqual([
          { accountId: account.id, hour: new Date(T1), queries: 2 },
          { accountId: account.id, hour: new Date(T1 + HOUR), queries: 1 },
        ]);
      });

      it('ranks accounts by charged queries in a time range', async () => {
        await withOwnStore(engine, async (own) => {
          const names = ['a', 'b', 'c', 'd'];
          const [a, b, c, d] = await Promise.all(
            names.map((name) => own.createAccount({ name, feeType: 'postpaid', balance: 0 })),
          );
          const charges = (accountId: number, count: number, at: number) =>
            Array.from({ length: count }, () => chargeItem(accountId, { at }));
          await own.commitCharges([
            ...charges(a.id, 2, T1),
            ...charges(b.id, 5, T1 + HOUR),
            ...charges(c.id, 2, T1 + 2 * HOUR),
            ...charges(a.id, 1, T1 + 3 * HOUR),
            ...charges(d.id, 9, T1 + 30 * HOUR),
            // Uncharged answers do not count.
            logItem(c.id, -2, { at: T1 }),
            logItem(c.id, -2, { at: T1 }),
          ]);
          const day = [new Date(T1), new Date(T1 + 24 * HOUR)] as const;
          expect(await own.topAccounts(...day, 10)).toEqual([
            { accountId: b.id, name: 'b', queries: 5 },
            { accountId: a.id, name: 'a', queries: 3 },
            { accountId: c.id, name: 'c', queries: 2 },
          ]);
          expect((await own.topAccounts(...day, 1)).map((row) => row.name)).toEqual(['b']);
          expect(await own.topAccounts(new Date(T1 + 24 * HOUR), new Date(T1 + 48 * HOUR), 10)).toEqual([
            { accountId: d.id, name: 'd', queries: 9 },
          ]);
          expect(await own.topAccounts(new Date(T0), new Date(T0 + HOUR), 10)).toEqual([]);
          await expect(own.topAccounts(...day, 0)).rejects.toMatchObject({ code: 'invalid' });
        });
      });
    });

    describe('sessions', () => {
      it('creates, reads, extends and deletes sessions; an expired one is gone', async () => {
        const account = await newAccount('prepaid', 0);
        const first = session(account.id);
        await store.createSession(first);
        expect(await store.getSession(first.idHash)).toEqual(first);
        await expect(store.createSession(first)).rejects.toMatchObject({ code: 'duplicate' });
        expect(await store.getSession('nobody')).toBeUndefined();

        const later = new Date(first.expiresAt.getTime() + HOUR);
        await store.extendSession(first.idHash, later);
        expect(await store.getSession(first.idHash)).toEqual({ ...first, expiresAt: later });

        const expired = session(account.id, { expiresAt: new Date(Date.now() - 1) });
        await store.createSession(expired);
        expect(await store.getSession(expired.idHash)).toBeUndefined();
        // Extended again before it is pruned, it is back.
        await store.extendSession(expired.idHash, new Date(Date.now() + HOUR));
        expect(await store.getSession(expired.idHash)).toBeDefined();

        await store.deleteSession(first.idHash);
        expect(await store.getSession(first.idHash)).toBeUndefined();
        await store.deleteSession(first.idHash);
      });

      it('logs one subject out everywhere with its new password, and no one else', async () => {
        const account = await newAccount('prepaid', 0);
        const mine = [session(account.id), session(account.id)];
        const operatorSameId = session(account.id, { role: 'operator' });
        const otherAccount = session(account.id + 1);
        for (const s of [...mine, operatorSameId, otherAccount]) await store.createSession(s);
        await store.setAccountPassword(account.id, 'new', { endSessions: true });
        for (const s of mine) expect(await store.getSession(s.idHash)).toBeUndefined();
        expect(await store.getSession(operatorSameId.idHash)).toEqual(operatorSameId);
        expect(await store.getSession(otherAccount.idHash)).toEqual(otherAccount);
      });
    });

    it('appends to the audit log and pages it newest first', async () => {
      await withOwnStore(engine, async (own) => {
        const before = Date.now();
        const account = await own.createAccount({ name: 'paged', feeType: 'prepaid', balance: 0 });
        const added = [];
        for (let i = 1; i <= 5; i++) {
          await own.adjustBalance(account.id, i, 'topup', () => ({
            operator: 'admin',
            action: 'account.topup',
            target: i === 1 ? null : `account:${i}`,
            details: JSON.stringify({ amount: i }),
            ip: '203.0.113.0',
          }));
          added.push((await own.auditLog({ limit: 1 })).rows[0]);
        }
        expect(added[0]).toMatchObject({ operator: 'admin', action: 'account.topup', target: null });
        expect(added[0].at.getTime()).toBeGreaterThanOrEqual(before - 1);
        expect(added.map((entry) => entry.details)).toEqual([1, 2, 3, 4, 5].map((i) => `{"amount":${i}}`));
        const first = await own.auditLog({ limit: 3 });
        expect(first.rows).toEqual(added.slice(2).reverse());
        const second = await own.auditLog({ limit: 3, before: first.next! });
        expect(second).toEqual({ rows: added.slice(0, 2).reverse(), next: null });
        expect((await own.auditLog()).rows).toHaveLength(5);
      });
    });

    describe('operator changes commit with their audit entries, or not at all', () => {
      const entry = (action: string, details: object = {}): NewAuditEntry => ({
        operator: 'admin',
        action,
        target: null,
        details: JSON.stringify(details),
        ip: '203.0.113.0',
      });
      // NOT NULL refuses it: the audit write fails after the change's own writes succeeded.
      const unwritable = (action: string): NewAuditEntry => ({ ...entry(action), operator: null as never });
      const actions = async (own: Store) => (await own.auditLog()).rows.map((row) => row.action);

      it('a balance change', async () => {
        await withOwnStore(engine, async (own) => {
          const account = await own.createAccount({ name: 'audited', feeType: 'prepaid', balance: 10 });
          const entryOf = (ledger: LedgerEntry) => ({
            ...entry('account.topup', { balanceAfter: ledger.balanceAfter }),
            target: `account:${account.id}`,
          });
          const added = await own.adjustBalance(account.id, 5, 'top-up', entryOf);
          expect(added.balanceAfter).toBe(15);
          expect((await own.auditLog()).rows).toMatchObject([
            { action: 'account.topup', target: `account:${account.id}`, details: '{"balanceAfter":15}' },
          ]);

          await expect(
            own.adjustBalance(account.id, 5, 'top-up', () => unwritable('account.topup')),
          ).rejects.toThrow();
          expect((await own.getAccount(account.id))!.balance).toBe(15);
          expect(await own.ledgerSum(account.id)).toBe(15);
          expect(await actions(own)).toEqual(['account.topup']);
        });
      });

      it('a new account, with its key and password', async () => {
        await withOwnStore(engine, async (own) => {
          const key = (hash: string) => ({ kind: 'apikey' as const, hash, hint: 'ab…yz', label: 'console' });
          const input = { name: 'opened', feeType: 'prepaid' as const, balance: 7 };

          await expect(
            own.openAccount(input, key('h1'), {
              passwordHash: 'pw',
              auditOf: () => unwritable('account.create'),
            }),
          ).rejects.toThrow();
          expect(await own.getAccountByName('opened')).toBeUndefined();
          expect(await own.findKey('apikey', 'h1')).toBeUndefined();
          expect(await actions(own)).toEqual([]);

          const { account, key: made } = await own.openAccount(input, key('h1'), {
            passwordHash: 'pw',
            auditOf: (created) => ({ ...entry('account.create'), target: `account:${created.id}` }),
          });
          expect(account).toMatchObject({ name: 'opened', balance: 7 });
          expect(made).toMatchObject({
            accountId: account.id,
            kind: 'apikey',
            hint: 'ab…yz',
            revokedAt: null,
          });
          expect((await own.findKey('apikey', 'h1'))?.account.id).toBe(account.id);
          expect(await own.getAccountPasswordHash(account.id)).toBe('pw');
          expect(await own.ledgerSum(account.id)).toBe(7);
          expect((await own.auditLog()).rows).toMatchObject([
            { action: 'account.create', target: `account:${account.id}` },
          ]);

          // A key that exists already: the second account is not made either.
          await expect(own.openAccount({ ...input, name: 'second' }, key('h1'))).rejects.toMatchObject({
            code: 'duplicate',
          });
          expect(await own.getAccountByName('second')).toBeUndefined();
          await expect(own.openAccount(input, key('h2'))).rejects.toMatchObject({ code: 'duplicate' });
          expect(await own.findKey('apikey', 'h2')).toBeUndefined();
        });
      });

      it('an account change, recording what it was before', async () => {
        await withOwnStore(engine, async (own) => {
          const account = await own.createAccount({
            name: 'changed',
            feeType: 'prepaid',
            balance: 0,
            qpsLimit: 5,
          });
          const changed = await own.updateAccount(
            account.id,
            { qpsLimit: 9, status: 'suspended' },
            (after, before) =>
              entry('account.update', {
                after: [after.qpsLimit, after.status],
                before: [before.qpsLimit, before.status],
              }),
          );
          expect(changed).toMatchObject({ qpsLimit: 9, status: 'suspended' });
          expect((await own.auditLog()).rows).toMatchObject([
            { action: 'account.update', details: '{"after":[9,"suspended"],"before":[5,"active"]}' },
          ]);

          await expect(
            own.updateAccount(account.id, { qpsLimit: 1 }, () => unwritable('account.update')),
          ).rejects.toThrow();
          expect((await own.getAccount(account.id))!.qpsLimit).toBe(9);
          expect(await actions(own)).toEqual(['account.update']);
          await expect(
            own.updateAccount(account.id + 1000, { qpsLimit: 1 }, () => entry('account.update')),
          ).rejects.toMatchObject({ code: 'not_found' });
          expect(await actions(own)).toEqual(['account.update']);
        });
      });

      it('a password reset, ending the sessions that knew the old one', async () => {
        await withOwnStore(engine, async (own) => {
          const account = await own.createAccount({ name: 'reset', feeType: 'prepaid', balance: 0 });
          await own.setAccountPassword(account.id, 'old');
          const open = session(account.id);
          await own.createSession(open);

          await expect(
            own.setAccountPassword(account.id, 'new', {
              endSessions: true,
              audit: unwritable('account.password_reset'),
            }),
          ).rejects.toThrow();
          expect(await own.getAccountPasswordHash(account.id)).toBe('old');
          expect(await own.getSession(open.idHash)).toEqual(open);

          await own.setAccountPassword(account.id, 'new', {
            endSessions: true,
            audit: entry('account.password_reset'),
          });
          expect(await own.getAccountPasswordHash(account.id)).toBe('new');
          expect(await own.getSession(open.idHash)).toBeUndefined();
          expect(await actions(own)).toEqual(['account.password_reset']);

          // An operator changing its own password ends its sessions the same way.
          const operator = await own.createOperator('root', 'old');
          const mine = session(operator.id, { role: 'operator' });
          await own.createSession(mine);
          await own.setOperatorPassword(operator.id, 'new', { endSessions: true });
          expect((await own.getOperator('root'))!.passwordHash).toBe('new');
          expect(await own.getSession(mine.idHash)).toBeUndefined();
          await expect(own.setOperatorPassword(operator.id + 1000, 'x')).rejects.toMatchObject({
            code: 'not_found',
          });
        });
      });

      it('a data import starting', async () => {
        await withOwnStore(engine, async (own) => {
          const input = {
            node: 'node-a',
            operator: 'admin',
            origin: 'console' as const,
            kind: 'delta' as const,
            fileName: 'd.csv',
          };
          await expect(own.createDataImport(input, () => unwritable('data.import'))).rejects.toThrow();
          expect((await own.listDataImports()).rows).toEqual([]);

          const started = await own.createDataImport(input, (row) => ({
            ...entry('data.import'),
            target: `import:${row.id}`,
          }));
          expect((await own.listDataImports()).rows).toEqual([started]);
          expect((await own.auditLog()).rows).toMatchObject([
            { action: 'data.import', target: `import:${started.id}` },
          ]);
        });
      });
    });

    describe('batch jobs', () => {
      async function draft(accountId: number, count: number, fileName = 'numbers.txt') {
        return store.createBatchJob({
          accountId,
          fileName,
          entries: entries(count),
          invalid: 1,
          duplicates: 2,
          invalidSamples: [{ line: 7, text: '1380013800', reason: '查询的手机号码长度不对' }],
        });
      }

      /** One charge per entry, as a runner would hand them over. */
      const chargesFor = (accountId: number, list: string[]): ChargeItem[] =>
        list.map((mobile) => chargeItem(accountId, { mobile }));

      async function run(job: BatchJob): Promise<BatchJob> {
        return (await store.transitionBatchJob(job.accountId, job.id, ['draft'], 'queued'))!;
      }

      it('creates a draft cut into chunks, only its account can see', async () => {
        const account = await newAccount('prepaid', 0);
        const other = await newAccount('prepaid', 0);
        const before = Date.now();
        const job = await draft(account.id, 2 * BATCH_CHUNK_SIZE + 500, '号码.xlsx');
        expect(job).toMatchObject({
          accountId: account.id,
          fileName: '号码.xlsx',
          status: 'draft',
          total: 2500,
          invalid: 1,
          duplicates: 2,
          processed: 0,
          charged: 0,
          chunks: 3,
          stopReason: null,
          invalidSamples: [{ line: 7, text: '1380013800', reason: '查询的手机号码长度不对' }],
          startedAt: null,
          finishedAt: null,
        });
        expect(job.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
        expect(await store.getBatchJob(account.id, job.id)).toEqual(job);
        expect(await store.getBatchJob(other.id, job.id)).toBeUndefined();
        expect(await store.listBatchJobs(other.id)).toEqual({ rows: [], next: null });
        expect(await store.transitionBatchJob(other.id, job.id, ['draft'], 'queued')).toBeUndefined();
        expect(await store.batchChunkOutputs(other.id, job.id, 0, 10)).toEqual([]);
        expect((await store.getBatchJob(account.id, job.id))!.status).toBe('draft');

        // Chunks are numbered from 0 and keep the file order.
        const first = await store.nextBatchChunk(job.id);
        expect(first).toEqual({ chunkNo: 0, entries: entries(BATCH_CHUNK_SIZE) });
      });

      it('refuses an unknown account, no entries, and entries it cannot store', async () => {
        const account = await newAccount('prepaid', 0);
        const job = (accountId: number, list: string[]) =>
          store.createBatchJob({ accountId, fileName: 'x.txt', entries: list, invalid: 0, duplicates: 0 });
        await expect(job(account.id + 1_000_000, ['13900000000'])).rejects.toMatchObject({
          code: 'not_found',
        });
        await expect(job(account.id, [])).rejects.toMatchObject({ code: 'invalid' });
        await expect(job(account.id, ['139\n00000000'])).rejects.toMatchObject({ code: 'invalid' });
        await expect(job(account.id, ['139\u000000000000'])).rejects.toMatchObject({ code: 'invalid' });
        expect((await store.listBatchJobs(account.id)).rows).toEqual([]);
      });

      it('lists an account’s jobs newest first, paged', async () => {
        const account = await newAccount('prepaid', 0);
        const jobs = [];
        for (let i = 0; i < 3; i++) jobs.push(await draft(account.id, 1, `f${i}.txt`));
        const first = await store.listBatchJobs(account.id, { limit: 2 });
        expect(first.rows.map((job) => job.fileName)).toEqual(['f2.txt', 'f1.txt']);
        const second = await store.listBatchJobs(account.id, { limit: 2, before: first.next! });
        expect(second).toEqual({ rows: [jobs[0]], next: null });
      });

      it('moves a job only from the statuses given, stamping the times', async () => {
        const account = await newAccount('prepaid', 0);
        const job = await draft(account.id, 3);
        expect(await store.transitionBatchJob(account.id, job.id, ['queued'], 'running')).toBeUndefined();
        expect(await store.transitionBatchJob(account.id, job.id, [], 'queued')).toBeUndefined();
        const queued = await run(job);
        expect(queued).toEqual({ ...job, status: 'queued' });
        expect(await store.transitionBatchJob(account.id, job.id, ['draft'], 'queued')).toBeUndefined();
        const running = (await store.transitionBatchJob(account.id, job.id, ['queued'], 'running'))!;
        expect(running.startedAt).toBeInstanceOf(Date);
        expect(running.finishedAt).toBeNull();
        const cancelled = (await store.transitionBatchJob(
          account.id,
          job.id,
          ['draft', 'queued', 'running'],
          'cancelled',
          'cancelled by the customer',
        ))!;
        expect(cancelled).toMatchObject({
          status: 'cancelled',
          stopReason: 'cancelled by the customer',
          startedAt: running.startedAt,
        });
        expect(cancelled.finishedAt).toBeInstanceOf(Date);
        expect(await store.getBatchJob(account.id, job.id)).toEqual(cancelled);
      });

      it('commits chunks in order, answers each once, and finishes the job after the last', async () => {
        const account = await newAccount('prepaid', 10_000);
        const job = await run(await draft(account.id, BATCH_CHUNK_SIZE + 3));
        expect((await store.runnableBatchJobs()).map((j) => j.id)).toContain(job.id);

        const chunk0 = (await store.nextBatchChunk(job.id))!;
        const first = await store.commitBatchChunk(
          job.id,
          chunk0.chunkNo,
          chargesFor(account.id, chunk0.entries),
          'output 0',
        );
        expect(first).toMatchObject({ status: 'committed', charged: BATCH_CHUNK_SIZE, insufficient: 0 });
        if (first.status !== 'committed') throw new Error('not committed');
        expect(first.job).toMatchObject({ status: 'running', processed: BATCH_CHUNK_SIZE, charged: 1000 });
        expect(first.job.startedAt).toBeInstanceOf(Date);
        expect(first.job.finishedAt).toBeNull();

        const chunk1 = (await store.nextBatchChunk(job.id))!;
        expect(chunk1).toEqual({ chunkNo: 1, entries: entries(3, BATCH_CHUNK_SIZE) });
        // Two entries are invalid: answered with a log item, never charged.
        const charges = [
          logItem(account.id, -2, { mobile: chunk1.entries[0] }),
          ...chargesFor(account.id, chunk1.entries.slice(1, 2)),
          logItem(account.id, -3, { mobile: chunk1.entries[2] }),
        ];
        const last = await store.commitBatchChunk(job.id, 1, charges, 'output 1');
        expect(last).toMatchObject({ status: 'committed', charged: 1, insufficient: 0 });
        if (last.status !== 'committed') throw new Error('not committed');
        expect(last.job).toMatchObject({ status: 'done', processed: 1003, charged: 1001, stopReason: null });
        expect(last.job.finishedAt).toBeInstanceOf(Date);
        expect(await store.nextBatchChunk(job.id)).toBeUndefined();
        expect((await store.runnableBatchJobs()).map((j) => j.id)).not.toContain(job.id);

        expect(await store.batchChunkOutputs(account.id, job.id, 0, 10)).toEqual([
          { chunkNo: 0, output: 'output 0', charged: 1000 },
          { chunkNo: 1, output: 'output 1', charged: 1 },
        ]);
        expect(await store.batchChunkOutputs(account.id, job.id, 1, 10)).toEqual([
          { chunkNo: 1, output: 'output 1', charged: 1 },
        ]);
        expect(await store.batchChunkOutputs(account.id, job.id, 0, 1)).toHaveLength(1);
        expect((await store.getAccount(account.id))!.balance).toBe(10_000 - 1001);
        expect(await store.ledgerSum(account.id)).toBe(10_000 - 1001);
        const logged = (await store.queryLog(account.id, { limit: 1000 })).rows.slice(0, 3);
        expect(logged.map((row) => row.code)).toEqual([-3, 0, -2]);
      });

      it('charges a chunk committed twice only once, also from two stores at once', async () => {
        const account = await newAccount('prepaid', 10_000);
        // Two chunks: after the first, the job still runs, and only the chunk tells it was done.
        const job = await run(await draft(account.id, BATCH_CHUNK_SIZE + 5));
        const chunk = (await store.nextBatchChunk(job.id))!;
        const commit = () => store.commitBatchChunk(job.id, 0, chargesFor(account.id, chunk.entries), 'once');
        const first = await commit();
        expect(first).toMatchObject({ status: 'committed', job: { status: 'running' } });
        const again = await commit();
        expect(again).toEqual({ status: 'skipped', job: first.job });
        expect(await store.ledgerSum(account.id)).toBe(10_000 - BATCH_CHUNK_SIZE);
        expect(await store.batchChunkOutputs(account.id, job.id, 0, 10)).toEqual([
          { chunkNo: 0, output: 'once', charged: BATCH_CHUNK_SIZE },
        ]);
        expect((await store.nextBatchChunk(job.id))!.chunkNo).toBe(1);

        // Two runners (processes) racing for the same chunk: one commits, the others skip.
        const raced = await run(await draft(account.id, BATCH_CHUNK_SIZE + 5));
        const results = await withSecondStore((other) =>
          Promise.all(
            [store, other, store, other].map((s, i) =>
              s.commitBatchChunk(raced.id, 0, chargesFor(account.id, chunk.entries), `runner ${i}`),
            ),
          ),
        );
        expect(results.map((r) => r.status).sort()).toEqual(['committed', 'skipped', 'skipped', 'skipped']);
        const balance = 10_000 - 2 * BATCH_CHUNK_SIZE;
        expect(await store.ledgerSum(account.id)).toBe(balance);
        expect((await store.getAccount(account.id))!.balance).toBe(balance);
        expect((await store.getBatchJob(account.id, raced.id))!).toMatchObject({
          status: 'running',
          processed: BATCH_CHUNK_SIZE,
          charged: BATCH_CHUNK_SIZE,
        });
        expect((await store.queryLog(account.id, { code: 0, limit: 1000 })).next).not.toBeNull();
        const stats = await store.answerStats(account.id, new Date(T0), new Date(T0 + HOUR));
        expect(stats).toEqual([
          { accountId: account.id, hour: new Date(T0), code: 0, answers: 2 * BATCH_CHUNK_SIZE, ported: 2000 },
        ]);
      });

      it('stops a job whose balance runs out inside a chunk, keeping what was done', async () => {
        const account = await newAccount('prepaid', 5);
        const job = await run(await draft(account.id, BATCH_CHUNK_SIZE + 8));
        const chunk0 = (await store.nextBatchChunk(job.id))!;
        // Only the first 8 entries of the chunk are charges; the others are invalid.
        const charges = [
          ...chargesFor(account.id, chunk0.entries.slice(0, 8)),
          ...chunk0.entries.slice(8).map((mobile) => logItem(account.id, -3, { mobile })),
        ];
        const result = await store.commitBatchChunk(job.id, 0, charges, 'partial');
        expect(result).toMatchObject({ status: 'committed', charged: 5, insufficient: 3 });
        if (result.status !== 'committed') throw new Error('not committed');
        expect(result.job).toMatchObject({
          status: 'stopped',
          stopReason: 'insufficient balance',
          processed: BATCH_CHUNK_SIZE,
          charged: 5,
        });
        expect(result.job.finishedAt).toBeInstanceOf(Date);
        const balance = (await store.getAccount(account.id))!.balance;
        expect(balance).toBe(0);
        expect(await store.ledgerSum(account.id)).toBe(balance);
        const refused = await store.queryLog(account.id, { code: -5, limit: 1000 });
        expect(refused.rows.map((row) => row.mobile).reverse()).toEqual(chunk0.entries.slice(5, 8));
        expect(await store.batchChunkOutputs(account.id, job.id, 0, 10)).toEqual([
          { chunkNo: 0, output: 'partial', charged: 5 },
        ]);

        // A stopped job is not run: its next chunk is skipped until it is queued again.
        const chunk1 = (await store.nextBatchChunk(job.id))!;
        expect(chunk1.chunkNo).toBe(1);
        const skipped = await store.commitBatchChunk(job.id, 1, chargesFor(account.id, chunk1.entries), 'x');
        expect(skipped.status).toBe('skipped');
        expect((await store.runnableBatchJobs()).map((j) => j.id)).not.toContain(job.id);

        // Topped up and queued again, it goes on where it stopped, no longer stopped.
        await store.adjustBalance(account.id, 100, 'topup');
        const requeued = (await store.transitionBatchJob(account.id, job.id, ['stopped'], 'queued'))!;
        expect(requeued).toMatchObject({ status: 'queued', stopReason: null, finishedAt: null });
        const resumed = await store.commitBatchChunk(
          job.id,
          1,
          chargesFor(account.id, chunk1.entries),
          'rest',
        );
        expect(resumed).toMatchObject({ status: 'committed', charged: 8 });
        if (resumed.status !== 'committed') throw new Error('not committed');
        expect(resumed.job).toMatchObject({ status: 'done', processed: BATCH_CHUNK_SIZE + 8, charged: 13 });
        expect(await store.ledgerSum(account.id)).toBe(92);
      });

      it('writes nothing for a cancelled job, nor for charges of another account', async () => {
        const account = await newAccount('prepaid', 10);
        const other = await newAccount('prepaid', 10);
        const job = await run(await draft(account.id, 2));
        const chunk = (await store.nextBatchChunk(job.id))!;
        await expect(
          store.commitBatchChunk(job.id, 0, chargesFor(other.id, chunk.entries), 'theirs'),
        ).rejects.toMatchObject({ code: 'invalid' });
        await expect(
          store.commitBatchChunk(job.id, 7, chargesFor(account.id, chunk.entries), 'no such chunk'),
        ).rejects.toMatchObject({ code: 'not_found' });
        await store.transitionBatchJob(account.id, job.id, ['queued', 'running'], 'cancelled');
        const result = await store.commitBatchChunk(job.id, 0, chargesFor(account.id, chunk.entries), 'late');
        expect(result).toMatchObject({ status: 'skipped', job: { status: 'cancelled' } });
        expect(await store.ledgerSum(account.id)).toBe(10);
        expect(await store.ledgerSum(other.id)).toBe(10);
        expect((await store.queryLog(account.id)).rows).toEqual([]);
        expect(await store.batchChunkOutputs(account.id, job.id, 0, 10)).toEqual([]);
        // A draft is not run either.
        const notStarted = await draft(account.id, 1);
        expect(
          (await store.commitBatchChunk(notStarted.id, 0, chargesFor(account.id, ['13900000000']), 'x'))
            .status,
        ).toBe('skipped');
        expect(await store.ledgerSum(account.id)).toBe(10);
      });

      it('leases a runnable job to one owner at a time, until it runs out or is released', async () => {
        const account = await newAccount('prepaid', 10);
        const job = await draft(account.id, 2);
        // A draft is not runnable, so it cannot be held.
        expect(await store.claimBatchJob(job.id, 'node-a', 60_000)).toBe(false);
        await run(job);
        expect(await store.claimBatchJob(job.id, 'node-a', 60_000)).toBe(true);
        expect(await store.claimBatchJob(job.id, 'node-b', 60_000)).toBe(false);
        // Renewing is claiming again.
        expect(await store.claimBatchJob(job.id, 'node-a', 60_000)).toBe(true);
        expect(await store.claimBatchJob(9_999_999, 'node-a', 60_000)).toBe(false);

        // node-a lets go of everything it holds; node-b takes the job and lets its lease run out.
        await store.releaseBatchJobs('node-a');
        expect(await store.claimBatchJob(job.id, 'node-b', 50)).toBe(true);
        expect(await store.claimBatchJob(job.id, 'node-a', 60_000)).toBe(false);
        await new Promise((resolve) => setTimeout(resolve, 80));
        expect(await store.claimBatchJob(job.id, 'node-a', 60_000)).toBe(true);

        // A finished job is held by no one.
        await store.transitionBatchJob(account.id, job.id, ['queued', 'running'], 'cancelled');
        expect(await store.claimBatchJob(job.id, 'node-a', 60_000)).toBe(false);
      });

      it('times leases by the store’s clock, not by the clock of the node that asks', async () => {
        const account = await newAccount('prepaid', 10);
        const job = await draft(account.id, 2);
        await run(job);
        expect(await store.claimBatchJob(job.id, 'node-a', 60_000)).toBe(true);
        // A node whose clock runs an hour ahead: node-a's lease has 60 s to run all the same.
        vi.useFakeTimers({ toFake: ['Date'] });
        try {
          vi.setSystemTime(Date.now() + 3_600_000);
          expect(await store.claimBatchJob(job.id, 'node-b', 60_000)).toBe(false);
        } finally {
          vi.useRealTimers();
        }
        // And one whose clock is behind cannot hold a lease longer than it asked for.
        await store.releaseBatchJobs('node-a');
        vi.useFakeTimers({ toFake: ['Date'] });
        try {
          vi.setSystemTime(Date.now() - 3_600_000);
          expect(await store.claimBatchJob(job.id, 'node-b', 50)).toBe(true);
        } finally {
          vi.useRealTimers();
        }
        await new Promise((resolve) => setTimeout(resolve, 80));
        expect(await store.claimBatchJob(job.id, 'node-a', 60_000)).toBe(true);
      });
    });

    it('keeps the cluster’s portability feeds with their files, and forgets those before a full one', async () => {
      await withOwnStore(engine, async (own) => {
        async function* chunksOf(...parts: string[]) {
          for (const part of parts) yield Buffer.from(part);
        }
        const read = async (feedId: number, chunks: number) => {
          const parts: Buffer[] = [];
          for (let i = 0; i < chunks; i++) parts.push(Buffer.from((await own.portedFeedChunk(feedId, i))!));
          return Buffer.concat(parts).toString();
        };
        const full = await own.addPortedFeed(
          { node: 'node-a', kind: 'full', fileName: 'full.csv', skipInvalid: false, seq: 7 },
          chunksOf('13972565391,联通\n', '', '13800138000,电信\n'),
        );
        expect(full).toMatchObject({ node: 'node-a', kind: 'full', seq: 7, skipInvalid: false, chunks: 2 });
        expect(full.bytes).toBe(Buffer.byteLength('13972565391,联通\n13800138000,电信\n'));
        expect(await read(full.id, full.chunks)).toBe('13972565391,联通\n13800138000,电信\n');
        expect(await own.portedFeedChunk(full.id, 2)).toBeUndefined();

        // A file that cannot be read to its end leaves no feed behind.
        async function* broken() {
          yield Buffer.from('8,port,13972565391,电信,2024-07-01\n');
          throw new Error('disk gone');
        }
        await expect(
          own.addPortedFeed(
            { node: 'node-b', kind: 'delta', fileName: 'x.csv', skipInvalid: false },
            broken(),
          ),
        ).rejects.toThrow('disk gone');

        const delta = await own.addPortedFeed(
          { node: 'node-b', kind: 'delta', fileName: 'd.csv', skipInvalid: true },
          chunksOf('8,port,13972565391,电信,2024-07-01\n'),
        );
        expect(delta).toMatchObject({ kind: 'delta', seq: null, skipInvalid: true, chunks: 1 });
        expect((await own.portedFeedsAfter(0, 10)).map((feed) => feed.id)).toEqual([full.id, delta.id]);
        expect((await own.portedFeedsAfter(full.id, 10)).map((feed) => feed.id)).toEqual([delta.id]);
        expect((await own.portedFeedsAfter(0, 1)).map((feed) => feed.id)).toEqual([full.id]);

        const newer = await own.addPortedFeed(
          { node: 'node-b', kind: 'full', fileName: 'f2.csv', skipInvalid: false },
          chunksOf('13972565391,电信\n'),
        );
        expect((await own.latestFullPortedFeed())?.id).toBe(newer.id);
        expect(await own.prunePortedFeeds(newer.id)).toBe(2);
        expect((await own.portedFeedsAfter(0, 10)).map((feed) => feed.id)).toEqual([newer.id]);
        expect(await own.portedFeedChunk(full.id, 0)).toBeUndefined();
        expect(await read(newer.id, newer.chunks)).toBe('13972565391,电信\n');

        // Recorded again under the same origin (a node that stopped before it could forget it):
        // the feed recorded first, and its file is not read again.
        const origin = 'node-b/6f1d';
        const once = await own.addPortedFeed(
          { node: 'node-b', kind: 'delta', fileName: 'o.csv', skipInvalid: false, origin },
          chunksOf('9,port,13972565391,联通,2024-07-02\n'),
        );
        const twice = await own.addPortedFeed(
          { node: 'node-b', kind: 'delta', fileName: 'o.csv', skipInvalid: false, origin },
          broken(),
        );
        expect(twice).toEqual(once);
        expect((await own.portedFeedsAfter(newer.id, 10)).map((feed) => feed.id)).toEqual([once.id]);
      });
    });

    it('records data imports, and fails the ones a stopped process left running', async () => {
      await withOwnStore(engine, async (own) => {
        const started = await own.createDataImport({
          node: 'host-a:/var/mnpd',
          operator: 'admin',
          origin: 'console',
          kind: 'full',
          fileName: 'full.csv',
        });
        expect(started).toMatchObject({
          node: 'host-a:/var/mnpd',
          operator: 'admin',
          kind: 'full',
          fileName: 'full.csv',
          status: 'running',
          rows: 0,
          message: null,
          report: null,
          finishedAt: null,
        });
        const report = JSON.stringify({ invalid: [{ line: 3, reason: 'bad number' }] });
        const finished = await own.finishDataImport(started.id, {
          status: 'applied',
          rows: 12_345,
          message: 'applied 12345 rows',
          report,
        });
        expect(finished).toMatchObject({
          status: 'applied',
          rows: 12_345,
          message: 'applied 12345 rows',
          report,
        });
        expect(finished.finishedAt).toBeInstanceOf(Date);
        expect(await own.getDataImport(started.id)).toEqual(finished);
        expect(await own.getDataImport(started.id + 1000)).toBeUndefined();
        await expect(
          own.finishDataImport(started.id + 1000, { status: 'failed', rows: 0, message: 'x', report: null }),
        ).rejects.toMatchObject({ code: 'not_found' });

        const left = (node: string, operator: string, fileName: string) =>
          own.createDataImport({ node, operator, origin: 'inbox', kind: 'delta', fileName });
        const first = await left('host-a:/var/mnpd', 'admin', 'd1.csv');
        const second = await left('host-a:/var/mnpd', 'root', 'd2.csv');
        // Another node's import is still running there: this node's restart leaves it alone.
        const elsewhere = await left('host-b:/var/mnpd', 'admin', 'd3.csv');
        expect(await own.failRunningImports('host-a:/var/mnpd')).toBe(2);
        expect(await own.failRunningImports('host-a:/var/mnpd')).toBe(0);
        expect(await own.getDataImport(first.id)).toMatchObject({ status: 'failed', message: 'interrupted' });
        expect(await own.getDataImport(elsewhere.id)).toMatchObject({ status: 'running' });

        const page = await own.listDataImports({ limit: 3 });
        expect(page.rows.map((row) => row.id)).toEqual([elsewhere.id, second.id, first.id]);
        expect(await own.listDataImports({ limit: 3, before: page.next! })).toEqual({
          rows: [finished],
          next: null,
        });
      });
    });

    it('prunes expired sessions and old drafts with their chunks, nothing else', async () => {
      await withOwnStore(engine, async (own) => {
        const account = await own.createAccount({ name: 'prune', feeType: 'prepaid', balance: 10 });
        const expired = session(account.id, { expiresAt: new Date(Date.now() - 1000) });
        const live = session(account.id);
        await own.createSession(expired);
        await own.createSession(live);
        const newJob = (count: number) =>
          own.createBatchJob({
            accountId: account.id,
            fileName: 'f.txt',
            entries: entries(count),
            invalid: 0,
            duplicates: 0,
          });
        const oldDraft = await newJob(BATCH_CHUNK_SIZE + 1);
        const started = await newJob(1);
        await own.transitionBatchJob(account.id, started.id, ['draft'], 'queued');
        const cutoff = new Date(Date.now() + 1000);
        const keep = { queryLogBefore: new Date(0), idempotencyBefore: new Date(0) };

        // Without draftsBefore, drafts stay: the expired session (1 row) goes.
        expect(await own.prune(keep)).toBe(1);
        expect(await own.getBatchJob(account.id, oldDraft.id)).toBeDefined();
        // The old draft's job row and its two chunks.
        expect(await own.prune({ ...keep, draftsBefore: cutoff })).toBe(3);
        expect(await own.getBatchJob(account.id, oldDraft.id)).toBeUndefined();
        expect(await own.nextBatchChunk(oldDraft.id)).toBeUndefined();
        expect(await own.getBatchJob(account.id, started.id)).toMatchObject({ status: 'queued' });
        expect(await own.nextBatchChunk(started.id)).toMatchObject({ chunkNo: 0 });
        expect(await own.getSession(live.idHash)).toEqual(live);
        expect(await own.prune({ ...keep, draftsBefore: cutoff })).toBe(0);
      });
    });

    it('upgrades a database made by 0001 without losing what it holds', async () => {
      const old = await engine.create();
      const raw = old.raw();
      let upgraded: Store | undefined;
      try {
        const migrationTableSchema =
          engine.engine === 'postgres'
            ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(raw)).rows[0].schema
            : undefined;
        const migrator = new Migrator({
          db: raw,
          migrationTableSchema,
          provider: { getMigrations: async () => ({ '0001_initial': initial(engine.engine) }) },
        });
        const { error } = await migrator.migrateToLatest();
        expect(error).toBeUndefined();
        const at = (ms: number) => (engine.engine === 'postgres' ? new Date(ms) : ms);
        const [{ id }] = await raw
          .insertInto('accounts')
          .values({
            name: 'veteran',
            fee_type: 'prepaid',
            balance: 8,
            credit_limit: null,
            qps_limit: 50,
            status: 'active',
            created_at: at(T0),
          })
          .returning('id')
          .execute();
        const accountId = Number(id);
        await raw
          .insertInto('ledger')
          .values([
            { account_id: accountId, delta: 10, reason: 'opening balance', balance_after: 10, at: at(T0) },
            { account_id: accountId, delta: -2, reason: 'charge', balance_after: 8, at: at(T0 + HOUR) },
          ])
          .execute();
        const logRow = (minute: number, res: string) => ({
          at: at(T0 + HOUR + minute * MINUTE),
          account_id: accountId,
          key_id: null,
          client_ip: '203.0.113.0',
          mobile: '13972565391',
          code: 0,
          res,
          init_isp: '移动',
          now_isp: res === '1' ? '电信' : '移动',
          segments_version: '2502',
          ported_version: null,
          latency_ms: 2,
          request_id: `old-${minute}`,
        });
        await raw
          .insertInto('query_log')
          .values([logRow(5, '1'), logRow(65, '0')])
          .execute();
        // Usage of an hour the log no longer holds, of an hour it holds in part, and of one it holds.
        await raw
          .insertInto('usage_hourly')
          .values([
            { account_id: accountId, hour: at(T0), queries: 5 },
            { account_id: accountId, hour: at(T0 + HOUR), queries: 3 },
            { account_id: accountId, hour: at(T0 + 2 * HOUR), queries: 1 },
          ])
          .execute();
        await raw.destroy();

        upgraded = old.open();
        await upgraded.migrate();
        const account = await upgraded.getAccount(accountId);
        expect(account).toEqual({
          id: accountId,
          name: 'veteran',
          feeType: 'prepaid',
          balance: 8,
          creditLimit: null,
          qpsLimit: 50,
          status: 'active',
          lowBalanceThreshold: null,
          createdAt: new Date(T0),
          // Migration 0015: accounts of before take keys in clear, as they did.
          requireSignatures: false,
          localOnly: false,
        });
        expect(await upgraded.getAccountPasswordHash(accountId)).toBeNull();
        expect(await upgraded.ledgerSum(accountId)).toBe(8);
        const log = (await upgraded.queryLog(accountId)).rows;
        expect(log.map((row) => row.requestId)).toEqual(['old-65', 'old-5']);
        // Rows logged before 0012 do not know their source.
        expect(log.map((row) => row.source)).toEqual([null, null]);
        // The charts begin with the history the log held, and the usage counted beyond it.
        expect(await upgraded.answerStats(accountId, new Date(T0), new Date(T0 + 3 * HOUR))).toEqual([
          { accountId, hour: new Date(T0), code: 0, answers: 5, ported: 0 },
          { accountId, hour: new Date(T0 + HOUR), code: 0, answers: 3, ported: 1 },
          { accountId, hour: new Date(T0 + 2 * HOUR), code: 0, answers: 1, ported: 0 },
        ]);
        expect(
          (await upgraded.usage(accountId, new Date(T0), new Date(T0 + 3 * HOUR))).map((u) => u.queries),
        ).toEqual([5, 3, 1]);
        // And it works as a new one would.
        expect(await upgraded.commitCharges([chargeItem(accountId, { at: T0 + HOUR })])).toEqual([
          { status: 'charged', balanceAfter: 7 },
        ]);
        expect(
          (await upgraded.answerStats(accountId, new Date(T0 + HOUR), new Date(T0 + 2 * HOUR)))[0],
        ).toEqual({
          accountId,
          hour: new Date(T0 + HOUR),
          code: 0,
          answers: 4,
          ported: 2,
        });
        expect((await upgraded.topAccounts(new Date(T0), new Date(T0 + 3 * HOUR), 10))[0]).toEqual({
          accountId,
          name: 'veteran',
          queries: 10,
        });
        await upgraded.migrate();
      } finally {
        await upgraded?.close();
        await old.dispose();
      }
    });
  });
}
