import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../../../test-support/test-server.js';
import { hashPassword } from '../../passwords.js';
import { MAX_FAILURES_PER_NAME } from '../login-throttle.js';
import { postLogin } from '../test-support/console-client.js';

const PASSWORD = 'correct horse 1';

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
    const dir = mkdtempSync(join(tmpdir(), 'mnpd-tls-'));
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    server = await startTestServer('sqlite', { MNPD_TLS_CERT: cert, MNPD_TLS_KEY: key, MNPD_TLS_PORT: '0' });
    tlsPort = (server.server.tlsApp!.server.address() as { port: number }).port;
    name = 'tls-customer';
    const { account } = await server.account({ name, balance: 10 });
    await server.server.deps.store.setAccountPassword(account.id, await hashPassword(PASSWORD));
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
