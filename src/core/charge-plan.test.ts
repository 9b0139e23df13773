import { describe, expect, it } from 'vitest';
import { type ChargeAccount, type KnownBodies, planCharges } from './charge-plan.js';
import { HOUR, T0, chargeItem, logItem } from './test-support/charge-items.js';

const prepaid = (id: number, balance: number): ChargeAccount => ({
  id,
  feeType: 'prepaid',
  balance,
  creditLimit: null,
});

const accounts = (...list: ChargeAccount[]) => new Map(list.map((account) => [account.id, account]));

describe('planCharges', () => {
  it('charges, refuses, logs and replays, writing a log row for all but replays', () => {
    const known: KnownBodies = new Map([[1, new Map([['old', 'first body']])]]);
    const items = [
      chargeItem(1, { at: T0, res: '1' }),
      logItem(1, -2, { at: T0 + 1 }),
      chargeItem(1, { at: T0 + 2, key: 'old' }),
      chargeItem(1, { at: T0 + HOUR, res: '0', key: 'new' }),
      chargeItem(1, { at: T0 + HOUR, key: 'new' }),
      chargeItem(1, { at: T0 + HOUR + 1 }),
      logItem(1, -4, { at: T0 + HOUR + 2 }),
    ];
    const plan = planCharges(items, accounts(prepaid(1, 2)), known);

    expect(plan.results).toEqual([
      { status: 'charged', balanceAfter: 1 },
      { status: 'logged' },
      { status: 'replay', body: 'first body' },
      { status: 'charged', balanceAfter: 0 },
      { status: 'replay', body: items[3].body },
      { status: 'insufficient' },
      { status: 'logged' },
    ]);
    expect(plan.balances).toEqual(new Map([[1, { delta: -2, balanceAfter: 0 }]]));
    expect(plan.charged).toEqual([items[0], items[3]]);
    expect(plan.logs.map(({ log }) => [log.code, log.res])).toEqual([
      [0, '1'],
      [-2, null],
      [0, '0'],
      [-5, null],
      [-4, null],
    ]);
    // A refusal is logged without the answer it did not get.
    expect(plan.logs[3].log).toEqual({ ...items[5].log, code: -5, res: null, initIsp: null, nowIsp: null });
    expect(plan.answers).toEqual([
      { accountId: 1, hour: T0, code: 0, answers: 1, ported: 1 },
      { accountId: 1, hour: T0, code: -2, answers: 1, ported: 0 },
      { accountId: 1, hour: T0 + HOUR, code: 0, answers: 1, ported: 0 },
      { accountId: 1, hour: T0 + HOUR, code: -5, answers: 1, ported: 0 },
      { accountId: 1, hour: T0 + HOUR, code: -4, answers: 1, ported: 0 },
    ]);
    // Pure: what it was given is as it was.
    expect(known).toEqual(new Map([[1, new Map([['old', 'first body']])]]));
  });

  it('logs an item for the account it charges, whatever its log says', () => {
    const item = chargeItem(2);
    item.log = { ...item.log, accountId: 99 };
    const plan = planCharges(
      [item, { ...logItem(2, -3), log: { ...item.log, code: -3 } }],
      accounts(prepaid(2, 5)),
      new Map(),
    );
    expect(plan.logs.map(({ accountId, log }) => [accountId, log.accountId])).toEqual([
      [2, 2],
      [2, 2],
    ]);
    expect(plan.answers.map((a) => a.accountId)).toEqual([2, 2]);
  });

  it('writes a log item even at zero balance and with a known key: it is never charged nor replayed', () => {
    const known: KnownBodies = new Map([[3, new Map([['k', 'body']])]]);
    const item = { ...logItem(3, -4), idempotencyKey: 'k' };
    const plan = planCharges([item], accounts(prepaid(3, 0)), known);
    expect(plan.results).toEqual([{ status: 'logged' }]);
    expect(plan.balances.size).toBe(0);
    expect(plan.charged).toEqual([]);
    expect(plan.answers).toEqual([{ accountId: 3, hour: T0, code: -4, answers: 1, ported: 0 }]);
  });

  it('counts answers per account, hour and code, summing within a batch', () => {
    const items = [
      ...Array.from({ length: 3 }, (_, i) => chargeItem(1, { at: T0 + i, res: '1' })),
      chargeItem(1, { at: T0 + 10, res: '0' }),
      chargeItem(2, { at: T0 + 20, res: '1' }),
      ...Array.from({ length: 2 }, () => logItem(2, -3, { at: T0 + 30 })),
    ];
    const plan = planCharges(items, accounts(prepaid(1, 10), prepaid(2, 10)), new Map());
    expect(plan.answers).toEqual([
      { accountId: 1, hour: T0, code: 0, answers: 4, ported: 3 },
      { accountId: 2, hour: T0, code: 0, answers: 1, ported: 1 },
      { accountId: 2, hour: T0, code: -3, answers: 2, ported: 0 },
    ]);
  });

  it('rejects a charge logged under another code than 0, which usage would not count, and only it', () => {
    const item = chargeItem(1);
    item.log = { ...item.log, code: -4 };
    const plan = planCharges([chargeItem(1), item, chargeItem(1)], accounts(prepaid(1, 5)), new Map());
    expect(plan.results).toEqual([
      { status: 'charged', balanceAfter: 4 },
      { status: 'rejected', reason: 'invalid', message: 'a charged answer has code -4' },
      { status: 'charged', balanceAfter: 3 },
    ]);
    expect(plan.logs.map(({ log }) => log.code)).toEqual([0, 0]);
    expect(plan.balances).toEqual(new Map([[1, { delta: -2, balanceAfter: 3 }]]));
  });

  it('rejects the items of an unknown account and bills the others of the batch', () => {
    const plan = planCharges(
      [logItem(7, -2), chargeItem(1), chargeItem(7)],
      accounts(prepaid(1, 1)),
      new Map(),
    );
    expect(plan.results).toEqual([
      { status: 'rejected', reason: 'not_found', message: 'no account 7' },
      { status: 'charged', balanceAfter: 0 },
      { status: 'rejected', reason: 'not_found', message: 'no account 7' },
    ]);
    expect(plan.logs.map(({ accountId }) => accountId)).toEqual([1]);
    expect(plan.answers).toEqual([{ accountId: 1, hour: T0, code: 0, answers: 1, ported: 1 }]);
  });
});
