import { createHash } from 'node:crypto';
import { acs3Authorization, sha256Hex } from '../acs3-signature.js';
import { DYTNS_ACTION, DYTNS_VERSION } from '../aliyun-dytns-provider.js';
import { type FakeReply, FakeUpstreamServer, type RecordedRequest } from './fake-upstream-server.js';
import type { TlsMaterial } from './tls-material.js';

export const FAKE_ACCESS_KEY_ID = 'LTAI5tFakeAccessKeyId';
export const FAKE_ACCESS_KEY_SECRET = 'fakeAccessKeySecretForTests0123';
export const FAKE_AUTH_CODE = 'Dd1rFake4id';
/** Alibaba Cloud refuses a signature dated further than this from its clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60_000;

export interface FakeDytnsData {
  BasicCarrier: string;
  Carrier?: string;
  IsNumberPortability?: boolean;
  Province?: string;
  City?: string;
}

/** An answer, an Alibaba Cloud error code, a raw reply, broken JSON or none; after `delayMs`. */
export type DytnsBehaviour = (
  | { data: FakeDytnsData }
  | { code: string; message?: string; status?: number }
  | { status: number; body: string }
  | { brokenJson: true }
  | { hang: true }
) & { delayMs?: number };

export interface FakeDytnsOptions {
  tls?: TlsMaterial;
  fallback?: DytnsBehaviour;
  numbers?: Record<string, DytnsBehaviour>;
}

/**
 * A fake of 号码百科's DescribePhoneNumberOperatorAttribute that checks what Alibaba Cloud checks:
 * the action and version, the AccessKey, the ACS3-HMAC-SHA256 signature over the headers the
 * request says it signed, the body hash, the date, the AuthCode; then finds the number, in clear or
 * by its MD5/SHA256 hash among the numbers it knows.
 */
export class FakeAliyunDytns {
  readonly server: FakeUpstreamServer;
  readonly #numbers: Map<string, DytnsBehaviour>;
  fallback: DytnsBehaviour;

  private constructor(
    server: FakeUpstreamServer,
    options: FakeDytnsOptions,
    numbers: Map<string, DytnsBehaviour>,
  ) {
    this.server = server;
    this.#numbers = numbers;
    this.fallback = options.fallback ?? {
      data: {
        BasicCarrier: '中国移动',
        Carrier: '中国移动',
        IsNumberPortability: false,
        Province: '湖北',
        City: '宜昌',
      },
    };
  }

  static async start(options: FakeDytnsOptions = {}): Promise<FakeAliyunDytns> {
    const numbers = new Map(Object.entries(options.numbers ?? {}));
    const made: { fake?: FakeAliyunDytns } = {};
    const server = await FakeUpstreamServer.start((request) => made.fake!.#answer(request), options.tls);
    made.fake = new FakeAliyunDytns(server, options, numbers);
    return made.fake;
  }

  get url(): string {
    return this.server.url;
  }

  get calls(): number {
    return this.server.calls;
  }

  set(mobile: string, behaviour: DytnsBehaviour): void {
    this.#numbers.set(mobile, behaviour);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  #answer(request: RecordedRequest): FakeReply {
    const refusal = checkRequest(request);
    if (refusal) return refusal;
    const mobile = this.#find(request.query.get('Mask') ?? '', request.query.get('InputNumber') ?? '');
    if (mobile === undefined) return error(200, 'PhoneNumberNotfound', 'phone number not found');
    return dytnsReply(this.#numbers.get(mobile) ?? this.fallback);
  }

  /** The number asked, found by its hash among the known ones when masked. */
  #find(mask: string, input: string): string | undefined {
    if (mask === 'NORMAL') return /^1\d{10}$/.test(input) ? input : undefined;
    const algorithm = mask === 'SHA256' ? 'sha256' : mask === 'MD5' ? 'md5' : undefined;
    if (!algorithm) return undefined;
    for (const mobile of this.#numbers.keys()) {
      if (createHash(algorithm).update(mobile).digest('hex') === input.toLowerCase()) return mobile;
    }
    return undefined;
  }
}

function checkRequest(request: RecordedRequest): FakeReply | undefined {
  const header = (name: string) => String(request.headers[name] ?? '');
  if (request.method !== 'POST' || request.path !== '/')
    return error(404, 'InvalidAction.NotFound', 'not found');
  if (header('x-acs-action') !== DYTNS_ACTION || header('x-acs-version') !== DYTNS_VERSION) {
    return error(404, 'InvalidAction.NotFound', 'Specified api is not found');
  }
  const match = /^ACS3-HMAC-SHA256 Credential=([^,]*),SignedHeaders=([^,]*),Signature=([0-9a-f]{64})$/.exec(
    header('authorization'),
  );
  if (!match)
    return error(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
  if (match[1] !== FAKE_ACCESS_KEY_ID)
    return error(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  if (header('x-acs-content-sha256') !== sha256Hex(request.body))
    return error(400, 'SignatureDoesNotMatch', 'body hash');
  if (Math.abs(Date.parse(header('x-acs-date')) - Date.now()) > MAX_CLOCK_SKEW_MS) {
    return error(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
  }
  const signed = Object.fromEntries(match[2].split(';').map((name) => [name, header(name)]));
  const query = Object.fromEntries(request.query);
  const expected = acs3Authorization(
    {
      method: request.method,
      host: header('host'),
      path: request.path,
      query,
      headers: signed,
      body: request.body,
    },
    { accessKeyId: FAKE_ACCESS_KEY_ID, accessKeySecret: FAKE_ACCESS_KEY_SECRET },
  );
  if (!expected.endsWith(`Signature=${match[3]}`)) {
    return error(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
  }
  if (query.AuthCode !== FAKE_AUTH_CODE)
    return error(400, 'AuthCodeNotExist', 'The authorization code does not exist.');
  return undefined;
}

function dytnsReply(behaviour: DytnsBehaviour): FakeReply {
  const delay = behaviour.delayMs ? { delayMs: behaviour.delayMs } : {};
  if ('hang' in behaviour) return { hang: true, ...delay };
  if ('brokenJson' in behaviour) return { status: 200, body: '{"Code":"OK","Data":{"Basic', ...delay };
  if ('data' in behaviour) {
    const body = { Code: 'OK', Message: 'OK', RequestId: 'FAKE-REQUEST', Data: behaviour.data };
    return { status: 200, body: JSON.stringify(body), ...delay };
  }
  if ('code' in behaviour)
    return {
      ...error(behaviour.status ?? 200, behaviour.code, behaviour.message ?? behaviour.code),
      ...delay,
    };
  return { status: behaviour.status, body: behaviour.body, ...delay };
}

function error(status: number, code: string, message: string): FakeReply {
  return { status, body: JSON.stringify({ RequestId: 'FAKE-REQUEST', Code: code, Message: message }) };
}
