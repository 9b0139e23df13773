import { describe, expect, it } from 'vitest';
import { chargeItem, logItem } from '../../core/test-support/charge-items.js';
import {
  logSkippedEngines,
  storeEngines,
  storeForThisSuite,
  uniqueName,
} from '../../store/test-support/store-engines.js';
import { accountOverview } from './overview.js';

logSkippedEngines('account overview');

describe.each(storeEngines.filter((engine) => !engine.skipReason))('account overview on $name', (engine) => {
  const { store } = storeForThisSuite(engine);

  it('cuts days and the month at China midnight, and counts the month beyond the 30 days', async () => {
    const account = await store.createAccount({ name: uniqueName('days'), feeType: 'prepaid', balance: 100 });
    const at = (iso: string) => Date.parse(iso);
    await store.commitCharges([
      // 23:00 on 28 February in China: before the month and the 30 days.
      chargeItem(account.id, { at: at('2026-02-28T15:00:00Z'), res: '0' }),
      // 01:00 on 1 March in China: in the month, not in the last 30 days (2 to 31 March).
      chargeItem(account.id, { at: at('2026-02-28T17:00:00Z'), res: '1' }),
      logItem(account.id, -2, { at: at('2026-03-02T00:00:00Z') }),
      chargeItem(account.id, { at: at('2026-03-30T15:59:59Z'), res: '1' }),
      // 00:00 on 31 March in China: today.
      chargeItem(account.id, { at: at('2026-03-30T16:00:00Z'), res: '0' }),
      logItem(account.id, -4, { at: at('2026-03-31T03:00:00Z') }),
    ]);
    const body = await accountOverview(store, account.id, new Date('2026-03-31T04:00:00Z'));
    expect(body.today).toEqual({ answers: 2, charged: 1, ported: 0 });
    expect(body.month).toEqual({ answers: 5, charged: 3, ported: 2 });
    expect(body.successRate).toBe(2 / 4);
    expect(body.portedShare).toBe(1 / 2);
    expect(body.daily[0]).toEqual({ day: '2026-03-02', codes: { '-2': 1 } });
    expect(body.daily.at(-2)).toEqual({ day: '2026-03-30', codes: { '0': 1 } });
    expect(body.daily.at(-1)).toEqual({ day: '2026-03-31', codes: { '0': 1, '-4': 1 } });
  });

  it('says an account that is gone is not found', async () => {
    await expect(accountOverview(store, 987_654_321)).rejects.toMatchObject({ code: 'not_found' });
  });
});
