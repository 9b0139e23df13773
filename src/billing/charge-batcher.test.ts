import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/open-store.js';
import type { ChargeItem, Store } from '../store/store.js';
import { freshPostgresSchema, availableEngines } from '../test-support/test-databases.js';
import { ChargeBatcher, ChargeBatcherClosedError, MAX_PENDING_CHARGES } from './charge-batcher.js';

function item(accountId: number, n: number, idempotencyKey: string | null = null): ChargeItem {
  const mobile = `1380000${String(n).padStart(4, '0')}`;
  return {
    accountId,
    idempotencyKey,
    body: JSON.stringify({ code: 0, n }),
    log: {
      at: new Date(),
      accountId,
      keyId: null,
      clientIp: '127.0.0.0',
      mobile,
      code: 0,
      res: '0',
      initIsp: '移动',
      nowIsp: '移动',
      segmentsVersion: 't',
      portedVersion: null,
      latencyMs: 1,
      requestId: `r${n}`,
    },
  };
}

describe.each(availableEngines('charge batcher'))('ChargeBatcher on %s', (engine) => {
  let store: Store;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnpd-batcher-'));
    if (engine === 'postgres') {
      const schema = await freshPostgresSchema();
      drop = schema.drop;
      store = await openStore(schema.url, dir);
    } else {
      store = await openStore(undefined, dir);
    }
  });
  afterAll(async () => {
    await store.close();
    await drop?.();
  });

  it('groups concurrent charges into few transactions and stops exactly at a zero balance', async () => {
    const account = await store.createAccount({ name: 'group', feeType: 'prepaid', balance: 150 });
    const batcher = new ChargeBatcher(store, { windowMs: 5 });
    const sizes: number[] = [];
    let charged = 0;
    batcher.onBatch = (size, count) => {
      sizes.push(size);
      charged += count;
    };
    const results = await Promise.all(
      Array.from({ length: 400 }, (_, n) => batcher.charge(item(account.id, n))),
    );
    expect(charged).toBe(150);
    expect(results.filter((result) => result.status === 'charged')).toHaveLength(150);
    expect(results.filter((result) => result.status === 'insufficient')).toHaveLength(250);
    // The first 150 in arrival order are the ones charged.
    expect(results.slice(0, 150).every((result) => result.status === 'charged')).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(400);
    expect(sizes.length).toBeLessThan(10);
    expect((await store.getAccount(account.id))?.balance).toBe(0);
    expect(await store.ledgerSum(account.id)).toBe(0);
    // The refusals are logged (as -5) as well as the charges.
    expect((await store.queryLog(account.id, { code: 0, limit: 1000 })).rows).toHaveLength(150);
    expect((await store.queryLog(account.id, { code: -5, limit: 1000 })).rows).toHaveLength(250);
  });

  it('commits uncharged log items with the charges, counting only the charges as charged', async () => {
    const account = await store.createAccount({ name: 'logged', feeType: 'prepaid', balance: 2 });
    const batcher = new ChargeBatcher(store);
    const batches: [number, number][] = [];
    batcher.onBatch = (size, charged) => batches.push([size, charged]);
    const logItem = (n: number): ChargeItem => {
      const base = item(account.id, n);
      return { ...base, kind: 'log', body: '{"code":-4}', log: { ...base.log, code: -4, res: null } };
    };
    const results = await Promise.all([
      batcher.charge(logItem(1)),
      batcher.charge(item(account.id, 2)),
      batcher.charge(logItem(3)),
      batcher.charge(item(account.id, 4)),
      batcher.charge(item(account.id, 5)),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'logged',
      'charged',
      'logged',
      'charged',
      'insufficient',
    ]);
    expect(batches).toEqual([[5, 2]]);
    expect(batcher.stats).toMatchObject({ batches: 1, items: 5 });
    const rows = (await store.queryLog(account.id)).rows;
    expect(rows.map((row) => row.code)).toEqual([-5, 0, -4, 0, -4]);
    expect(await store.ledgerSum(account.id)).toBe(0);
  });

  it('by default gathers what arrives in one turn of the event loop into one transaction', async () => {
    const account = await store.createAccount({ name: 'turn', feeType: 'prepaid', balance: 1000 });
    const batcher = new ChargeBatcher(store);
    const sizes: number[] = [];
    batcher.onBatch = (size) => sizes.push(size);
    await Promise.all(Array.from({ length: 300 }, (_, n) => batcher.charge(item(account.id, n))));
    expect(sizes).toEqual([300]);
    await batcher.charge(item(account.id, 300));
    expect(sizes).toEqual([300, 1]);
  });

  it('splits batches at maxBatch and replays idempotency keys without a second charge', async () => {
    const account = await store.createAccount({ name: 'split', feeType: 'prepaid', balance: 1000 });
    const batcher = new ChargeBatcher(store, { windowMs: 1, maxBatch: 7 });
    const sizes: number[] = [];
    batcher.onBatch = (size) => sizes.push(size);
    const first = await Promise.all(
      Array.from({ length: 20 }, (_, n) => batcher.charge(item(account.id, n, `k${n}`))),
    );
    expect(Math.max(...sizes)).toBeLessThanOrEqual(7);
    const again = await Promise.all(
      Array.from({ length: 20 }, (_, n) => batcher.charge(item(account.id, 100 + n, `k${n}`))),
    );
    expect(first.every((result) => result.status === 'charged')).toBe(true);
    expect(
      again.map((result) => (result.status === 'replay' ? JSON.parse(result.body).n : result.status)),
    ).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect((await store.getAccount(account.id))?.balance).toBe(980);
  });

  it('commits what is pending on close, then refuses new charges', async () => {
    const account = await store.createAccount({ name: 'close', feeType: 'prepaid', balance: 10 });
    const batcher = new ChargeBatcher(store, { windowMs: 50 });
    const pending = Promise.all([1, 2, 3].map((n) => batcher.charge(item(account.id, n))));
    await batcher.close();
    expect((await pending).map((result) => result.status)).toEqual(['charged', 'charged', 'charged']);
    await expect(batcher.charge(item(account.id, 4))).rejects.toBeInstanceOf(ChargeBatcherClosedError);
    expect((await store.getAccount(account.id))?.balance).toBe(7);
  });

  it('rejects the charge of an unknown account alone: the others of its batch are charged', async () => {
    const account = await store.createAccount({ name: 'refused', feeType: 'prepaid', balance: 10 });
    const batcher = new ChargeBatcher(store, { windowMs: 1 });
    const unknownAccount = 987_654;
    const outcomes = await Promise.all([
      batcher.charge(item(account.id, 1)),
      batcher.charge(item(unknownAccount, 2)),
      batcher.charge(item(account.id, 3)),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['charged', 'rejected', 'charged']);
    expect((await store.getAccount(account.id))?.balance).toBe(8);
    expect(batcher.stats).toMatchObject({ batches: 1, items: 3 });
  });

  it('isolates an item the store fails its whole transaction for, and charges the rest', async () => {
    const account = await store.createAccount({ name: 'poisoned', feeType: 'prepaid', balance: 100 });
    // A store that fails any transaction holding the poison item, as a value the database refuses would.
    const transactions: number[] = [];
    const fussy: Pick<Store, 'commitCharges'> = {
      commitCharges: (items) => {
        transactions.push(items.length);
        if (items.some((charge) => charge.log.requestId === 'r7')) throw new Error('value out of range');
        return store.commitCharges(items);
      },
    };
    const batcher = new ChargeBatcher(fussy, { windowMs: 1 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, n) => batcher.charge(item(account.id, n))),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(
      Array.from({ length: 12 }, (_, n) => (n === 7 ? 'rejected' : 'fulfilled')),
    );
    expect((outcomes[7] as PromiseRejectedResult).reason.message).toBe('value out of range');
    expect((await store.getAccount(account.id))?.balance).toBe(89);
    expect(await store.ledgerSum(account.id)).toBe(89);
    // One failed batch of 12, then halves of halves down to the poison: a handful, not one each.
    expect(transactions[0]).toBe(12);
    expect(transactions.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(12)));
  });

  it('fails every charge at once when the store itself fails, and keeps working afterwards', async () => {
    const account = await store.createAccount({ name: 'down', feeType: 'prepaid', balance: 10 });
    let down = true;
    let attempts = 0;
    const flaky: Pick<Store, 'commitCharges'> = {
      commitCharges: async (items) => {
        attempts++;
        if (down) throw new Error('connection terminated');
        return store.commitCharges(items);
      },
    };
    const batcher = new ChargeBatcher(flaky, { windowMs: 1 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, n) => batcher.charge(item(account.id, n))),
    );
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    // The whole batch, then its two halves: both failing means the store, not an item.
    expect(attempts).toBe(3);
    down = false;
    expect((await batcher.charge(item(account.id, 9))).status).toBe('charged');
    expect((await store.getAccount(account.id))?.balance).toBe(9);
  });

  it('answers overloaded, asking nothing of the store, once MAX_PENDING_CHARGES charges wait', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    let committed = 0;
    // A store stuck in one transaction, as a slow disk would leave it; it charges nobody real.
    const stuck: Pick<Store, 'commitCharges'> = {
      commitCharges: async (items) => {
        await gate;
        committed += items.length;
        return items.map(() => ({ status: 'charged' as const, balanceAfter: 0 }));
      },
    };
    const batcher = new ChargeBatcher(stuck, { windowMs: 1 });
    const first = batcher.charge(item(1, 0));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const waiting = Array.from({ length: MAX_PENDING_CHARGES }, (_, n) => batcher.charge(item(1, n)));
    expect(batcher.pending).toBe(MAX_PENDING_CHARGES);
    expect(await batcher.charge(item(1, 1))).toEqual({ status: 'overloaded' });
    expect(batcher.stats.overloaded).toBe(1);
    open();
    await Promise.all([first, ...waiting]);
    // The refused one was never handed to the store; a charge is taken again once there is room.
    expect(committed).toBe(1 + MAX_PENDING_CHARGES);
    expect((await batcher.charge(item(1, 2))).status).toBe('charged');
  });
});
