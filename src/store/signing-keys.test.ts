import { describe, expect, it } from 'vitest';
import { StoreError } from './store.js';
import {
  logSkippedEngines,
  storeEngines,
  storeForThisSuite,
  uniqueName,
} from './test-support/store-engines.js';

logSkippedEngines('signing key store tests');

for (const engine of storeEngines) {
  describe.skipIf(engine.skipReason !== undefined)(`signing keys on ${engine.name}`, () => {
    const { store } = storeForThisSuite(engine);
    const newKey = (hash: string) => ({ kind: 'apikey' as const, hash, hint: 'ab…cd', label: 'gateway' });

    it('keeps an AppKey with its sealed secret, finds it with its account until it is revoked', async () => {
      const account = await store.createAccount({ name: uniqueName('sig'), feeType: 'prepaid', balance: 5 });
      const appKey = uniqueName('app');
      const key = await store.createSigningKey(account.id, newKey(uniqueName('h')), {
        appKey,
        sealedSecret: 'v1:sealed',
      });
      const found = await store.findSigningKey(appKey);
      expect(found).toMatchObject({
        appKey,
        sealedSecret: 'v1:sealed',
        key: { id: key.id, accountId: account.id, kind: 'apikey', label: 'gateway' },
        account: { id: account.id, name: account.name, balance: 5, requireSignatures: false },
      });
      expect(await store.appKeysOf(account.id)).toEqual(new Map([[key.id, appKey]]));
      // Its row is not found as an apikey by the AppKey's hash or anything else one could send.
      expect(await store.findSigningKey('nope')).toBeUndefined();
      expect(await store.revokeKey(account.id, key.id)).toBe(true);
      expect(await store.findSigningKey(appKey)).toBeUndefined();
      expect(await store.appKeysOf(account.id)).toEqual(new Map([[key.id, appKey]]));
    });

    it('refuses a taken AppKey and writes nothing of the second key', async () => {
      const account = await store.createAccount({ name: uniqueName('sig'), feeType: 'prepaid', balance: 0 });
      const appKey = uniqueName('app');
      await store.createSigningKey(account.id, newKey(uniqueName('h')), { appKey, sealedSecret: 'a' });
      await expect(
        store.createSigningKey(account.id, newKey(uniqueName('h')), { appKey, sealedSecret: 'b' }),
      ).rejects.toMatchObject(new StoreError('duplicate', 'the AppKey is taken'));
      expect(await store.listKeys(account.id)).toHaveLength(1);
      await expect(
        store.createSigningKey(999_999_999, newKey(uniqueName('h')), {
          appKey: uniqueName('x'),
          sealedSecret: 'c',
        }),
      ).rejects.toMatchObject({ code: 'not_found' });
    });

    it('sets and clears the account flag requiring signatures, seen by key lookups too', async () => {
      const account = await store.createAccount({ name: uniqueName('sig'), feeType: 'postpaid', balance: 0 });
      expect(account.requireSignatures).toBe(false);
      const hash = uniqueName('h');
      await store.createKey(account.id, 'apikey', hash, 'h…', '');
      expect((await store.updateAccount(account.id, { requireSignatures: true })).requireSignatures).toBe(
        true,
      );
      expect((await store.getAccount(account.id))!.requireSignatures).toBe(true);
      expect((await store.findKey('apikey', hash))!.account.requireSignatures).toBe(true);
      expect((await store.updateAccount(account.id, { requireSignatures: false })).requireSignatures).toBe(
        false,
      );
    });
  });
}
