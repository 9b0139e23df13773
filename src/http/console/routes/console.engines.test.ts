import { describe, expect, it } from 'vitest';
import { availableEngines } from '../../../test-support/test-databases.js';
import { serverForThisFile } from '../../../test-support/test-server.js';
import { BEIJING, TOO_SHORT, YICHANG, balanceOf } from '../../test-support/fixtures.js';
import { loginCustomer, loginOperator, postLogin } from '../test-support/console-client.js';
import {
  TEST_PASSWORD as PASSWORD,
  customerWithPassword,
  operatorWithPassword,
} from '../test-support/console-users.js';

describe.each(availableEngines('console sessions and queries'))('the console on %s', (engine) => {
  const server = serverForThisFile(engine);

  it('logs a customer in, charges its queries, shows them, and logs it out', async () => {
    const { name, account, apikey } = await customerWithPassword(server, { balance: 2, qpsLimit: 10_000 });
    expect((await postLogin(server.url, 'customer', name, 'wrong password')).status).toBe(401);
    const client = await loginCustomer(server.url, name, PASSWORD);

    expect((await client.post('/me/query', { mobile: YICHANG })).json().code).toBe(0);
    expect((await client.post('/me/query', { mobile: TOO_SHORT })).json().code).toBe(-2);
    expect((await client.post('/me/query', { mobile: BEIJING })).json().code).toBe(0);
    expect((await client.post('/me/query', { mobile: BEIJING })).json().code).toBe(-5);
    expect(await balanceOf(server, apikey)).toBe('0');
    expect(await server.server.deps.store.ledgerSum(account.id)).toBe(0);

    const overview = (await client.get('/me/overview')).json();
    expect(overview.today).toEqual({ answers: 4, charged: 2, ported: 0 });
    expect(overview.daily.at(-1).codes).toEqual({ '0': 2, '-2': 1, '-5': 1 });
    const records = (await client.get('/me/records?code=0')).json();
    expect(records.rows.map((row: { mobile: string }) => row.mobile)).toEqual([BEIJING, YICHANG]);

    expect((await client.post('/password', { current: PASSWORD, next: 'another one 2' })).status).toBe(204);
    expect((await client.get('/session')).status).toBe(200);
    expect((await client.post('/logout')).status).toBe(204);
    expect((await client.get('/session')).status).toBe(401);
  });

  it('logs an operator in', async () => {
    const { username } = await operatorWithPassword(server);
    const operator = await loginOperator(server.url, username, PASSWORD);
    expect((await operator.get('/session')).json()).toMatchObject({ role: 'operator', name: username });
    expect((await operator.get('/me/overview')).status).toBe(403);
  });
});
