import { beforeAll, describe, expect, it } from 'vitest';
import { availableEngines } from '../../../test-support/test-databases.js';
import { serverForThisFile } from '../../../test-support/test-server.js';
import {
  BEIJING,
  TOO_SHORT,
  YICHANG,
  YICHANG_ANSWER,
  balanceOf,
  uniqueName,
} from '../../test-support/fixtures.js';
import { get } from '../../test-support/http-client.js';
import { type ConsoleClient, consoleClient, loginCustomer } from '../test-support/console-client.js';
import { loginFirstOperator } from '../test-support/console-users.js';
import { chinaDay } from '../../../service/accounts/usage-series.js';

const PASSWORD = 'first-password-1';

describe.each(availableEngines('console admin accounts'))('operator account pages (%s)', (engine) => {
  const server = serverForThisFile(engine);
  let operator: ConsoleClient;

  beforeAll(async () => {
    operator = await loginFirstOperator(server);
  });

  async function createAccount(extra: Record<string, unknown> = {}) {
    const name = uniqueName('adm');
    const answer = await operator.post('/admin/accounts', {
      name,
      feeType: 'prepaid',
      balance: 10,
      ...extra,
    });
    expect(answer.status, answer.text()).toBe(201);
    const { account, apikey } = answer.json<{ account: { id: number; name: string }; apikey: string }>();
    return { id: account.id, name, apikey, account };
  }

  async function auditOf(id: number) {
    const answer = await operator.get('/admin/audit?limit=1000');
    expect(answer.status).toBe(200);
    return answer
      .json<{ rows: { action: string; target: string; details: Record<string, unknown>; ip: string }[] }>()
      .rows.filter((row) => row.target === `account:${id}`);
  }

  it('creates an account whose first apikey answers on /carrier; a taken name is a conflict', async () => {
    const { id, name, apikey, account } = await createAccount({ qpsLimit: 50, lowBalanceThreshold: 3 });
    expect(apikey).toMatch(/^[0-9a-f]{32}$/);
    expect(account).toMatchObject({
      id,
      name,
      feeType: 'prepaid',
      balance: 10,
      creditLimit: null,
      qpsLimit: 50,
      status: 'active',
      lowBalanceThreshold: 3,
      hasPassword: false,
    });
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(YICHANG_ANSWER);
    expect(await balanceOf(server, apikey)).toBe('9');

    const again = await operator.post('/admin/accounts', { name, feeType: 'postpaid', balance: 0 });
    expect(again.status).toBe(409);
    expect(again.json().error.code).toBe('conflict');
    expect((await auditOf(id)).map((row) => row.action)).toEqual(['account.create']);
  });

  it('refuses bad input with bad_request and a short password with weak_password', async () => {
    const name = uniqueName('bad');
    for (const body of [
      { name, feeType: 'monthly', balance: 0 },
      { name, feeType: 'prepaid', balance: -1 },
      { name, feeType: 'prepaid', balance: 1.5 },
      { name, feeType: 'prepaid', balance: '10' },
      { name: ' padded ', feeType: 'prepaid' },
      { name: '', feeType: 'prepaid' },
      { name, feeType: 'prepaid', qpsLimit: 0 },
      { name, feeType: 'prepaid', colour: 'red' },
      [name],
    ]) {
      const answer = await operator.post('/admin/accounts', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json().error.code).toBe('bad_request');
    }
    const weak = await operator.post('/admin/accounts', { name, feeType: 'prepaid', password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.json().error.code).toBe('weak_password');
    expect((await operator.get(`/admin/accounts?search=${name}`)).json()).toEqual([]);
  });

  it('lists and searches accounts by a part of the name, any case', async () => {
    const { id, name } = await createAccount({ password: PASSWORD });
    const all = (await operator.get('/admin/accounts')).json<{ id: number; hasPassword: boolean }[]>();
    expect(all.find((row) => row.id === id)).toMatchObject({ name, hasPassword: true });
    const found = await operator.get(
      `/admin/accounts?search=${encodeURIComponent(name.slice(4).toUpperCase())}`,
    );
    expect(found.json().map((row: { id: number }) => row.id)).toEqual([id]);
    expect((await operator.get('/admin/accounts?search=no-such-account-anywhere')).json()).toEqual([]);
  });

  it('shows one account with its keys, IP rules and 30 days of usage by code', async () => {
    const { id, apikey } = await createAccount();
    await get(server.url, '/carrier', { apikey, mobile: YICHANG });
    await get(server.url, '/carrier', { apikey, mobile: BEIJING });
    await get(server.url, '/carrier', { apikey, mobile: TOO_SHORT });
    await server.server.deps.store.addIpRule(id, '203.0.113.0/24');

    const answer = await operator.get(`/admin/accounts/${id}`);
    expect(answer.status).toBe(200);
    const page = answer.json();
    expect(page.account).toMatchObject({ id, balance: 8 });
    expect(page.keys).toEqual([
      expect.objectContaining({
        kind: 'apikey',
        hint: `${apikey.slice(0, 4)}…${apikey.slice(-2)}`,
        revokedAt: null,
      }),
    ]);
    expect(JSON.stringify(page)).not.toContain(apikey);
    expect(page.ipRules).toEqual([{ id: expect.any(Number), cidr: '203.0.113.0/24' }]);
    expect(page.usage.daily).toHaveLength(30);
    expect(page.usage.daily.at(-1)).toEqual({ day: chinaDay(new Date()), codes: { '0': 2, '-2': 1 } });
    expect(
      page.usage.daily.slice(0, -1).every((day: { codes: object }) => Object.keys(day.codes).length === 0),
    ).toBe(true);

    expect((await operator.get('/admin/accounts/999999')).status).toBe(404);
    expect((await operator.get('/admin/accounts/abc')).json().error.code).toBe('not_found');
  });

  it('edits fee type, limits, threshold and status, and refuses wrong types', async () => {
    const { id } = await createAccount();
    const answer = await operator.patch(`/admin/accounts/${id}`, {
      feeType: 'postpaid',
      creditLimit: 500,
      qpsLimit: 20,
      lowBalanceThreshold: null,
    });
    expect(answer.status, answer.text()).toBe(200);
    expect(answer.json()).toMatchObject({ id, feeType: 'postpaid', creditLimit: 500, qpsLimit: 20 });
    const threshold = await operator.patch(`/admin/accounts/${id}`, { lowBalanceThreshold: 25 });
    expect(threshold.json()).toMatchObject({ lowBalanceThreshold: 25, creditLimit: 500 });
    expect((await operator.get(`/admin/accounts/${id}`)).json().account.lowBalanceThreshold).toBe(25);

    for (const body of [
      { qpsLimit: '20' },
      { qpsLimit: 0 },
      { creditLimit: -1 },
      { status: 'closed' },
      { feeType: 1 },
      { name: 'renamed' },
      {},
    ]) {
      const refused = await operator.patch(`/admin/accounts/${id}`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.json().error.code).toBe('bad_request');
    }
    expect((await operator.patch('/admin/accounts/999999', { qpsLimit: 3 })).status).toBe(404);

    const [update] = (await auditOf(id)).filter((row) => row.action === 'account.update');
    expect(update.details).toMatchObject({
      changes: { lowBalanceThreshold: 25 },
      previous: { lowBalanceThreshold: null },
    });
  });

  it('suspends an account: its apikey answers -1 at once; reactivated, it answers again', async () => {
    const { id, apikey } = await createAccount();
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body.code).toBe(0);
    expect((await operator.patch(`/admin/accounts/${id}`, { status: 'suspended' })).json().status).toBe(
      'suspended',
    );
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual({
      code: -1,
      reason: 'apikey不正确',
    });
    await operator.patch(`/admin/accounts/${id}`, { status: 'active' });
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body.code).toBe(0);
  });

  it('tops up and adjusts with reasons in the ledger; the balance is the sum of the ledger', async () => {
    const { id, apikey } = await createAccount();
    const topup = await operator.post(`/admin/accounts/${id}/balance`, {
      kind: 'topup',
      amount: 50,
      reason: 'invoice 7',
    });
    expect(topup.status, topup.text()).toBe(200);
    expect(topup.json()).toMatchObject({ delta: 50, reason: 'topup: invoice 7', balanceAfter: 60 });
    const adjust = await operator.post(`/admin/accounts/${id}/balance`, {
      kind: 'adjust',
      amount: -15,
      reason: 'refund of a duplicate topup',
    });
    expect(adjust.json()).toMatchObject({
      delta: -15,
      reason: 'adjustment: refund of a duplicate topup',
      balanceAfter: 45,
    });
    const plain = await operator.post(`/admin/accounts/${id}/balance`, { kind: 'topup', amount: 5 });
    expect(plain.json()).toMatchObject({ reason: 'topup', balanceAfter: 50 });

    for (const body of [
      { kind: 'adjust', amount: 5 },
      { kind: 'adjust', amount: 5, reason: '   ' },
      { kind: 'adjust', amount: 0, reason: 'nothing' },
      { kind: 'topup', amount: 0 },
      { kind: 'topup', amount: -5 },
      { kind: 'topup', amount: 2.5 },
      { kind: 'gift', amount: 5 },
      { amount: 5 },
    ]) {
      const refused = await operator.post(`/admin/accounts/${id}/balance`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.json().error.code).toBe('bad_request');
    }
    expect((await operator.post('/admin/accounts/999999/balance', { kind: 'topup', amount: 1 })).status).toBe(
      404,
    );

    const store = server.server.deps.store;
    expect(await store.ledgerSum(id)).toBe(50);
    expect((await store.getAccount(id))!.balance).toBe(50);
    expect(await balanceOf(server, apikey)).toBe('50');
    const actions = (await auditOf(id)).map((row) => row.action);
    expect(actions.filter((action) => action === 'account.topup')).toHaveLength(2);
    expect(actions.filter((action) => action === 'account.adjust')).toHaveLength(1);
  });

  it('pages through the ledger, newest first', async () => {
    const { id } = await createAccount();
    for (let i = 1; i <= 5; i++) {
      await operator.post(`/admin/accounts/${id}/balance`, { kind: 'topup', amount: i, reason: `n${i}` });
    }
    const seen: { id: number; reason: string }[] = [];
    let before: number | null = null;
    let pages = 0;
    do {
      const answer = await operator.get(
        `/admin/accounts/${id}/ledger?limit=2${before ? `&before=${before}` : ''}`,
      );
      expect(answer.status).toBe(200);
      const page = answer.json<{ rows: { id: number; reason: string }[]; next: number | null }>();
      expect(page.rows.length).toBeLessThanOrEqual(2);
      seen.push(...page.rows);
      before = page.next;
      pages++;
    } while (before !== null && pages < 10);
    // Five topups and the opening balance.
    expect(seen.map((row) => row.reason)).toEqual([
      'topup: n5',
      'topup: n4',
      'topup: n3',
      'topup: n2',
      'topup: n1',
      'opening balance',
    ]);
    expect(new Set(seen.map((row) => row.id)).size).toBe(6);
    for (const query of ['limit=0', 'limit=abc', 'limit=100000', 'before=-3']) {
      expect((await operator.get(`/admin/accounts/${id}/ledger?${query}`)).status, query).toBe(400);
    }
  });

  it('resets a console password: the customer is logged out everywhere and the new one works', async () => {
    const { id, name } = await createAccount({ password: PASSWORD });
    const customer = await loginCustomer(server.url, name, PASSWORD);
    expect((await customer.get('/session')).status).toBe(200);

    const weak = await operator.post(`/admin/accounts/${id}/password`, { password: '1234567' });
    expect(weak.json().error.code).toBe('weak_password');
    const reset = await operator.post(`/admin/accounts/${id}/password`, { password: 'second-password-2' });
    expect(reset.status, reset.text()).toBe(204);

    expect((await customer.get('/session')).status).toBe(401);
    const old = await consoleClient(server.url).post('/login', {
      role: 'customer',
      name,
      password: PASSWORD,
    });
    expect(old.status).toBe(401);
    const fresh = await loginCustomer(server.url, name, 'second-password-2');
    expect((await fresh.get('/session')).json()).toMatchObject({ role: 'customer', name });

    const entries = await auditOf(id);
    expect(entries.map((row) => row.action)).toEqual(['account.password_reset', 'account.create']);
    expect(JSON.stringify(entries)).not.toContain('second-password-2');
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);
    expect(entries[0].ip).toBe('127.0.0.0');
  });
});
