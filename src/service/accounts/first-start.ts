import type { Store } from '../../store/store.js';
import { createAccountWithKey } from './account-keys.js';
import { hashPassword, newPassword } from '../operators/passwords.js';

export const DEMO_ACCOUNT = 'demo';
export const DEMO_BALANCE = 100;
export const FIRST_OPERATOR = 'admin';

/** The secrets created at a first start, to show once; only their hashes are stored. */
export interface FirstStart {
  demoApikey?: string;
  /** The demo account's console password, so the customer portal can be tried at once. */
  demoPassword?: string;
  operator?: { username: string; password: string };
}

/**
 * On a first start: a prepaid `demo` account with 100 queries, its apikey and a console password
 * when there is no account, and an operator login when there is no operator. Each is decided on its own, so a
 * start interrupted between the two still ends with both on the next one.
 */
export async function bootstrapEmptyStore(store: Store): Promise<FirstStart | undefined> {
  const created: FirstStart = {};
  if ((await store.listAccounts()).length === 0) {
    const password = newPassword();
    const { apikey } = await createAccountWithKey(
      store,
      { name: DEMO_ACCOUNT, feeType: 'prepaid', balance: DEMO_BALANCE },
      { keyLabel: 'demo', passwordHash: await hashPassword(password) },
    );
    created.demoApikey = apikey;
    created.demoPassword = password;
  }
  if ((await store.countOperators()) === 0) {
    const password = newPassword();
    await store.createOperator(FIRST_OPERATOR, await hashPassword(password));
    created.operator = { username: FIRST_OPERATOR, password };
  }
  return created.demoApikey || created.operator ? created : undefined;
}
