import type { Store } from '../store/store.js';
import { hashSecret, newSecret, secretHint } from './key-auth.js';
import { hashPassword, newPassword } from './passwords.js';

export const DEMO_ACCOUNT = 'demo';
export const DEMO_BALANCE = 100;
export const FIRST_OPERATOR = 'admin';

export interface FirstStart {
  demoApikey: string;
  operator: string;
  operatorPassword: string;
}

/**
 * On the first start with an empty store: a prepaid `demo` account with 100 queries and its
 * apikey, and an operator login. The secrets are returned once, to be shown once; only their
 * hashes are stored.
 */
export async function bootstrapEmptyStore(store: Store): Promise<FirstStart | undefined> {
  if ((await store.countOperators()) > 0 || (await store.listAccounts()).length > 0) return undefined;
  const account = await store.createAccount({
    name: DEMO_ACCOUNT,
    feeType: 'prepaid',
    balance: DEMO_BALANCE,
  });
  const demoApikey = newSecret();
  await store.createKey(account.id, 'apikey', hashSecret(demoApikey), secretHint(demoApikey), 'demo');
  const operatorPassword = newPassword();
  await store.createOperator(FIRST_OPERATOR, await hashPassword(operatorPassword));
  return { demoApikey, operator: FIRST_OPERATOR, operatorPassword };
}
