import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../../test-support/test-server.js';
import { consoleClient, loginCustomer, loginOperator, postLogin } from '../test-support/console-client.js';
import {
  TEST_PASSWORD as PASSWORD,
  customerWithPassword,
  loggedInCustomer,
  operatorWithPassword,
} from '../test-support/console-users.js';

const server = serverForThisFile();

describe('POST /console/api/login', () => {
  it('logs a customer in: name, role and CSRF token, and a strict HttpOnly session cookie', async () => {
    const { name } = await customerWithPassword(server);
    const answer = await postLogin(server.url, 'customer', name, PASSWORD);
    expect(answer.status).toBe(200);
    const body = answer.json();
    expect(body).toEqual({ role: 'customer', name, csrfToken: expect.any(String) });
    expect(body.csrfToken.length).toBeGreaterThanOrEqual(32);
    const cookies = answer.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    const [pair, ...attributes] = cookies[0].split(';').map((part) => part.trim());
    expect(pair).toMatch(/^mnpd_session=[A-Za-z0-9_-]{43}$/);
    expect(attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/console', 'Max-Age=43200']),
    );
    // Plain HTTP: a Secure cookie would never come back.
    expect(attributes).not.toContain('Secure');
  });

  it('logs an operator in with its username', async () => {
    const { username } = await operatorWithPassword(server);
    const operator = await loginOperator(server.url, username, PASSWORD);
    const session = await operator.get('/session');
    expect(session.status).toBe(200);
    expect(session.json()).toEqual({ role: 'operator', name: username, csrfToken: operator.csrfToken });
  });

  it('logs in with the role the credentials belong to, whichever tab of the page sent them', async () => {
    const { username } = await operatorWithPassword(server);
    const operator = await postLogin(server.url, 'customer', username, PASSWORD);
    expect(operator.status).toBe(200);
    expect(operator.json()).toMatchObject({ role: 'operator', name: username });
    const { name } = await customerWithPassword(server);
    const customer = await postLogin(server.url, 'operator', name, PASSWORD);
    expect(customer.status).toBe(200);
    expect(customer.json()).toMatchObject({ role: 'customer', name });
  });

  it('accepts an Origin header naming the server itself', async () => {
    const { name } = await customerWithPassword(server);
    const answer = await postLogin(server.url, 'customer', name, PASSWORD, { origin: server.url });
    expect(answer.status).toBe(200);
  });

  it('gives every login its own session', async () => {
    const { name, client: first } = await loggedInCustomer(server);
    const second = await loginCustomer(server.url, name, PASSWORD);
    expect(first.cookie).not.toBe(second.cookie);
    expect(first.csrfToken).not.toBe(second.csrfToken);
    expect((await first.get('/session')).json().csrfToken).toBe(first.csrfToken);
    expect((await second.get('/session')).json().csrfToken).toBe(second.csrfToken);
  });
});

describe('GET /console/api/session', () => {
  it('answers the logged-in user', async () => {
    const { name, client } = await loggedInCustomer(server);
    const answer = await client.get('/session');
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ role: 'customer', name, csrfToken: client.csrfToken });
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers 401 not_logged_in without a session or with an unknown cookie', async () => {
    for (const client of [consoleClient(server.url), consoleClient(server.url, 'mnpd_session=forged')]) {
      const answer = await client.get('/session');
      expect(answer.status).toBe(401);
      expect(answer.json().error.code).toBe('not_logged_in');
    }
  });
});

describe('session lifetime', () => {
  const hashOf = (cookie: string) => createHash('sha256').update(cookie.split('=')[1]).digest('hex');

  it('extends a session used when less than half its 12 hours are left', async () => {
    const { client } = await loggedInCustomer(server);
    const store = server.server.deps.store;
    const hash = hashOf(client.cookie);
    // Still more than half left: nothing to do.
    let answer = await client.get('/session');
    expect(answer.headers.getSetCookie()).toEqual([]);
    await store.extendSession(hash, new Date(Date.now() + 3_600_000));
    answer = await client.get('/session');
    expect(answer.status).toBe(200);
    expect(answer.headers.getSetCookie()[0]).toContain('Max-Age=43200');
    const expiresAt = (await store.getSession(hash))!.expiresAt.getTime();
    expect(expiresAt).toBeGreaterThan(Date.now() + 11.9 * 3_600_000);
  });

  it('forgets an expired session', async () => {
    const { client } = await loggedInCustomer(server);
    await server.server.deps.store.extendSession(hashOf(client.cookie), new Date(Date.now() - 1000));
    expect((await client.get('/session')).status).toBe(401);
  });

  it('keeps only the hash of the cookie in the store', async () => {
    const { client } = await loggedInCustomer(server);
    const store = server.server.deps.store;
    expect(await store.getSession(client.cookie.split('=')[1])).toBeUndefined();
    expect(await store.getSession(hashOf(client.cookie))).toMatchObject({ role: 'customer' });
  });
});

