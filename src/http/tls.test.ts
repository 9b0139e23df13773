import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedTlsEnv } from '../test-support/self-signed-cert.js';
import { type TestServer, startTestServer } from '../test-support/test-server.js';

/** GET over HTTPS, trusting the test's self-signed certificate. */
function httpsGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { rejectUnauthorized: false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('HTTPS beside HTTP when MNPD_TLS_CERT and MNPD_TLS_KEY are set', () => {
  let server: TestServer;
  let apikey: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite', selfSignedTlsEnv());
    ({ apikey } = await server.account({ name: 'tls', balance: 10 }));
  });
  afterAll(() => server.close());

  it('answers the same contract on both', async () => {
    const address = server.server.tlsApp!.server.address() as { port: number };
    const secure = await httpsGet(
      `https://127.0.0.1:${address.port}/carrier?apikey=${apikey}&mobile=13972565391`,
    );
    expect(secure.status).toBe(200);
    expect(JSON.parse(secure.body)).toMatchObject({ code: 0, result: { Area: '湖北-宜昌' } });
    const plain = (await (await fetch(`${server.url}/balance?apikey=${apikey}`)).json()) as {
      result: { balance: string };
    };
    expect(plain.result.balance).toBe('9');
  });
});
