/**
 * A callback receiver a test runs on 127.0.0.1, as a customer would: it checks each delivery's
 * signature with the account's secret, keeps what it received, and answers with a status of the
 * test's choosing (failing the first few on purpose, for retries).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyCallbackSignature } from '../../service/callbacks/callback-signature.js';

export interface ReceivedCallback {
  eventId: string | undefined;
  signature: string | undefined;
  /** The receiver's own check of the signature with the secret it was given. */
  verified: boolean;
  body: string;
  event: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

export interface CallbackReceiver {
  url: string;
  received: ReceivedCallback[];
  /** Answers 503 to the next `count` deliveries. */
  failNext(count: number): void;
  setSecret(secret: string): void;
  /** Resolves once `count` deliveries of the job arrived (rejects after `timeoutMs`). */
  waitFor(jobId: string, count: number, timeoutMs?: number): Promise<ReceivedCallback[]>;
  close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  let failing = 0;
  let secret = '';
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const signature = request.headers['x-mnpd-signature'] as string | undefined;
    received.push({
      eventId: request.headers['x-mnpd-event-id'] as string | undefined,
      signature,
      verified: verifyCallbackSignature(signature, body, secret).ok,
      body,
      event: JSON.parse(body) as ReceivedCallback['event'],
    });
    if (failing > 0) {
      failing--;
      response.writeHead(503).end('down for a moment');
    } else {
      response.writeHead(200).end('ok');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/mnpd`,
    received,
    failNext: (count) => {
      failing = count;
    },
    setSecret: (value) => {
      secret = value;
    },
    async waitFor(jobId, count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      const ofJob = () => received.filter((callback) => callback.event.data.jobId === jobId);
      while (ofJob().length < count) {
        if (Date.now() > deadline) throw new Error(`${ofJob().length} callbacks received, not ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return ofJob();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