describe('POST /console/api/logout', () => {
  it('ends the session and clears the cookie', async () => {
    const { client } = await loggedInCustomer(server);
    const cookie = client.cookie;
    const answer = await client.post('/logout');
    expect(answer.status).toBe(204);
    const cleared = answer.headers.getSetCookie()[0];
    expect(cleared).toMatch(/^mnpd_session=;/);
    expect(cleared).toContain('Path=/console');
    // The old cookie, kept by someone who copied it, is worth nothing now.
    const stale = await consoleClient(server.url, cookie, client.csrfToken).get('/session');
    expect(stale.status).toBe(401);
  });

  it('answers 204 without a session', async () => {
    expect((await consoleClient(server.url).post('/logout')).status).toBe(204);
  });
});

describe('POST /console/api/password', () => {
  it("changes a customer's password, ends its other sessions and keeps this one", async () => {
    const { name, client: here } = await loggedInCustomer(server);
    const elsewhere = await loginCustomer(server.url, name, PASSWORD);
    const oldCookie = here.cookie;
    const answer = await here.post('/password', { current: PASSWORD, next: 'a new password 2' });
    expect(answer.status).toBe(204);
    // This browser got a fresh session id with the same token.
    expect(here.cookie).not.toBe(oldCookie);
    expect((await here.get('/session')).json()).toEqual({
      role: 'customer',
      name,
      csrfToken: here.csrfToken,
    });
    expect((await here.get('/me/overview')).status).toBe(200);
    expect((await consoleClient(server.url, oldCookie).get('/session')).status).toBe(401);
    expect((await elsewhere.get('/session')).status).toBe(401);
    expect((await postLogin(server.url, 'customer', name, PASSWORD)).status).toBe(401);
    expect((await postLogin(server.url, 'customer', name, 'a new password 2')).status).toBe(200);
  });

  it("changes an operator's password", async () => {
    const { username } = await operatorWithPassword(server);
    const operator = await loginOperator(server.url, username, PASSWORD);
    const elsewhere = await loginOperator(server.url, username, PASSWORD);
    expect((await operator.post('/password', { current: PASSWORD, next: 'operator new 3' })).status).toBe(
      204,
    );
    expect((await operator.get('/session')).status).toBe(200);
    expect((await elsewhere.get('/session')).status).toBe(401);
    expect((await postLogin(server.url, 'operator', username, 'operator new 3')).status).toBe(200);
  });

  it('refuses a password shorter than 8 characters, changing nothing', async () => {
    const { name, client } = await loggedInCustomer(server);
    const answer = await client.post('/password', { current: PASSWORD, next: 'short7!' });
    expect(answer.status).toBe(400);
    expect(answer.json().error.code).toBe('weak_password');
    expect((await postLogin(server.url, 'customer', name, PASSWORD)).status).toBe(200);
  });

  it('refuses a wrong current password with 401 bad_credentials, keeping the session', async () => {
    const { name, client } = await loggedInCustomer(server);
    const answer = await client.post('/password', { current: 'not the password', next: 'whatever 12345' });
    expect(answer.status).toBe(401);
    expect(answer.json().error.code).toBe('bad_credentials');
    expect((await client.get('/session')).status).toBe(200);
    expect((await postLogin(server.url, 'customer', name, PASSWORD)).status).toBe(200);
  });

  it('answers 401 not_logged_in without a session', async () => {
    const answer = await consoleClient(server.url).post('/password', {
      current: PASSWORD,
      next: 'whatever 12345',
    });
    expect(answer.status).toBe(401);
    expect(answer.json().error.code).toBe('not_logged_in');
  });
});
