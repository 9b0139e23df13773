import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTENT_TYPE_FORM, Client } from 'aliyun-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayRequest, ParameterValue } from './gateway-signature.js';
import { MemoryNonceStore } from './memory-nonce-store.js';
import { verifyGatewayRequest } from './verify-gateway-request.js';

/**
 * Requests signed by Aliyun's own Node.js client (`aliyun-api-gateway`) against a real HTTP server
 * whose handler hands them to the verifier as the HTTP layer will: raw path, decoded query and form
 * parameters, the raw bytes of any other body, Node's headers.
 */
const APP_KEY = '204123456';
const APP_SECRET = 'test-app-secret-of-204123456';
const keys = new Map([[APP_KEY, { appSecret: APP_SECRET, account: 'demo' }]]);

function parametersOf(search: URLSearchParams): Record<string, ParameterValue> {
  const parameters: Record<string, ParameterValue> = {};
  for (const name of new Set(search.keys())) {
    const values = search.getAll(name);
    parameters[name] = values.length === 1 ? values[0] : values;
  }
  return parameters;
}

let server: http.Server;
let base: string;
const nonces = new MemoryNonceStore();

beforeAll(async () => {
  server = http.createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const form = (incoming.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const request: GatewayRequest = {
      method: incoming.method!,
      path: incoming.url!.split('?')[0],
      query: parametersOf(new URL(incoming.url!, 'http://localhost').searchParams),
      form: form ? parametersOf(new URLSearchParams(body.toString())) : undefined,
      rawBody: form ? undefined : body,
      headers: incoming.headers,
    };
    const verdict = await verifyGatewayRequest(request, { findKey: (appKey) => keys.get(appKey), nonces });
    if (verdict.ok) {
      outgoing.writeHead(200, { 'content-type': 'application/json' });
      outgoing.end(
        JSON.stringify({ account: verdict.key.account, query: request.query, form: request.form }),
      );
    } else {
      outgoing.writeHead(401, { 'x-ca-error-message': `${verdict.reason}: ${verdict.message}` });
      outgoing.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('requests signed by the aliyun-api-gateway client', () => {
  const client = new Client(APP_KEY, APP_SECRET);

  it('GET with query parameters and a signed custom header is verified', async () => {
    const answer = await client.get(`${base}/carrier`, {
      query: { mobile: '13972565391', ext: '1', note: '湖北 宜昌+1&2', empty: '' },
      headers: { accept: 'application/json' },
      signHeaders: { 'X-Mnpd-Client': 'sms-platform' },
    });
    expect(answer).toEqual({
      account: 'demo',
      query: { mobile: '13972565391', ext: '1', note: '湖北 宜昌+1&2', empty: '' },
    });
  });

  it('POST with a form body is verified, its parameters signed with those of the query', async () => {
    const answer = await client.post(`${base}/isp?ext=1`, {
      data: { mobile: '13972565391', requestId: 'r-1' },
      headers: { accept: 'application/json', 'content-type': CONTENT_TYPE_FORM },
    });
    expect(answer).toEqual({
      account: 'demo',
      query: { ext: '1' },
      form: { mobile: '13972565391', requestId: 'r-1' },
    });
  });

  it('POST with a JSON body is verified through its Content-MD5', async () => {
    const answer = await client.post(`${base}/carrier/batch`, {
      data: { mobiles: ['13972565391', '13800138000'] },
      headers: { accept: 'application/json' },
    });
    expect(answer).toMatchObject({ account: 'demo' });
  });

  it('is refused with a wrong AppSecret', async () => {
    const impostor = new Client(APP_KEY, 'not-the-secret');
    await expect(impostor.get(`${base}/carrier`, { query: { mobile: '13972565391' } })).rejects.toMatchObject(
      {
        code: 401,
        message: expect.stringContaining('bad-signature'),
      },
    );
  });

  it('is refused when its nonce comes again, whatever else changed', async () => {
    const headers = { accept: 'application/json', 'x-ca-nonce': `fixed-${Date.now()}` };
    await client.get(`${base}/carrier`, { query: { mobile: '13972565391' }, headers });
    await expect(
      client.get(`${base}/carrier`, { query: { mobile: '13800138000' }, headers }),
    ).rejects.toMatchObject({
      code: 401,
      message: expect.stringContaining('nonce-reused'),
    });
  });

  it('is refused with a timestamp more than 15 minutes old', async () => {
    const headers = { accept: 'application/json', 'x-ca-timestamp': Date.now() - 16 * 60 * 1000 };
    await expect(
      client.get(`${base}/carrier`, { query: { mobile: '13972565391' }, headers }),
    ).rejects.toMatchObject({
      code: 401,
      message: expect.stringContaining('stale-timestamp'),
    });
  });
});
