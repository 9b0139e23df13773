/**
 * One suite, run against every engine: SQLite on a temporary file, and PostgreSQL when
 * DATABASE_URL names a server (each run in a schema of its own, dropped afterwards).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BULK_COLUMN_TYPES } from './commit-charges.js';
import { SqliteStore } from './sqlite.js';
import { type ChargeResult, type FeeType, type QueryLogFilter, StoreError } from './store.js';
import {
  HOUR,
  T0,
  chargeItem as charge,
  logSkippedEngines,
  storeEngines,
  storeForThisSuite,
  uniqueName,
  withOwnStore,
} from './test-support/store-engines.js';

const engines = storeEngines;
logSkippedEngines('store tests');

const statuses = (results: ChargeResult[]) => results.map((result) => result.status);

function count(results: ChargeResult[], status: ChargeResult['status']): number {
  return results.filter((result) => result.status === status).length;
}

/** Query-log rows by code, e.g. `{ 0: 3, -5: 2 }`. */
function codes(rows: { code: number }[]): Record<number, number> {
  const counted: Record<number, number> = {};
  for (const { code } of rows) counted[code] = (counted[code] ?? 0) + 1;
  return counted;
}

for (const engine of engines) {
  describe.skipIf(engine.skipReason !== undefined)(`store on ${engine.name}`, () => {
    const { store, withSecondStore } = storeForThisSuite(engine);

    async function newAccount(feeType: FeeType, balance: number, creditLimit: number | null = null) {
      return store.createAccount({ name: uniqueName('acct'), feeType, balance, creditLimit });
    }

    async function expectLedgerMatches(accountId: number): Promise<number> {
      const balance = (await store.getAccount(accountId))!.balance;
      expect(await store.ledgerSum(accountId)).toBe(balance);
      return balance;
    }

    async function allQueryLog(accountId: number) {
      const page = await store.queryLog(accountId, { limit: 1000 });
      expect(page.next).toBeNull();
      return page.rows;
    }

    it('migrates again without change, and answers a ping', async () => {
      await store.migrate();
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('creates, reads, lists and updates accounts', async () => {
      const before = Date.now();
      const name = uniqueName('acme');
      const created = await store.createAccount({ name, feeType: 'prepaid', balance: 12048, qpsLimit: 20 });
      expect(created).toMatchObject({
        name,
        feeType: 'prepaid',
        balance: 12048,
        creditLimit: null,
        qpsLimit: 20,
        status: 'active',
      });
      expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(created.createdAt.getTime()).toBeLessThanOrEqual(Date.now());

      expect(await store.getAccount(created.id)).toEqual(created);
      expect(await store.getAccountByName(name)).toEqual(created);
      expect(await store.getAccount(created.id + 1_000_000)).toBeUndefined();
      expect(await store.getAccountByName('no such account')).toBeUndefined();
      expect((await store.listAccounts()).map((a) => a.id)).toContain(created.id);

      const updated = await store.updateAccount(created.id, {
        feeType: 'postpaid',
        creditLimit: 500,
        qpsLimit: null,
        status: 'suspended',
      });
      expect(updated).toEqual({
        ...created,
        feeType: 'postpaid',
        creditLimit: 500,
        qpsLimit: null,
        status: 'suspended',
      });
      expect(await store.getAccount(created.id)).toEqual(updated);
      // Only what is given changes.
      expect(await store.updateAccount(created.id, { status: 'active' })).toEqual({
        ...updated,
        status: 'active',
      });
      expect(await store.updateAccount(created.id, {})).toEqual({ ...updated, status: 'active' });
    });

    it('refuses a duplicate name, an unknown account and invalid values with StoreError', async () => {
      const first = await newAccount('prepaid', 0);
      const duplicate = store.createAccount({ name: first.name, feeType: 'postpaid', balance: 0 });
      await expect(duplicate).rejects.toBeInstanceOf(StoreError);
      await expect(duplicate).rejects.toMatchObject({ code: 'duplicate' });
      await expect(store.updateAccount(first.id + 1_000_000, { status: 'active' })).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(store.adjustBalance(first.id + 1_000_000, 5, 'topup')).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(store.adjustBalance(first.id, 1.5, 'topup')).rejects.toMatchObject({ code: 'invalid' });
      await expect(store.updateAccount(first.id, { creditLimit: -1 })).rejects.toMatchObject({
        code: 'invalid',
      });
      await expect(store.createAccount({ name: ' ', feeType: 'prepaid', balance: 0 })).rejects.toMatchObject({
        code: 'invalid',
      });
      // A refused creation leaves no trace.
      expect((await store.listAccounts()).filter((a) => a.name === first.name)).toHaveLength(1);
    });

    it('adjusts balances through the ledger and pages it newest first', async () => {
      const account = await newAccount('prepaid', 100);
      await store.adjustBalance(account.id, 50, 'topup');
      await store.adjustBalance(account.id, -30, 'adjustment: refund of a test batch');
      const last = await store.adjustBalance(account.id, 5, 'topup');
      expect(last).toMatchObject({ accountId: account.id, delta: 5, reason: 'topup', balanceAfter: 125 });
      expect(last.at).toBeInstanceOf(Date);
      expect(await expectLedgerMatches(account.id)).toBe(125);

      const first = await store.ledger(account.id, { limit: 3 });
      expect(first.rows.map((e) => [e.delta, e.balanceAfter])).toEqual([
        [5, 125],
        [-30, 120],
        [50, 150],
      ]);
      expect(first.next).toBe(first.rows[2].id);
      const second = await store.ledger(account.id, { limit: 3, before: first.next! });
      expect(second.rows.map((e) => [e.reason, e.delta, e.balanceAfter])).toEqual([
        ['opening balance', 100, 100],
      ]);
      expect(second.next).toBeNull();
      // A page that ends exactly at the last entry says so.
      expect((await store.ledger(account.id, { limit: 4 })).next).toBeNull();
    });

    it('creates, finds, lists and revokes keys of both kinds', async () => {
      const account = await newAccount('prepaid', 10);
      const other = await newAccount('prepaid', 10);
      const apikeyHash = randomBytes(32).toString('hex');
      const appcodeHash = randomBytes(32).toString('hex');
      const apikey = await store.createKey(account.id, 'apikey', apikeyHash, '7c11', 'production');
      const appcode = await store.createKey(account.id, 'appcode', appcodeHash, 'a9f0', 'aliyun');
      expect(apikey).toMatchObject({
        accountId: account.id,
        kind: 'apikey',
        hash: apikeyHash,
        hint: '7c11',
        label: 'production',
        revokedAt: null,
      });
      expect(apikey.createdAt).toBeInstanceOf(Date);

      expect(await store.findKey('apikey', apikeyHash)).toEqual({ key: apikey, account });
      expect(await store.findKey('appcode', appcodeHash)).toEqual({ key: appcode, account });
      // The kind is part of the lookup: an apikey is no appcode.
      expect(await store.findKey('appcode', apikeyHash)).toBeUndefined();
      expect(await store.findKey('apikey', randomBytes(32).toString('hex'))).toBeUndefined();
      await expect(store.createKey(other.id, 'apikey', apikeyHash, '7c11', 'copy')).rejects.toMatchObject({
        code: 'duplicate',
      });
      await expect(
        store.createKey(account.id + 1_000_000, 'apikey', 'x'.repeat(64), 'xxxx', ''),
      ).rejects.toMatchObject({
        code: 'not_found',
      });

      expect(await store.listKeys(account.id)).toEqual([apikey, appcode]);
      expect(await store.revokeKey(other.id, apikey.id)).toBe(false);
      expect(await store.revokeKey(account.id, apikey.id)).toBe(true);
      expect(await store.revokeKey(account.id, apikey.id)).toBe(false);
      expect(await store.findKey('apikey', apikeyHash)).toBeUndefined();
      const [revoked, active] = await store.listKeys(account.id);
      expect(revoked.revokedAt).toBeInstanceOf(Date);
      expect(active).toEqual(appcode);
      expect(await store.listKeys(other.id)).toEqual([]);
    });

    it('adds, lists and removes IP rules, refusing duplicates', async () => {
      const account = await newAccount('prepaid', 0);
      const other = await newAccount('prepaid', 0);
      const v4 = await store.addIpRule(account.id, '203.0.113.0/24');
      const v6 = await store.addIpRule(account.id, '2001:db8::/32');
      expect(v4).toMatchObject({ accountId: account.id, cidr: '203.0.113.0/24' });
      await expect(store.addIpRule(account.id, '203.0.113.0/24')).rejects.toMatchObject({
        code: 'duplicate',
      });
      await expect(store.addIpRule(account.id + 1_000_000, '198.51.100.7/32')).rejects.toMatchObject({
        code: 'not_found',
      });
      // The same network may belong to another account too.
      await store.addIpRule(other.id, '203.0.113.0/24');
      expect(await store.listIpRules(account.id)).toEqual([v4, v6]);

      expect(await store.removeIpRule(account.id, '203.0.113.0/24')).toBe(true);
      expect(await store.removeIpRule(account.id, '203.0.113.0/24')).toBe(false);
      expect(await store.listIpRules(account.id)).toEqual([v6]);
      expect((await store.listIpRules(other.id)).map((r) => r.cidr)).toEqual(['203.0.113.0/24']);
    });

    it('charges prepaid accounts down to exactly zero, within a batch and across batches', async () => {
      const account = await newAccount('prepaid', 3);
      const results = await store.commitCharges(Array.from({ length: 5 }, () => charge(account.id)));
      expect(results).toEqual([
        { status: 'charged', balanceAfter: 2 },
        { status: 'charged', balanceAfter: 1 },
        { status: 'charged', balanceAfter: 0 },
        { status: 'insufficient' },
        { status: 'insufficient' },
      ]);
      expect(await store.commitCharges([charge(account.id)])).toEqual([{ status: 'insufficient' }]);
      expect(await expectLedgerMatches(account.id)).toBe(0);
      const [chargeEntry] = (await store.ledger(account.id)).rows;
      expect(chargeEntry).toMatchObject({ delta: -3, reason: 'charge', balanceAfter: 0 });
      // Refused queries are logged too, as the -5 answers they got.
      expect(codes(await allQueryLog(account.id))).toEqual({ 0: 3, [-5]: 3 });

      const refilled = await newAccount('prepaid', 2);
      expect(statuses(await store.commitCharges([charge(refilled.id)]))).toEqual(['charged']);
      expect(statuses(await store.commitCharges([charge(refilled.id), charge(refilled.id)]))).toEqual([
        'charged',
        'insufficient',
      ]);
      await store.adjustBalance(refilled.id, 1, 'topup');
      expect(await store.commitCharges([charge(refilled.id)])).toEqual([
        { status: 'charged', balanceAfter: 0 },
      ]);
      expect(await expectLedgerMatches(refilled.id)).toBe(0);
      expect((await store.ledger(refilled.id)).rows.map((e) => [e.reason, e.delta])).toEqual([
        ['charge', -1],
        ['topup', 1],
        ['charge', -1],
        ['charge', -1],
        ['opening balance', 2],
      ]);
    });

    it('lets postpaid accounts go down to their credit limit, or without bound when it is null', async () => {
      const limited = await newAccount('postpaid', 1, 2);
      const results = await store.commitCharges(Array.from({ length: 5 }, () => charge(limited.id)));
      expect(results).toEqual([
        { status: 'charged', balanceAfter: 0 },
        { status: 'charged', balanceAfter: -1 },
        { status: 'charged', balanceAfter: -2 },
        { status: 'insufficient' },
        { status: 'insufficient' },
      ]);
      expect(await expectLedgerMatches(limited.id)).toBe(-2);

      const unlimited = await newAccount('postpaid', 0, null);
      const many = await store.commitCharges(Array.from({ length: 60 }, () => charge(unlimited.id)));
      expect(count(many, 'charged')).toBe(60);
      expect(await expectLedgerMatches(unlimited.id)).toBe(-60);
    });

    it('writes a batch larger than one statement can carry', async () => {
      const account = await newAccount('postpaid', 0, null);
      const items = Array.from({ length: 2500 }, (_, i) =>
        charge(account.id, { key: `big-${i}`, at: T0 + i * 2000 }),
      );
      expect(count(await store.commitCharges(items), 'charged')).toBe(2500);
      expect(count(await store.commitCharges(items), 'replay')).toBe(2500);
      expect(await expectLedgerMatches(account.id)).toBe(-2500);
      expect((await store.queryLog(account.id, { limit: 1000 })).rows).toHaveLength(1000);
      // One every two seconds: 1800 in the first hour, the other 700 in the next.
      const usage = await store.usage(account.id, new Date(T0), new Date(T0 + 2 * HOUR));
      expect(usage.map((u) => u.queries)).toEqual([1800, 700]);
    });

    it('keeps awkward text and nulls of log rows and replay bodies exactly as given', async () => {
      const account = await newAccount('prepaid', 10);
      // What an array literal or a VALUES list must escape: quotes, commas, braces, backslashes,
      // NULL spelled out, empty strings, non-ASCII.
      const awkward = [
        '{"a,b"}',
        'back\\slash \\" quote',
        'NULL',
        '',
        '中国移动 ✓',
        "it's",
        '{}',
        ' spaced ',
      ];
      const items = awkward.map((text, i) => {
        const item = charge(account.id, { key: `k${i}-${text}`, body: text, at: T0 + i * 1000 });
        item.log = { ...item.log, requestId: text, segmentsVersion: i % 2 ? null : text, nowIsp: text };
        return item;
      });
      expect(count(await store.commitCharges(items), 'charged')).toBe(awkward.length);
      const logged = (await allQueryLog(account.id)).reverse();
      expect(logged.map((row) => [row.requestId, row.segmentsVersion, row.nowIsp])).toEqual(
        awkward.map((text, i) => [text, i % 2 ? null : text, text]),
      );
      // Each key replays its own body.
      const replays = await store.commitCharges(items);
      expect(replays).toEqual(awkward.map((text) => ({ status: 'replay', body: text })));
    });

    it.runIf(engine.engine === 'postgres')(
      'types the bulk inserts as the schema types the columns',
      async () => {
        const database = await engine.create();
        const migrated = database.open();
        const raw = database.raw();
        try {
          await migrated.migrate();
          const spelled: Record<string, string> = {
            bigint: 'bigint',
            integer: 'integer',
            text: 'text',
            'timestamp with time zone': 'timestamptz',
          };
          for (const [table, columns] of Object.entries(BULK_COLUMN_TYPES)) {
            const { rows } = await sql<{ column_name: string; data_type: string }>`
            select column_name, data_type from information_schema.columns
            where table_schema = current_schema() and table_name = ${table}`.execute(raw);
            const actual = Object.fromEntries(rows.map((row) => [row.column_name, spelled[row.data_type]]));
            for (const [column, type] of Object.entries(columns))
              expect([table, column, actual[column]]).toEqual([table, column, type]);
          }
        } finally {
          await raw.destroy();
          await migrated.close();
          await database.dispose();
        }
      },
    );

    it('does not treat suspension as a lack of balance (the HTTP layer refuses suspended accounts)', async () => {
      const account = await newAccount('prepaid', 1);
      await store.updateAccount(account.id, { status: 'suspended' });
      expect(statuses(await store.commitCharges([charge(account.id)]))).toEqual(['charged']);
    });

    it('writes one charge ledger entry per account of a mixed batch', async () => {
      const a = await newAccount('prepaid', 10);
      const b = await newAccount('postpaid', 0, null);
      const results = await store.commitCharges([
        charge(a.id),
        charge(b.id),
        charge(a.id),
        charge(b.id),
        charge(b.id),
      ]);
      expect(results).toEqual([
        { status: 'charged', balanceAfter: 9 },
        { status: 'charged', balanceAfter: -1 },
        { status: 'charged', balanceAfter: 8 },
        { status: 'charged', balanceAfter: -2 },
        { status: 'charged', balanceAfter: -3 },
      ]);
      expect((await store.ledger(a.id)).rows[0]).toMatchObject({
        reason: 'charge',
        delta: -2,
        balanceAfter: 8,
      });
      expect((await store.ledger(b.id)).rows[0]).toMatchObject({
        reason: 'charge',
        delta: -3,
        balanceAfter: -3,
      });
      expect(await expectLedgerMatches(a.id)).toBe(8);
      expect(await expectLedgerMatches(b.id)).toBe(-3);
    });

    it('replays a known idempotency key with the first body, in the same batch and later ones', async () => {
      const account = await newAccount('prepaid', 2);
      const other = await newAccount('prepaid', 1);
      const first = await store.commitCharges([
        charge(account.id, { key: 'req-1', body: 'first' }),
        charge(account.id, { key: 'req-1', body: 'second' }),
        charge(other.id, { key: 'req-1', body: 'other account' }),
        charge(account.id, { key: 'req-2', body: 'req-2' }),
      ]);
      expect(first).toEqual([
        { status: 'charged', balanceAfter: 1 },
        { status: 'replay', body: 'first' },
        { status: 'charged', balanceAfter: 0 },
        { status: 'charged', balanceAfter: 0 },
      ]);
      // Replays are answered even at zero balance, and cost nothing.
      expect(
        await store.commitCharges([
          charge(account.id, { key: 'req-1', body: 'third' }),
          charge(account.id, { key: 'req-3' }),
        ]),
      ).toEqual([{ status: 'replay', body: 'first' }, { status: 'insufficient' }]);
      // A refused key was not remembered: it is charged once there is balance again.
      await store.adjustBalance(account.id, 1, 'topup');
      expect(await store.commitCharges([charge(account.id, { key: 'req-3', body: 'req-3' })])).toEqual([
        { status: 'charged', balanceAfter: 0 },
      ]);
      expect(await expectLedgerMatches(account.id)).toBe(0);
      // Replays write nothing; the refused req-3 wrote its -5 row.
      expect(codes(await allQueryLog(account.id))).toEqual({ 0: 3, [-5]: 1 });
      expect(codes(await allQueryLog(other.id))).toEqual({ 0: 1 });
    });

    it('logs charged items and refused ones (as -5), and pages the log newest first with filters', async () => {
      const account = await newAccount('prepaid', 7);
      const key = await store.createKey(account.id, 'apikey', randomBytes(32).toString('hex'), 'beef', '');
      const items = Array.from({ length: 9 }, (_, i) =>
        charge(account.id, { at: T0 + i * 60_000, mobile: `1397256539${i}` }),
      );
      items[0].log = {
        ...items[0].log,
        keyId: key.id,
        res: null,
        initIsp: null,
        nowIsp: null,
        segmentsVersion: null,
        portedVersion: null,
        source: null,
      };
      expect(count(await store.commitCharges(items), 'charged')).toBe(7);

      const all = await allQueryLog(account.id);
      expect(all.map((row) => row.mobile)).toEqual(Array.from({ length: 9 }, (_, i) => `1397256539${8 - i}`));
      const oldest = all[all.length - 1];
      const { id, ...logged } = oldest;
      expect(id).toBeGreaterThan(0);
      expect(logged).toEqual(items[0].log);
      // The last two were refused: logged with the answer they got, no result.
      for (const [i, row] of [all[1], all[0]].entries()) {
        expect(row).toEqual({
          ...items[7 + i].log,
          id: row.id,
          code: -5,
          res: null,
          initIsp: null,
          nowIsp: null,
        });
      }

      const first = await store.queryLog(account.id, { limit: 4 });
      expect(first.rows.map((row) => row.id)).toEqual(all.slice(0, 4).map((row) => row.id));
      const second = await store.queryLog(account.id, { limit: 4, before: first.next! });
      expect(second.rows.map((row) => row.id)).toEqual(all.slice(4, 8).map((row) => row.id));
      const third = await store.queryLog(account.id, { limit: 4, before: second.next! });
      expect(third.rows.map((row) => row.id)).toEqual([oldest.id]);
      expect(third.next).toBeNull();

      // from is inclusive, to exclusive.
      const window = await store.queryLog(account.id, {
        from: new Date(T0 + 2 * 60_000),
        to: new Date(T0 + 5 * 60_000),
      });
      expect(window.rows.map((row) => row.mobile)).toEqual(['13972565394', '13972565393', '13972565392']);
      const pagedWindow = await store.queryLog(account.id, { from: new Date(T0 + 2 * 60_000), limit: 2 });
      expect(pagedWindow.rows.map((row) => row.mobile)).toEqual(['13972565398', '13972565397']);
      const rest = await store.queryLog(account.id, {
        from: new Date(T0 + 2 * 60_000),
        before: pagedWindow.next!,
      });
      expect(rest.rows.map((row) => row.mobile)).toEqual([
        '13972565396',
        '13972565395',
        '13972565394',
        '13972565393',
        '13972565392',
      ]);

      // By code and by number, alone and with the other filters.
      const mobiles = async (filter: QueryLogFilter) =>
        (await store.queryLog(account.id, filter)).rows.map((row) => row.mobile);
      expect(await mobiles({ code: -5 })).toEqual(['13972565398', '13972565397']);
      expect(await mobiles({ code: 0, limit: 1000 })).toHaveLength(7);
      expect(await mobiles({ code: -4 })).toEqual([]);
      expect(await mobiles({ mobile: '13972565393' })).toEqual(['13972565393']);
      expect(await mobiles({ mobile: '13972565398', code: 0 })).toEqual([]);
      expect(await mobiles({ code: 0, from: new Date(T0 + 5 * 60_000), limit: 1 })).toEqual(['13972565396']);
      const byCode = await store.queryLog(account.id, { code: 0, limit: 3 });
      const nextByCode = await store.queryLog(account.id, { code: 0, limit: 3, before: byCode.next! });
      expect(nextByCode.rows.map((row) => row.mobile)).toEqual(['13972565393', '13972565392', '13972565391']);
      await expect(store.queryLog(account.id, { code: 0.5 })).rejects.toMatchObject({ code: 'invalid' });
    });

    it('pages the log newest first by time, the id breaking ties, whatever order the rows came in', async () => {
      const account = await newAccount('postpaid', 0);
      // Committed in this order; answered at these minutes (two at minute 2).
      const minutes = [3, 1, 2, 2, 5, 4];
      await store.commitCharges(
        minutes.map((minute, i) =>
          charge(account.id, { at: T0 + minute * 60_000, mobile: `1397256539${i}` }),
        ),
      );
      const all = (await store.queryLog(account.id)).rows;
      expect(all.map((row) => row.mobile)).toEqual([
        '13972565394',
        '13972565395',
        '13972565390',
        '13972565393',
        '13972565392',
        '13972565391',
      ]);
      const pages: string[][] = [];
      let before: number | undefined;
      do {
        const page = await store.queryLog(account.id, { limit: 2, before });
        pages.push(page.rows.map((row) => row.mobile));
        before = page.next ?? undefined;
      } while (before !== undefined);
      expect(pages).toEqual([
        ['13972565394', '13972565395'],
        ['13972565390', '13972565393'],
        ['13972565392', '13972565391'],
      ]);
      // An id that is no row of the account continues below it: another account's row, or any number.
      const other = await newAccount('postpaid', 0);
      await store.commitCharges([charge(other.id, { at: T0 })]);
      const [foreign] = (await store.queryLog(other.id)).rows;
      expect((await store.queryLog(account.id, { before: foreign.id })).rows).toHaveLength(6);
      expect(
        (await store.queryLog(account.id, { before: Number.MAX_SAFE_INTEGER })).rows.map((row) => row.mobile),
      ).toEqual(all.map((row) => row.mobile));
    });

    it('counts charged queries per hour', async () => {
      const account = await newAccount('prepaid', 5);
      await store.commitCharges([
        charge(account.id, { at: T0 + 5 * 60_000 }),
        charge(account.id, { at: T0 + 59 * 60_000 + 59_999 }),
        charge(account.id, { at: T0 + HOUR }),
      ]);
      await store.commitCharges([
        charge(account.id, { at: T0 + 30 * 60_000 }),
        charge(account.id, { at: T0 + 30 * 60_000, key: 'usage' }),
        charge(account.id, { at: T0 + 30 * 60_000, key: 'usage' }),
        charge(account.id, { at: T0 + 2 * HOUR }),
      ]);
      expect(await store.usage(account.id, new Date(T0), new Date(T0 + 3 * HOUR))).toEqual([
        { accountId: account.id, hour: new Date(T0), queries: 4 },
        { accountId: account.id, hour: new Date(T0 + HOUR), queries: 1 },
      ]);
      expect(await store.usage(account.id, new Date(T0 + HOUR), new Date(T0 + 2 * HOUR))).toEqual([
        { accountId: account.id, hour: new Date(T0 + HOUR), queries: 1 },
      ]);
    });

    it('prunes old query-log and idempotency rows', async () => {
      // A database of its own: the idempotency cut-off is the wall clock, which would reach other tests' rows.
      await withOwnStore(engine, async (pruned) => {
        const account = await pruned.createAccount({ name: 'prune', feeType: 'postpaid', balance: 0 });
        const other = await pruned.createAccount({ name: 'prune-2', feeType: 'postpaid', balance: 0 });
        await pruned.commitCharges([
          charge(account.id, { at: T0 - 2 * HOUR, key: 'old-1' }),
          charge(account.id, { at: T0 - HOUR, key: 'old-2' }),
          charge(account.id, { at: T0 }),
          charge(other.id, { at: T0 - 3 * HOUR }),
          charge(other.id, { at: T0 - 2 * HOUR }),
        ]);
        const cutoff = new Date(Date.now() + 1000);
        // Each account's old rows (1 + 2) and the two idempotency keys.
        expect(await pruned.prune({ queryLogBefore: new Date(T0 - HOUR), idempotencyBefore: cutoff })).toBe(
          5,
        );
        expect((await pruned.queryLog(account.id)).rows.map((row) => row.at)).toEqual([
          new Date(T0),
          new Date(T0 - HOUR),
        ]);
        expect((await pruned.queryLog(other.id)).rows).toEqual([]);
        // A pruned key is forgotten: the same request id is a new query now.
        expect(statuses(await pruned.commitCharges([charge(account.id, { key: 'old-1' })]))).toEqual([
          'charged',
        ]);
        expect(await pruned.prune({ queryLogBefore: new Date(0), idempotencyBefore: new Date(0) })).toBe(0);
      });
    });

    it('creates and reads operators', async () => {
      expect(await store.countOperators()).toBe(0);
      const operator = await store.createOperator('admin', '$scrypt$hash');
      expect(operator).toMatchObject({ username: 'admin', passwordHash: '$scrypt$hash' });
      expect(operator.createdAt).toBeInstanceOf(Date);
      await expect(store.createOperator('admin', 'other')).rejects.toMatchObject({ code: 'duplicate' });
      expect(await store.getOperator('admin')).toEqual(operator);
      expect(await store.getOperator('nobody')).toBeUndefined();
      expect(await store.countOperators()).toBe(1);
    });

    it('stays exact when 20 batches charge one prepaid account at once, from two stores', async () => {
      const account = await newAccount('prepaid', 200);
      const results = await withSecondStore(async (other) => {
        const calls = Array.from({ length: 20 }, (_, call) =>
          (call % 2 === 0 ? store : other).commitCharges(
            Array.from({ length: 25 }, (_, i) => charge(account.id, { key: `c${call}-${i}` })),
          ),
        );
        return (await Promise.all(calls)).flat();
      });
      expect(count(results, 'charged')).toBe(200);
      expect(count(results, 'insufficient')).toBe(300);
      expect(await expectLedgerMatches(account.id)).toBe(0);
      expect(codes(await allQueryLog(account.id))).toEqual({ 0: 200, [-5]: 300 });
      const charges = (await store.ledger(account.id, { limit: 1000 })).rows.filter(
        (e) => e.reason === 'charge',
      );
      expect(charges.reduce((sum, e) => sum + e.delta, 0)).toBe(-200);
      // Every batch saw the balance the previous one left: balances after a charge are all distinct.
      const after = results.flatMap((r) => (r.status === 'charged' ? [r.balanceAfter] : []));
      expect(new Set(after).size).toBe(200);
    });

    it('charges a request id sent to several stores at once only once', async () => {
      const account = await newAccount('prepaid', 10);
      const results = await withSecondStore((other) =>
        Promise.all(
          Array.from({ length: 10 }, (_, call) =>
            (call % 2 === 0 ? store : other).commitCharges([
              charge(account.id, { key: 'retry', body: `try ${call}` }),
            ]),
          ),
        ),
      );
      const flat = results.flat();
      expect(count(flat, 'charged')).toBe(1);
      expect(count(flat, 'replay')).toBe(9);
      const firstBody = `try ${flat.findIndex((r) => r.status === 'charged')}`;
      expect(flat.filter((r) => r.status === 'replay')).toEqual(
        Array(9).fill({ status: 'replay', body: firstBody }),
      );
      expect(await expectLedgerMatches(account.id)).toBe(9);
    });
  });
}

describe('SQLite store across processes', () => {
  const ROUNDS = 40;
  const PER_ROUND = 5;

  interface ChildCharger {
    /** Resolves once the child has opened the store. */
    ready: Promise<void>;
    /** Lets it start charging. */
    go(): void;
    results: Promise<ChargeResult[]>;
  }

  /** A separate process (TypeScript through tsx) running ROUNDS group commits on the same file. */
  function childCharger(file: string, accountId: number): ChildCharger {
    const script = `
      const { SqliteStore } = await import(${JSON.stringify(new URL('./sqlite.ts', import.meta.url).href)});
      const store = new SqliteStore(${JSON.stringify(file)});
      console.log('ready');
      await new Promise((resolve) => process.stdin.once('data', resolve));
      const results = [];
      for (let round = 0; round < ${ROUNDS}; round++) {
        const items = Array.from({ length: ${PER_ROUND} }, (_, i) => ({
          accountId: ${accountId}, idempotencyKey: 'child-' + round + '-' + i, body: '{}',
          log: { at: new Date(), accountId: ${accountId}, keyId: null, clientIp: '203.0.113.0', mobile: '13972565391',
            code: 0, res: '0', initIsp: '移动', nowIsp: '移动', segmentsVersion: null, portedVersion: null,
            latencyMs: 1, requestId: 'child' },
        }));
        results.push(...(await store.commitCharges(items)));
      }
      await store.close();
      console.log(JSON.stringify(results));
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalReady: () => void;
    const ready = new Promise<void>((resolve) => (signalReady = resolve));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.startsWith('ready\n')) signalReady();
    });
    const results = new Promise<ChargeResult[]>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (status) => {
        if (status !== 0) return reject(new Error(`the child process exited with ${status}: ${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChargeResult[]);
      });
    });
    // A child that dies before it is ready must not leave the test waiting for `ready`.
    void results.catch(() => signalReady());
    return { ready, go: () => child.stdin.end('go\n'), results };
  }

  it('stays exact when another process charges the same file at the same time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mnpd-store-'));
    const file = join(dir, 'mnpd.sqlite');
    const store = new SqliteStore(file);
    try {
      await store.migrate();
      const account = await store.createAccount({ name: 'shared', feeType: 'prepaid', balance: 150 });
      const child = childCharger(file, account.id);
      await child.ready;
      child.go();
      const own: ChargeResult[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const items = Array.from({ length: PER_ROUND }, (_, i) =>
          charge(account.id, { key: `parent-${round}-${i}` }),
        );
        own.push(...(await store.commitCharges(items)));
      }
      const all = [...own, ...(await child.results)];
      expect(count(all, 'charged')).toBe(150);
      expect(count(all, 'insufficient')).toBe(2 * ROUNDS * PER_ROUND - 150);
      expect(await store.ledgerSum(account.id)).toBe(0);
      expect((await store.getAccount(account.id))!.balance).toBe(0);
      const rows = (await store.queryLog(account.id, { limit: 1000 })).rows;
      expect(codes(rows)).toEqual({ 0: 150, [-5]: 2 * ROUNDS * PER_ROUND - 150 });
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
