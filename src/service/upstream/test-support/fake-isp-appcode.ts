import { FakeUpstreamServer, type RecordedRequest } from './fake-upstream-server.js';
import { type SeedBehaviour, SeedBehaviours, seedReply } from './fake-seed-behaviour.js';
import type { TlsMaterial } from './tls-material.js';

export const FAKE_APPCODE = '83359fd73fe94948385f570e3c139105';

export interface FakeIspAppcodeOptions {
  appcode?: string;
  tls?: TlsMaterial;
  fallback?: SeedBehaviour;
  numbers?: Record<string, SeedBehaviour>;
}

/**
 * A fake of the Aliyun-market `/isp` contract: `Authorization: APPCODE <code>` checked by the API
 * gateway, which refuses with a bodyless 403 and `X-Ca-Error-Message` as the market does; the
 * answers are the seed's body.
 */
export class FakeIspAppcode {
  readonly server: FakeUpstreamServer;
  readonly appcode: string;
  readonly numbers: SeedBehaviours;

  private constructor(server: FakeUpstreamServer, appcode: string, numbers: SeedBehaviours) {
    this.server = server;
    this.appcode = appcode;
    this.numbers = numbers;
  }

  static async start(options: FakeIspAppcodeOptions = {}): Promise<FakeIspAppcode> {
    const numbers = new SeedBehaviours(options.fallback ?? { result: {} }, options.numbers);
    const appcode = options.appcode ?? FAKE_APPCODE;
    const server = await FakeUpstreamServer.start(
      (request) => answer(request, appcode, numbers),
      options.tls,
    );
    return new FakeIspAppcode(server, appcode, numbers);
  }

  get url(): string {
    return this.server.url;
  }

  get calls(): number {
    return this.server.calls;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** The market gateway's refusal: no body, the reason in a header. */
export function gatewayRefusal(status: number, message: string): SeedBehaviour {
  return { status, body: '', headers: { 'x-ca-error-message': message } };
}

function answer(request: RecordedRequest, appcode: string, numbers: SeedBehaviours) {
  if (request.path !== '/isp') return seedReply(gatewayRefusal(404, 'Invalid Url'), '');
  const [scheme, code] = (request.headers.authorization ?? '').split(' ');
  if (scheme?.toUpperCase() !== 'APPCODE' || code !== appcode) {
    return seedReply(gatewayRefusal(403, 'Invalid AppCode `not exists`'), '');
  }
  const mobile = request.query.get('mobile');
  if (!mobile) return seedReply({ code: 1 }, '');
  return seedReply(numbers.of(mobile), mobile);
}
