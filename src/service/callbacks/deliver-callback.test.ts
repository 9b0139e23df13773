import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { newCallbackEvent } from './callback-event.js';
import { newCallbackSecret } from './callback-secret.js';
import { verifyCallbackSignature } from './callback-signature.js';
import { CallbackAllowList, type ResolveHost } from './callback-target.js';
import { deliverCallback } from './deliver-callback.js';
import { FIRST_RETRY_DELAY_MS, nextAttempt } from './retry-schedule.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Answer = (response: http.ServerResponse) => void;

/** A callback receiver on 127.0.0.1 answering with `answers` in turn (the last one repeats). */
async function receiver(...answers: Answer[]) {
  const received: Received[] = [];
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push({
      method: request.method!,
      url: request.url!,
      headers: request.headers,
      body: Buffer.concat(chunks).toString(),
    });
    answers[Math.min(received.length, answers.length) - 1](response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { received, port: (server.address() as AddressInfo).port };
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const ok: Answer = (response) => response.writeHead(200).end('ok');
const unavailable: Answer = (response) => response.writeHead(503).end();
const secret = newCallbackSecret();
const loopbackAllowed = { allow: new CallbackAllowList(['127.0.0.1/32']) };

/** A resolver that answers 127.0.0.1 once, then a private address, as a rebinding DNS would. */
function rebindingResolver() {
  const calls: string[] = [];
  const resolve: ResolveHost = async (hostname) => {
    calls.push(hostname);
    return [{ address: calls.length === 1 ? '127.0.0.1' : '10.9.9.9', family: 4 }];
  };
  return { calls, resolve };
}

describe('deliverCallback', () => {
  it('POSTs the signed event to the address it checked, resolving the name once', async () => {
    const { received, port } = await receiver(ok);
    const { calls, resolve } = rebindingResolver();
    const event = newCallbackEvent('job.finished', { jobId: 'j1', status: 'done', total: 3 });
    const attempt = await deliverCallback({
      url: `http://receiver.test:${port}/hooks/mnpd?account=7`,
      event,
      secret,
      policy: { ...loopbackAllowed, resolve },
    });
    expect(attempt).toMatchObject({
      eventId: event.id,
      outcome: 'delivered',
      retryable: false,
      status: 200,
      address: '127.0.0.1',
    });
    expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
    expect(calls).toEqual(['receiver.test']);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ method: 'POST', url: '/hooks/mnpd?account=7' });
    expect(request.headers).toMatchObject({
      host: `receiver.test:${port}`,
      'content-type': 'application/json',
      'x-mnpd-event-id': event.id,
    });
    expect(JSON.parse(request.body)).toEqual(event);
    expect(
      verifyCallbackSignature(request.headers['x-mnpd-signature'] as string, request.body, secret),
    ).toMatchObject({
      ok: true,
    });
  });

  it('does not follow a redirect', async () => {
    const elsewhere = await receiver(ok);
    const redirecting = await receiver((response) =>
      response.writeHead(302, { location: `http://127.0.0.1:${elsewhere.port}/` }).end(),
    );
    const attempt = await deliverCallback({
      url: `http://127.0.0.1:${redirecting.port}/`,
      event: newCallbackEvent('job.finished', {}),
      secret,
      policy: loopbackAllowed,
    });
    expect(attempt).toMatchObject({
      outcome: 'failed',
      retryable: true,
      status: 302,
      error: 'redirect not followed (302)',
    });
    expect(redirecting.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('reports a failure worth retrying, then delivers the same event on the next attempt', async () => {
    const { received, port } = await receiver(unavailable, ok);
    const event = newCallbackEvent('job.finished', { jobId: 'j2' });
    const delivery = { url: `http://127.0.0.1:${port}/`, event, secret, policy: loopbackAllowed };
    const first = await deliverCallback(delivery);
    expect(first).toMatchObject({ outcome: 'failed', retryable: true, status: 503, error: 'HTTP 503' });
    const next = nextAttempt(1, first.startedAt, first.startedAt + first.durationMs);
    expect('retryAt' in next && next.retryAt - first.startedAt).toBeGreaterThanOrEqual(
      FIRST_RETRY_DELAY_MS / 2,
    );
    expect(await deliverCallback(delivery)).toMatchObject({ outcome: 'delivered', status: 200 });
    // Both attempts carry the event's id, for the receiver to see it twice and act once.
    expect(received.map((request) => request.headers['x-mnpd-event-id'])).toEqual([event.id, event.id]);
    expect(received[0].body).toBe(received[1].body);
    for (const request of received) {
      expect(
        verifyCallbackSignature(request.headers['x-mnpd-signature'] as string, request.body, secret).ok,
      ).toBe(true);
    }
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const { port } = await receiver(() => undefined);
    const attempt = await deliverCallback({
      url: `http://127.0.0.1:${port}/`,
      event: newCallbackEvent('job.finished', {}),
      secret,
      policy: loopbackAllowed,
      timeoutMs: 300,
    });
    expect(attempt).toMatchObject({ outcome: 'failed', retryable: true, error: 'timeout after 300 ms' });
    expect(attempt.durationMs).toBeGreaterThanOrEqual(290);
    expect(attempt.durationMs).toBeLessThan(5000);
  });

  it('reports a refused connection', async () => {
    const { port } = await receiver(ok);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const attempt = await deliverCallback({
      url: `http://127.0.0.1:${port}/`,
      event: newCallbackEvent('job.finished', {}),
      secret,
      policy: loopbackAllowed,
    });
    expect(attempt).toMatchObject({ outcome: 'failed', retryable: true, error: 'ECONNREFUSED' });
  });

  it('sends nothing to a private target the operator did not allow', async () => {
    const { received, port } = await receiver(ok);
    const event = newCallbackEvent('job.finished', {});
    const refused = (url: string, resolve?: ResolveHost) =>
      deliverCallback({ url, event, secret, policy: { allow: new CallbackAllowList([]), resolve } });
    expect(await refused(`http://127.0.0.1:${port}/`)).toMatchObject({
      outcome: 'refused',
      retryable: false,
      error: expect.stringContaining('forbidden-address'),
    });
    expect(await refused(`http://[::ffff:127.0.0.1]:${port}/`)).toMatchObject({ outcome: 'refused' });
    const inside: ResolveHost = async () => [{ address: '127.0.0.1', family: 4 }];
    expect(await refused(`http://innocent.test:${port}/`, inside)).toMatchObject({ outcome: 'refused' });
    const nowhere: ResolveHost = async () =>
      Promise.reject(Object.assign(new Error('nx'), { code: 'ENOTFOUND' }));
    expect(await refused(`http://gone.test:${port}/`, nowhere)).toMatchObject({
      outcome: 'refused',
      retryable: true,
      error: expect.stringContaining('unresolvable-host'),
    });
    expect(received).toHaveLength(0);
  });
});
