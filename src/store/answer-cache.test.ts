/** The answer cache on every engine: it rides the group commit, the newest answer wins, it is shared. */
import { describe, expect, it } from 'vitest';
import type { CachedAnswer } from './store.js';
import {
  T0,
  chargeItem,
  logItem,
  logSkippedEngines,
  storeEngines,
  storeForThisSuite,
  uniqueName,
} from './test-support/store-engines.js';

logSkippedEngines('answer cache tests');

let next = 0;
const freshMobile = () => `1390${String(1_000_000 + ++next).slice(1)}${next % 10}`;

function answer(mobile: string, at: number, provider = 'main', nowIsp = '电信'): CachedAnswer {
  return { mobile, res: '1', initIsp: '移动', nowIsp, provider, checkedAt: new Date(at) };
}

for (const engine of storeEngines) {
  describe.skipIf(engine.skipReason !== undefined)(`answer cache on ${engine.name}`, () => {
    const { store, withSecondStore } = storeForThisSuite(engine);

    it('writes an upstream answer with its charge, and its source with the log row', async () => {
      const account = await store.createAccount({ name: uniqueName('c'), feeType: 'prepaid', balance: 5 });
      const mobile = freshMobile();
      const item = chargeItem(account.id, { mobile });
      item.log.source = 'upstream:main';
      item.cache = answer(mobile, T0);
      expect((await store.commitCharges([item]))[0].status).toBe('charged');
      expect(await store.cachedAnswers([mobile, freshMobile()])).toEqual([answer(mobile, T0)]);
      const { rows } = await store.queryLog(account.id);
      expect(rows[0].source).toBe('upstream:main');
    });

    it('keeps the answer the operator paid for even when the charge is refused or only logged', async () => {
      const poor = await store.createAccount({ name: uniqueName('p'), feeType: 'prepaid', balance: 0 });
      const [a, b] = [freshMobile(), freshMobile()];
      const refused = { ...chargeItem(poor.id, { mobile: a }), cache: answer(a, T0) };
      const logged = { ...logItem(poor.id, -4, { mobile: b }), cache: answer(b, T0) };
      expect((await store.commitCharges([refused, logged])).map((r) => r.status)).toEqual([
        'insufficient',
        'logged',
      ]);
      expect((await store.cachedAnswers([a, b])).length).toBe(2);
    });

    it('lets the newest answer of a number win, in a batch and across nodes', async () => {
      const account = await store.createAccount({ name: uniqueName('n'), feeType: 'prepaid', balance: 9 });
      const mobile = freshMobile();
      const at = (ms: number, provider: string) => ({
        ...chargeItem(account.id, { mobile }),
        cache: answer(mobile, ms, provider),
      });
      await store.commitCharges([at(T0 + 2000, 'newer'), at(T0 + 1000, 'older')]);
      expect((await store.cachedAnswers([mobile]))[0].provider).toBe('newer');
      await withSecondStore(async (other) => {
        await other.commitCharges([at(T0, 'oldest')]);
        expect((await other.cachedAnswers([mobile]))[0].provider).toBe('newer');
        await other.cacheAnswers([answer(mobile, T0 + 3000, 'second-node', '联通')]);
      });
      expect(await store.cachedAnswers([mobile])).toEqual([answer(mobile, T0 + 3000, 'second-node', '联通')]);
    });

    it('forgets a number and counts what it keeps', async () => {
      const mobile = freshMobile();
      await store.cacheAnswers([answer(mobile, T0)]);
      const before = await store.cachedAnswerCount();
      expect(await store.forgetCachedAnswer(mobile)).toBe(true);
      expect(await store.forgetCachedAnswer(mobile)).toBe(false);
      expect(await store.cachedAnswerCount()).toBe(before - 1);
      expect(await store.cachedAnswers([mobile])).toEqual([]);
    });

    it('keeps the local-only flag of an account', async () => {
      const account = await store.createAccount({ name: uniqueName('l'), feeType: 'prepaid', balance: 1 });
      expect(account.localOnly).toBe(false);
      const changed = await store.updateAccount(account.id, { localOnly: true });
      expect(changed.localOnly).toBe(true);
      expect((await store.getAccount(account.id))!.localOnly).toBe(true);
    });
  });
}
