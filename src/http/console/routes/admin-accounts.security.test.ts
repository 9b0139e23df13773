import { beforeAll, describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../../test-support/test-server.js';
import { uniqueName } from '../../test-support/fixtures.js';
import { type ConsoleClient, consoleClient } from '../test-support/console-client.js';
import { loggedInCustomer, loggedInOperator } from '../test-support/console-users.js';

const server = serverForThisFile();

/** Every operator route, with a body that would be accepted from an operator. */
const ADMIN_ROUTES: { method: string; path: string; body?: unknown }[] = [
  { method: 'GET', path: '/admin/accounts' },
  { method: 'POST', path: '/admin/accounts', body: { name: 'intruder', feeType: 'prepaid', balance: 1000 } },
  { method: 'GET', path: '/admin/accounts/1' },
  { method: 'PATCH', path: '/admin/accounts/1', body: { qpsLimit: 100_000 } },
  { method: 'POST', path: '/admin/accounts/1/balance', body: { kind: 'topup', amount: 1000 } },
  { method: 'POST', path: '/admin/accounts/1/password', body: { password: 'taken-over-1' } },
  { method: 'GET', path: '/admin/accounts/1/ledger' },
  { method: 'GET', path: '/admin/data' },
  { method: 'POST', path: '/admin/data/ported', body: {} },
  { method: 'GET', path: '/admin/data/imports' },
  { method: 'GET', path: '/admin/data/imports/1' },
  { method: 'GET', path: '/admin/system' },
  { method: 'GET', path: '/admin/audit' },
];

function call(client: ConsoleClient, route: (typeof ADMIN_ROUTES)[number]) {
  const body = route.body === undefined ? undefined : JSON.stringify(route.body);
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  return client.request(route.method, route.path, { body, headers });
}

describe('operator routes refuse everyone but operators', () => {
  let customer: ConsoleClient;
  let operator: ConsoleClient;
  let victimId: number;

  beforeAll(async () => {
    const victim = await loggedInCustomer(server, { balance: 5 });
    victimId = victim.account.id;
    customer = victim.client;
    operator = await loggedInOperator(server);
  });

  it('answers 401 not_logged_in without a session', async () => {
    for (const route of ADMIN_ROUTES) {
      const answer = await call(consoleClient(server.url), route);
      expect(answer.status, `${route.method} ${route.path}`).toBe(401);
      expect(answer.json().error.code).toBe('not_logged_in');
    }
  });

  it('answers 403 forbidden to a customer session, and changes nothing', async () => {
    const store = server.server.deps.store;
    const audited = (await store.auditLog()).rows;
    for (const route of ADMIN_ROUTES) {
      const answer = await call(customer, route);
      expect(answer.status, `${route.method} ${route.path}`).toBe(403);
      expect(answer.json().error.code).toBe('forbidden');
    }
    expect(await store.getAccountByName('intruder')).toBeUndefined();
    expect((await store.getAccount(victimId))!.balance).toBe(5);
    expect((await store.auditLog()).rows).toEqual(audited);
  });

  it('refuses an operator change without the CSRF token', async () => {
    const noToken = consoleClient(server.url, operator.cookie, '');
    const answer = await noToken.post(`/admin/accounts/${victimId}/balance`, { kind: 'topup', amount: 1000 });
    expect(answer.status).toBe(403);
    expect(answer.json().error.code).toBe('csrf_failed');
    expect((await server.server.deps.store.getAccount(victimId))!.balance).toBe(5);
  });

  it('keeps passwords and apikeys out of answers other than the one-time apikey, and out of the audit log', async () => {
    const name = uniqueName('sec');
    const created = await operator.post('/admin/accounts', {
      name,
      feeType: 'prepaid',
      balance: 1,
      password: 'created-password-1',
    });
    expect(created.status).toBe(201);
    const { account, apikey } = created.json<{ account: { id: number }; apikey: string }>();
    expect(created.text()).not.toContain('created-password-1');
    await operator.post(`/admin/accounts/${account.id}/password`, { password: 'reset-password-2' });

    const page = await operator.get(`/admin/accounts/${account.id}`);
    const list = await operator.get('/admin/accounts');
    const auditLog = await operator.get('/admin/audit');
    for (const answer of [page, list, auditLog]) {
      for (const secret of [apikey, 'created-password-1', 'reset-password-2', 'scrypt$']) {
        expect(answer.text()).not.toContain(secret);
      }
    }
    const rows = auditLog
      .json()
      .rows.filter((row: { target: string }) => row.target === `account:${account.id}`);
    expect(rows.map((row: { action: string }) => row.action)).toEqual([
      'account.password_reset',
      'account.create',
    ]);
  });
});
