import { createHash } from 'node:crypto';
import { type Carrier, parseCarrier } from '../../core/carrier.js';
import { canonicalQueryString, signAcs3Request } from './acs3-signature.js';
import type { AliyunDytnsProviderConfig, DytnsMask } from './config.js';
import { type UpstreamAnswer, type UpstreamOutcome, operatorTrouble, refused, transient } from './outcome.js';
import type { ProviderDescription, UpstreamProvider } from './provider.js';
import { type UpstreamHttp, type UpstreamReply, isReply } from './upstream-http.js';
import { describeProvider, providerHttp } from './provider-basics.js';

/** The operation and API version of 号码百科's number-attribute query. */
export const DYTNS_ACTION = 'DescribePhoneNumberOperatorAttribute';
export const DYTNS_VERSION = '2020-02-17';

const MASK_PARAMETER: Readonly<Record<DytnsMask, string>> = { sha256: 'SHA256', md5: 'MD5', none: 'NORMAL' };

/** 号码百科 writes carriers in Chinese on its Chinese site and in English on its international one. */
const ENGLISH_CARRIERS: ReadonlyMap<string, Carrier> = new Map<string, Carrier>([
  ['china mobile', 0],
  ['china unicom', 1],
  ['china telecom', 2],
  ['china broadnet', 3],
  ['china broadcast network', 3],
  ['china broadcasting network', 3],
]);

/**
 * Aliyun 号码百科 `DescribePhoneNumberOperatorAttribute` (dytnsapi 2020-02-17), an RPC-style API:
 * a POST to `{endpoint}/?AuthCode=&InputNumber=&Mask=`, signed with ACS3-HMAC-SHA256. With
 * `mask: sha256` (or md5) the number is sent hashed, so it never leaves mnpd in clear.
 */
export class AliyunDytnsProvider implements UpstreamProvider {
  readonly kind = 'aliyun-dytns';
  readonly name: string;
  readonly costFen: number;
  readonly #config: AliyunDytnsProviderConfig;
  readonly #http: UpstreamHttp;
  readonly #host: string;

  constructor(config: AliyunDytnsProviderConfig) {
    this.#config = config;
    this.name = config.name;
    this.costFen = config.costFen;
    this.#host = new URL(config.endpoint).host;
    this.#http = providerHttp(config.endpoint, config);
  }

