import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../../test-support/test-server.js';
import {
  LOGIN_WINDOW_MS,
  MAX_FAILURES_PER_IP,
  MAX_FAILURES_PER_NAME,
} from '../../../service/operators/login-throttle.js';
import { uniqueName } from '../../test-support/fixtures.js';
import { postLogin } from '../test-support/console-client.js';
import { TEST_PASSWORD as PASSWORD, customerWithPassword } from '../test-support/console-users.js';

// Its own server: the address lock at the end would refuse every later login from 127.0.0.1.
const server = serverForThisFile();

async function failures(name: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const answer = await postLogin(server.url, 'customer', name, `wrong password ${i}`);
    expect(answer.status, answer.text()).toBe(401);
  }
}

// The tests run in order and count on each other's failures from 127.0.0.1 (20 lock the address).
describe('login throttling', () => {
  let failuresFromHere = 0;

  it('clears a name after a successful login', async () => {
    const { name } = await customerWithPassword(server);
    await failures(name, MAX_FAILURES_PER_NAME - 1);
    expect((await postLogin(server.url, 'customer', name, PASSWORD)).status).toBe(200);
    await failures(name, MAX_FAILURES_PER_NAME - 1);
    expect((await postLogin(server.url, 'customer', name, PASSWORD)).status).toBe(200);
    failuresFromHere += 2 * (MAX_FAILURES_PER_NAME - 1);
  });

  it('answers 429 too_many_attempts after 5 failures for a name, even with the right password', async () => {
    const { name } = await customerWithPassword(server);
    await failures(name, MAX_FAILURES_PER_NAME);
    failuresFromHere += MAX_FAILURES_PER_NAME;
    for (const password of [PASSWORD, 'wrong again']) {
      const answer = await postLogin(server.url, 'customer', name, password);
      expect(answer.status).toBe(429);
      const error = answer.json().error;
      expect(error.code).toBe('too_many_attempts');
      expect(error.retryAfterSeconds).toBeGreaterThan(LOGIN_WINDOW_MS / 1000 - 60);
      expect(error.retryAfterSeconds).toBeLessThanOrEqual(LOGIN_WINDOW_MS / 1000);
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
    // The name, in any case; other names and the operator of the same name are not locked.
    expect((await postLogin(server.url, 'customer', name.toUpperCase(), PASSWORD)).status).toBe(429);
    expect(
      (await postLogin(server.url, 'customer', (await customerWithPassword(server)).name, PASSWORD)).status,
    ).toBe(200);
  });

  it('answers 429 to every name from an address after 20 failures', async () => {
    const left = MAX_FAILURES_PER_IP - failuresFromHere;
    expect(left).toBeGreaterThan(0);
    for (let i = 0; i < left; i++) await failures(uniqueName('guess'), 1);
    const answer = await postLogin(
      server.url,
      'customer',
      (await customerWithPassword(server)).name,
      PASSWORD,
    );
    expect(answer.status).toBe(429);
    expect(answer.json().error.code).toBe('too_many_attempts');
  });
});
