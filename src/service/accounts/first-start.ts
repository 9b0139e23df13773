import type { AccountStore, LoginStore } from '../../store/store.js';
import type { Actor } from '../operators/audit.js';
import { hashPassword, newPassword } from '../operators/passwords.js';
import { ServiceError } from '../service-error.js';
import { AccountService } from './account-service.js';
import { StoreError } from '../../store/store.js';

export const DEMO_ACCOUNT = 'demo';
export const DEMO_BALANCE = 100;
export const FIRST_OPERATOR = 'admin';

/** The first start of a store, as the audit log names it. */
const FIRST_START: Actor = { kind: 'system', name: 'first start' };

/** The secrets created at a first start, to show once; only their hashes are stored. */
export interface FirstStart {
  demoApikey?: string;
  /** The demo account's console password, so the customer portal can be tried at once. */
  demoPassword?: string;
  operator?: { username: string; password: string };
}

/**
 * On a first start: a prepaid `demo` account with 100 queries, its apikey and a console password
 * when there is no account, and an operator login when there is no operator. Each is decided on
 * its own, so a start interrupted between the two still ends with both on the next one. Nodes of a
 * cluster starting together on an empty store race to create them: the one that loses finds them
 * made by the other, which shows the secrets.
 */
export async function bootstrapEmptyStore(
  store: AccountStore &
    Pick<LoginStore, 'getAccountPasswordHash' | 'setAccountPassword' | 'countOperators' | 'createOperator'>,
): Promise<FirstStart | undefined> {
  const created: FirstStart = {};
  if ((await store.listAccounts()).length === 0) {
    const password = newPassword();
    try {
      const { apikey } = await new AccountService(store).open(
        FIRST_START,
        { name: DEMO_ACCOUNT, feeType: 'prepaid', balance: DEMO_BALANCE, password },
        'demo',
      );
      created.demoApikey = apikey;
      created.demoPassword = password;
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === 'conflict')) throw error;
    }
  }
  if ((await store.countOperators()) === 0) {
    const password = newPassword();
    try {
      await store.createOperator(FIRST_OPERATOR, await hashPassword(password));
      created.operator = { username: FIRST_OPERATOR, password };
    } catch (error) {
      if (!(error instanceof StoreError && error.code === 'duplicate')) throw error;
    }
  }
  return created.demoApikey || created.operator ? created : undefined;
}