  async ask(mobile: string, signal: AbortSignal): Promise<UpstreamOutcome> {
    const query = {
      AuthCode: this.#config.authCode.reveal(),
      InputNumber: maskedNumber(mobile, this.#config.mask),
      Mask: MASK_PARAMETER[this.#config.mask],
    };
    const signed = signAcs3Request(
      {
        method: 'POST',
        host: this.#host,
        path: '/',
        query,
        body: '',
        action: DYTNS_ACTION,
        version: DYTNS_VERSION,
      },
      {
        accessKeyId: this.#config.accessKeyId.reveal(),
        accessKeySecret: this.#config.accessKeySecret.reveal(),
      },
    );
    const reply = await this.#http.send(
      {
        method: 'POST',
        path: '/',
        query: canonicalQueryString(query),
        headers: { ...signed, accept: 'application/json' },
        body: '',
      },
      signal,
    );
    return isReply(reply) ? dytnsOutcome(reply) : reply;
  }

  describe(): ProviderDescription {
    const c = this.#config;
    return describeProvider(
      c,
      c.endpoint,
      {
        accessKeyId: c.accessKeyId.source,
        accessKeySecret: c.accessKeySecret.source,
        authCode: c.authCode.source,
      },
      { mask: c.mask },
    );
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}

/** The number as InputNumber carries it: hashed, lower-case hex, or in clear with `none`. */
export function maskedNumber(mobile: string, mask: DytnsMask): string {
  return mask === 'none' ? mobile : createHash(mask).update(mobile).digest('hex');
}

interface DytnsBody {
  Code?: unknown;
  Message?: unknown;
  Data?: {
    BasicCarrier?: unknown;
    Carrier?: unknown;
    IsNumberPortability?: unknown;
    Province?: unknown;
    City?: unknown;
  };
}

function dytnsOutcome(reply: UpstreamReply): UpstreamOutcome {
  let body: DytnsBody;
  try {
    body = JSON.parse(reply.text) as DytnsBody;
  } catch {
    return reply.status >= 500
      ? transient('http-status', `HTTP ${reply.status}`, `HTTP ${reply.status}`)
      : transient('garbage', `HTTP ${reply.status} without JSON`, `HTTP ${reply.status}`);
  }
  if (typeof body !== 'object' || body === null || typeof body.Code !== 'string') {
    return transient('garbage', `HTTP ${reply.status} without a Code`, `HTTP ${reply.status}`);
  }
  if (body.Code === 'OK') return answerOutcome(body.Data);
  return codeOutcome(
    body.Code,
    `${body.Code} ${typeof body.Message === 'string' ? body.Message : ''}`,
    reply.status,
  );
}

function answerOutcome(data: DytnsBody['Data']): UpstreamOutcome {
  const basic = typeof data?.BasicCarrier === 'string' ? carrierOf(data.BasicCarrier) : undefined;
  if (basic === undefined) return transient('garbage', 'OK without a BasicCarrier', 'OK');
  const answer: UpstreamAnswer = {
    carrier: basic,
    ported: data?.IsNumberPortability === true || data?.IsNumberPortability === 'true',
  };
  // Carrier names the operator actually serving the number: a virtual operator's name when it is one.
  if (typeof data?.Carrier === 'string' && data.Carrier.trim() && carrierOf(data.Carrier) === undefined) {
    answer.virtual = true;
  }
  if (typeof data?.Province === 'string' && data.Province.trim()) answer.province = data.Province.trim();
  if (typeof data?.City === 'string' && data.City.trim()) answer.city = data.City.trim();
  return { kind: 'answer', answer, code: 'OK' };
}

function carrierOf(text: string): Carrier | undefined {
  return parseCarrier(text) ?? ENGLISH_CARRIERS.get(text.trim().toLowerCase());
}

/**
 * Alibaba Cloud's error codes: the gateway's common ones (Throttling, InvalidAccessKeyId.NotFound,
 * SignatureDoesNotMatch, Forbidden.RAM, ...) and 号码百科's (PhoneNumberNotfound,
 * RequestFrequencyLimit, AuthCodeNotExist, BIZ_NOT_OPEN_ERROR, ...).
 */
function codeOutcome(code: string, detail: string, status: number): UpstreamOutcome {
  if (/^PhoneNumberNot[Ff]ound$/.test(code)) return { kind: 'not-found', code };
  if (/Throttling|FrequencyLimit|FlowControl/i.test(code)) return transient('rate-limited', detail, code);
  if (/Arrear|Balance|AMOUNT_NOT_ENOUGH|OutOfService/i.test(code))
    return operatorTrouble('no-balance', detail, code);
  if (
    /InvalidAccessKey|Signature(DoesNotMatch|Mismatch)|IncompleteSignature|InvalidSecurityToken/i.test(code)
  ) {
    return operatorTrouble('bad-key', detail, code);
  }
  if (/SourceIp|IpNotAllowed|IpNotIn|WhiteList/i.test(code))
    return operatorTrouble('ip-refused', detail, code);
  if (
    /^AuthCode|BIZ_NOT_OPEN|Forbidden|NoPermission|NotAuthori[sz]ed|CUST_NOT_EXIST|NotApplied/i.test(code)
  ) {
    return operatorTrouble('no-permission', detail, code);
  }
  if (
    /InvalidTimeStamp|SignatureNonceUsed|EncryptTypeIllegal|InvalidAction|InvalidVersion|MissingParameter/i.test(
      code,
    )
  ) {
    return operatorTrouble('misconfigured', detail, code);
  }
  if (/InvalidParameter|NumberIllegal|OperatorLimit/i.test(code)) return refused(code, detail);
  return transient(status >= 500 ? 'http-status' : 'upstream-error', detail, code);
}
