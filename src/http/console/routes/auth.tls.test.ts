import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedTlsEnv } from '../../../test-support/self-signed-cert.js';
import { type TestServer, startTestServer } from '../../../test-support/test-server.js';
import { MAX_FAILURES_PER_NAME } from '../../../service/operators/login-throttle.js';
import { postLogin } from '../test-support/console-client.js';
import { TEST_PASSWORD as PASSWORD, customerWithPassword } from '../test-support/console-users.js';

/** POST /console/api/login over HTTPS, trusting the test's self-signed certificate. */
function httpsLogin(
  port: number,
  name: string,
  password: string,
): Promise<{ status: number; cookies: string[] }> {
  const body = JSON.stringify({ role: 'customer', name, password });
  return new Promise((resolve, reject) => {
    request(
      {
        host: '127.0.0.1',
        port,
        path: '/console/api/login',
        method: 'POST',
        rejectUnauthorized: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, cookies: response.headers['set-cookie'] ?? [] }),
        );
      },
    )
      .on('error', reject)
      .end(body);
  });
}

describe('console logins over HTTPS', () => {
  let server: TestServer;
  let tlsPort: number;
  let name: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite', selfSignedTlsEnv());
    tlsPort = (server.server.tlsApp!.server.address() as { port: number }).port;
    ({ name } = await customerWithPassword(server, { name: 'tls-customer', balance: 10 }));
  });
  afterAll(() => server.close());

  it('sets a Secure session cookie', async () => {
    const answer = await httpsLogin(tlsPort, name, PASSWORD);
    expect(answer.status).toBe(200);
    expect(answer.cookies).toHaveLength(1);
    expect(answer.cookies[0].split(';').map((part) => part.trim())).toEqual(
      expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Strict', 'Path=/console']),
    );
  });

  it('counts failed logins over HTTP and HTTPS together', async () => {
    for (let i = 0; i < MAX_FAILURES_PER_NAME; i++) {
      expect((await httpsLogin(tlsPort, name, `wrong ${i}`)).status).toBe(401);
    }
    expect((await postLogin(server.url, 'customer', name, PASSWORD)).status).toBe(429);
  });
});
