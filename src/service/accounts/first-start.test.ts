import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../store/open-store.js';
import { storeEngines } from '../../store/test-support/store-engines.js';
import { bootstrapEmptyStore } from './first-start.js';
import { hashSecret } from '../accounts/secrets.js';
import { verifyPassword } from '../operators/passwords.js';

const freshStore = () => openStore(undefined, mkdtempSync(join(tmpdir(), 'mnpd-bootstrap-')));

describe('bootstrapEmptyStore', () => {
  it('creates the demo account with a working key and an operator once, on an empty store', async () => {
    const store = await freshStore();
    const created = await bootstrapEmptyStore(store);
    expect(created?.demoApikey).toMatch(/^[0-9a-f]{32}$/);
    const found = await store.findKey('apikey', hashSecret(created!.demoApikey!));
    expect(found?.account).toMatchObject({ name: 'demo', feeType: 'prepaid', balance: 100 });
    const demoHash = await store.getAccountPasswordHash(found!.account.id);
    expect(await verifyPassword(created!.demoPassword!, demoHash!)).toBe(true);
    const operator = await store.getOperator(created!.operator!.username);
    expect(await verifyPassword(created!.operator!.password, operator!.passwordHash)).toBe(true);
    expect(await bootstrapEmptyStore(store)).toBeUndefined();
    expect(await store.listAccounts()).toHaveLength(1);
    await store.close();
  });

  it('completes a first start that was interrupted after the account', async () => {
    const store = await freshStore();
    await store.createAccount({ name: 'existing', feeType: 'prepaid', balance: 5 });
    const created = await bootstrapEmptyStore(store);
    expect(created?.demoApikey).toBeUndefined();
    expect(created?.operator?.username).toBe('admin');
    expect(await store.countOperators()).toBe(1);
    await store.close();
  });
});

describe.each(storeEngines.filter((engine) => !engine.skipReason))(
  'a first start of several nodes at once on $name',
  (engine) => {
    it('migrates and makes the demo account and the operator once, whichever node wins', async () => {
      for (let round = 0; round < 3; round++) {
        const database = await engine.create();
        const nodes = [database.open(), database.open(), database.open()];
        try {
          const starts = await Promise.all(
            nodes.map(async (store) => {
              await store.migrate();
              return bootstrapEmptyStore(store);
            }),
          );
          expect(starts.filter((start) => start?.demoApikey)).toHaveLength(1);
          expect(starts.filter((start) => start?.operator)).toHaveLength(1);
          expect((await nodes[0].listAccounts()).map((account) => account.name)).toEqual(['demo']);
          expect(await nodes[1].countOperators()).toBe(1);
        } finally {
          for (const store of nodes) await store.close();
          await database.dispose();
        }
      }
    });
  },
);
