import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../store/open-store.js';
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
