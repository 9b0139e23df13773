import { FakeUpstreamServer, type RecordedRequest } from './fake-upstream-server.js';
import { type SeedBehaviour, SeedBehaviours, seedReply } from './fake-seed-behaviour.js';
import type { TlsMaterial } from './tls-material.js';

export const FAKE_QXT_APIKEY = '0123456789abcdef0123456789abcdef';

export interface FakeQxtOptions {
  apikey?: string;
  tls?: TlsMaterial;
  /** How numbers without a behaviour of their own are answered; default: not ported, 移动, 湖北-宜昌. */
  fallback?: SeedBehaviour;
  numbers?: Record<string, SeedBehaviour>;
  balance?: SeedBehaviour | { feeType: string; balance: string };
}

/**
 * A fake of the seed's contract (`/carrier`, `/balance`, GET or POST, query or form), as qxt800, its
 * resellers and mnpd answer it; a wrong apikey gets -1, a missing parameter 1.
 */
export class FakeQxt {
  readonly server: FakeUpstreamServer;
  readonly apikey: string;
  readonly numbers: SeedBehaviours;
  balance: SeedBehaviour | { feeType: string; balance: string };

  private constructor(server: FakeUpstreamServer, options: FakeQxtOptions, numbers: SeedBehaviours) {
    this.server = server;
    this.apikey = options.apikey ?? FAKE_QXT_APIKEY;
    this.numbers = numbers;
    this.balance = options.balance ?? { feeType: '预付费', balance: '12048' };
  }

  static async start(options: FakeQxtOptions = {}): Promise<FakeQxt> {
    const numbers = new SeedBehaviours(options.fallback ?? { result: {} }, options.numbers);
    const made: { fake?: FakeQxt } = {};
    const server = await FakeUpstreamServer.start((request) => made.fake!.#answer(request), options.tls);
    made.fake = new FakeQxt(server, options, numbers);
    return made.fake;
  }

  get url(): string {
    return this.server.url;
  }

  /** Requests to /carrier. */
  get carrierCalls(): number {
    return this.server.requests.filter((r) => r.path === '/carrier').length;
  }

  get balanceCalls(): number {
    return this.server.requests.filter((r) => r.path === '/balance').length;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  #answer(request: RecordedRequest) {
    if (request.path !== '/carrier' && request.path !== '/balance') return { status: 404, body: 'not found' };
    const apikey = request.params.get('apikey');
    if (!apikey) return seedReply({ code: 1 }, '');
    if (apikey !== this.apikey) return seedReply({ code: -1 }, '');
    if (request.path === '/balance') {
      const balance = this.balance;
      if ('feeType' in balance)
        return { status: 200, body: JSON.stringify({ code: 0, reason: 'Succ', result: balance }) };
      return seedReply(balance, '');
    }
    const mobile = request.params.get('mobile');
    if (!mobile) return seedReply({ code: 1 }, '');
    return seedReply(this.numbers.of(mobile), mobile);
  }
}
