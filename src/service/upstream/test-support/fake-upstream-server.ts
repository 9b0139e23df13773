import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TlsMaterial } from './tls-material.js';

/** A request as a fake upstream saw it. */
export interface RecordedRequest {
  /** Date.now() at arrival. */
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** The query string and the body's form fields, body first (as the seed reads them). */
  params: URLSearchParams;
}

/** What a fake answers; `delayMs` first; `hang` never answers (the socket stays open). */
export type FakeReply =
  | { status: number; headers?: Record<string, string>; body: string; delayMs?: number }
  | { hang: true; delayMs?: number };

export type FakeHandler = (request: RecordedRequest) => FakeReply;

/** A test's HTTP(S) server on 127.0.0.1 that counts what it is sent. */
export class FakeUpstreamServer {
  readonly requests: RecordedRequest[] = [];
  /** Most requests it was answering at one time. */
  maxInFlight = 0;
  #inFlight = 0;
  readonly #server: Server;
  readonly #timers = new Set<NodeJS.Timeout>();
  url = '';

  private constructor(handler: FakeHandler, tls?: TlsMaterial) {
    const listener = (req: IncomingMessage, res: ServerResponse) => void this.#serve(handler, req, res);
    this.#server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener)
      : createServer(listener);
  }

  static async start(handler: FakeHandler, tls?: TlsMaterial): Promise<FakeUpstreamServer> {
    const fake = new FakeUpstreamServer(handler, tls);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.#server.address() as AddressInfo;
    fake.url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return fake;
  }

  get calls(): number {
    return this.requests.length;
  }

  /** Requests that arrived in each whole second of the clock, busiest first. */
  perSecond(): number[] {
    const counts = new Map<number, number>();
    for (const { at } of this.requests)
      counts.set(Math.floor(at / 1000), (counts.get(Math.floor(at / 1000)) ?? 0) + 1);
    return [...counts.values()].sort((a, b) => b - a);
  }

  /** Most requests that arrived within any 1000 ms. */
  busiestSecond(): number {
    const times = this.requests.map((r) => r.at).sort((a, b) => a - b);
    let most = 0;
    for (let start = 0, end = 0; end < times.length; end++) {
      while (times[end] - times[start] >= 1000) start++;
      most = Math.max(most, end - start + 1);
    }
    return most;
  }

  reset(): void {
    this.requests.length = 0;
    this.maxInFlight = 0;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #serve(handler: FakeHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const params = new URLSearchParams(url.search);
    if (/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
      for (const [name, value] of new URLSearchParams(body)) params.set(name, value);
    }
    const recorded = {
      at: Date.now(),
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      params,
    };
    this.requests.push(recorded);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.#inFlight);
    res.on('close', () => this.#inFlight--);
    const reply = handler(recorded);
    if (reply.delayMs) await this.#sleep(reply.delayMs);
    if ('hang' in reply) return;
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(reply.body);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}
