import type { IspAppcodeProviderConfig } from './config.js';
import { type UpstreamOutcome, operatorTrouble, transient } from './outcome.js';
import type { ProviderDescription, UpstreamProvider } from './provider.js';
import { seedOutcome, statusOutcome } from './seed-answer.js';
import { type UpstreamHttp, type UpstreamReply, isReply } from './upstream-http.js';
import { describeProvider, providerHttp } from './provider-basics.js';

/**
 * The Aliyun-market style: `{url}/isp?mobile=` with `Authorization: APPCODE <code>`, answered with
 * the seed's body. The market's API gateway answers its own refusals without a body, in the
 * `X-Ca-Error-Message` header (`Invalid AppCode`, `Quota Exhausted`, `Throttled by ...`).
 */
export class IspAppcodeProvider implements UpstreamProvider {
  readonly kind = 'isp-appcode';
  readonly name: string;
  readonly costFen: number;
  readonly #config: IspAppcodeProviderConfig;
  readonly #http: UpstreamHttp;

  constructor(config: IspAppcodeProviderConfig) {
    this.#config = config;
    this.name = config.name;
    this.costFen = config.costFen;
    this.#http = providerHttp(config.url, config);
  }

  async ask(mobile: string, signal: AbortSignal): Promise<UpstreamOutcome> {
    const reply = await this.#http.send(
      {
        method: this.#config.method,
        path: '/isp',
        query: new URLSearchParams({ mobile }).toString(),
        headers: { authorization: `APPCODE ${this.#config.appcode.reveal()}` },
        ...(this.#config.method === 'POST' ? { body: '' } : {}),
      },
      signal,
    );
    if (!isReply(reply)) return reply;
    return gatewayRefusal(reply) ?? seedOutcome(reply, mobile);
  }

  describe(): ProviderDescription {
    const c = this.#config;
    return describeProvider(c, c.url, { appcode: c.appcode.source }, { method: c.method });
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}

/** The API gateway's own refusal, read from X-Ca-Error-Message; undefined when there is none. */
function gatewayRefusal(reply: UpstreamReply): UpstreamOutcome | undefined {
  const header = reply.headers['x-ca-error-message'];
  const message = Array.isArray(header) ? header.join(' ') : header;
  if (!message || (reply.status >= 200 && reply.status < 300)) return undefined;
  const code = `HTTP ${reply.status}`;
  const detail = `${code} ${message}`;
  if (/quota/i.test(message)) return operatorTrouble('no-balance', detail, code);
  if (/throttl|flow control/i.test(message)) return transient('rate-limited', detail, code);
  if (/appcode|appkey|signature/i.test(message)) return operatorTrouble('bad-key', detail, code);
  if (/\bip\b/i.test(message)) return operatorTrouble('ip-refused', detail, code);
  if (/unauthori[sz]ed|forbidden|denied/i.test(message))
    return operatorTrouble('no-permission', detail, code);
  return statusOutcome(reply.status, detail);
}
