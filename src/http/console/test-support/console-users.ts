/**
 * The people console route tests log in as: customers (accounts with a console password) and
 * operators, made straight in the test server's store.
 */
import type { Account, NewAccount, Operator } from '../../../store/store.js';
import type { TestServer } from '../../../test-support/test-server.js';
import { hashPassword } from '../../../service/operators/passwords.js';
import { uniqueName } from '../../test-support/fixtures.js';
import { type ConsoleClient, loginCustomer, loginOperator } from './console-client.js';

/** The console password of the helpers' users, unless a test gives its own. */
export const TEST_PASSWORD = 'correct horse 1';

export interface TestCustomer {
  name: string;
  account: Account;
  apikey: string;
}

/** An account (a unique name unless given) with a console password, or none when `password` is null. */
export async function customerWithPassword(
  server: TestServer,
  options: Partial<NewAccount> & { password?: string | null } = {},
): Promise<TestCustomer> {
  const { password = TEST_PASSWORD, ...input } = options;
  const name = input.name ?? uniqueName('cust');
  const { account, apikey } = await server.account({ ...input, name });
  if (password !== null) {
    await server.server.deps.store.setAccountPassword(account.id, await hashPassword(password));
  }
  return { name, account, apikey };
}

/** A customer as `customerWithPassword` makes one, logged in. */
export async function loggedInCustomer(
  server: TestServer,
  options: Partial<NewAccount> & { password?: string } = {},
): Promise<TestCustomer & { client: ConsoleClient }> {
  const customer = await customerWithPassword(server, options);
  const client = await loginCustomer(server.url, customer.name, options.password ?? TEST_PASSWORD);
  return { ...customer, client };
}

/** An operator login with a unique username. */
export async function operatorWithPassword(
  server: TestServer,
  password = TEST_PASSWORD,
): Promise<{ username: string; operator: Operator }> {
  const username = uniqueName('op');
  const operator = await server.server.deps.store.createOperator(username, await hashPassword(password));
  return { username, operator };
}

/** An operator as `operatorWithPassword` makes one, logged in. */
export async function loggedInOperator(server: TestServer, password = TEST_PASSWORD): Promise<ConsoleClient> {
  const { username } = await operatorWithPassword(server, password);
  return loginOperator(server.url, username, password);
}

/** The operator the server made at its first start (an empty store), logged in. */
export function loginFirstOperator(server: TestServer): Promise<ConsoleClient> {
  const { username, password } = server.server.firstStart!.operator!;
  return loginOperator(server.url, username, password);
}
