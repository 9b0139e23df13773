import { beforeAll, describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../../test-support/test-server.js';
import { uniqueName } from '../../test-support/fixtures.js';
import {
  type ConsoleAnswer,
  type ConsoleClient,
  consoleClient,
  postLogin,
} from '../test-support/console-client.js';
import {
  TEST_PASSWORD as PASSWORD,
  customerWithPassword,
  loggedInCustomer,
  loggedInOperator,
} from '../test-support/console-users.js';

const server = serverForThisFile();

function expectError(answer: ConsoleAnswer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.json().error?.code }).toEqual({ status, code });
}

describe('login refusals', () => {
  it('answers the same 401 bad_credentials for a wrong password, an unknown name and no password', async () => {
    const { name } = await customerWithPassword(server);
    const { name: withoutPassword } = await customerWithPassword(server, { password: null });
    const answers = [
      await postLogin(server.url, 'customer', name, 'wrong password'),
      await postLogin(server.url, 'customer', uniqueName('nobody'), PASSWORD),
      await postLogin(server.url, 'customer', withoutPassword, PASSWORD),
      await postLogin(server.url, 'operator', name, 'wrong password'),
    ];
    for (const answer of answers) {
      expectError(answer, 401, 'bad_credentials');
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
    expect(new Set(answers.map((answer) => answer.text())).size).toBe(1);
  });

  it('says a customer is suspended only to whoever knows the password', async () => {
    const { name, account } = await customerWithPassword(server);
    await server.server.deps.store.updateAccount(account.id, { status: 'suspended' });
    expectError(await postLogin(server.url, 'customer', name, 'wrong password'), 401, 'bad_credentials');
    const answer = await postLogin(server.url, 'customer', name, PASSWORD);
    expectError(answer, 403, 'account_suspended');
    expect(answer.headers.getSetCookie()).toEqual([]);
  });

  it('refuses a login whose Origin is another site', async () => {
    const { name } = await customerWithPassword(server);
    for (const origin of ['http://evil.example', 'null', `${server.url}.evil.example`]) {
      const answer = await postLogin(server.url, 'customer', name, PASSWORD, { origin });
      expectError(answer, 403, 'csrf_failed');
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
  });

  it('answers 400 bad_request for a malformed login', async () => {
    const client = consoleClient(server.url);
    for (const body of [
      {},
      { role: 'root', name: 'x', password: 'y' },
      { role: 'customer', name: 'x' },
      { role: 'customer', name: 7, password: 'y' },
      { role: 'customer', name: 'x', password: 'y'.repeat(1025) },
      [],
    ]) {
      expectError(await client.post('/login', body), 400, 'bad_request');
    }
    const broken = await client.request('POST', '/login', {
      body: '{"role":',
      headers: { 'content-type': 'application/json' },
    });
    expectError(broken, 400, 'bad_request');
  });

  it('answers 413 payload_too_large for a body over the limit', async () => {
    const answer = await consoleClient(server.url).post('/login', {
      role: 'customer',
      name: 'x',
      password: 'y'.repeat(server.config.bodyLimit),
    });
    expectError(answer, 413, 'payload_too_large');
  });
});

describe('CSRF protection of changes', () => {
  let client: ConsoleClient;

  beforeAll(async () => {
    ({ client } = await loggedInCustomer(server));
  });

  it('refuses a change without the token, or with a wrong one, and does nothing', async () => {
    for (const token of [undefined, 'wrong', client.csrfToken.slice(0, -1), '']) {
      const attacker = consoleClient(server.url, client.cookie);
      const headers: Record<string, string> = token === undefined ? {} : { 'x-csrf-token': token };
      expectError(
        await attacker.post('/me/keys', { kind: 'apikey', label: 'csrf' }, headers),
        403,
        'csrf_failed',
      );
      expectError(await attacker.post('/me/ip-rules', { cidr: '10.0.0.0/8' }, headers), 403, 'csrf_failed');
      expectError(await attacker.post('/logout', undefined, headers), 403, 'csrf_failed');
      expectError(
        await attacker.post('/password', { current: PASSWORD, next: 'hijacked 123' }, headers),
        403,
        'csrf_failed',
      );
    }
    const keys = (await client.get('/me/keys')).json();
    expect(keys.filter((key: { label: string }) => key.label === 'csrf')).toEqual([]);
    expect((await client.get('/me/ip-rules')).json()).toEqual([]);
    expect((await client.get('/session')).status).toBe(200);
  });

  it("refuses another session's token", async () => {
    const { client: other } = await loggedInCustomer(server);
    const mixed = consoleClient(server.url, client.cookie, other.csrfToken);
    expectError(await mixed.post('/me/keys', { kind: 'apikey', label: 'x' }), 403, 'csrf_failed');
  });

  it('lets reads through without the token and changes with it', async () => {
    const reader = consoleClient(server.url, client.cookie);
    expect((await reader.get('/me/overview')).status).toBe(200);
    expect((await client.post('/me/ip-rules', { cidr: '10.0.0.0/8' })).status).toBe(201);
  });
});

describe('roles', () => {
  let customer: ConsoleClient;
  let operator: ConsoleClient;

  beforeAll(async () => {
    ({ client: customer } = await loggedInCustomer(server));
    operator = await loggedInOperator(server);
  });

  it('refuses operator routes to a customer with 403 forbidden', async () => {
    for (const path of ['/admin/accounts', '/admin/system', '/admin/audit', '/admin/data']) {
      expectError(await customer.get(path), 403, 'forbidden');
    }
    expectError(
      await customer.post('/admin/accounts', { name: uniqueName('x'), feeType: 'prepaid', balance: 1 }),
      403,
      'forbidden',
    );
  });

  it('refuses customer routes to an operator with 403 forbidden', async () => {
    for (const path of ['/me/overview', '/me/records', '/me/records.csv', '/me/keys', '/me/ip-rules']) {
      expectError(await operator.get(path), 403, 'forbidden');
    }
    expectError(await operator.post('/me/query', { mobile: '13972565391' }), 403, 'forbidden');
    expectError(await operator.post('/me/keys', { kind: 'apikey' }), 403, 'forbidden');
  });

  it('answers 401 not_logged_in to anyone without a session', async () => {
    const anonymous = consoleClient(server.url);
    for (const path of ['/me/overview', '/me/records', '/me/records.csv', '/me/keys', '/me/ip-rules']) {
      expectError(await anonymous.get(path), 401, 'not_logged_in');
    }
    expectError(await anonymous.post('/me/query', { mobile: '13972565391' }), 401, 'not_logged_in');
  });
});

describe('the API scope', () => {
  it('answers unknown API paths with a JSON 404, never a page or the seed code-1 body', async () => {
    const client = consoleClient(server.url);
    for (const path of ['/console/api/nope', '/console/api/me/nope/deeper', '/console/api']) {
      const answer = await client.get(path);
      expectError(answer, 404, 'not_found');
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    }
    expectError(await client.post('/console/api/nope', {}), 404, 'not_found');
  });

  it('reads multipart uploads inside the console (the app ignores unknown bodies elsewhere)', async () => {
    const { client } = await loggedInCustomer(server);
    const answer = await client.postFile('/me/batches', 'file', 'numbers.txt', '13972565391\n13800138000\n');
    expect(answer.status).toBe(201);
    expect(answer.json()).toMatchObject({ fileName: 'numbers.txt', status: 'draft', total: 2 });
  });
});
