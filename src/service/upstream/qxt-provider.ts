import type { QxtProviderConfig } from './config.js';
import type { UpstreamOutcome } from './outcome.js';
import type { BalanceOutcome, ProviderDescription, UpstreamProvider } from './provider.js';
import { seedBalanceOutcome, seedOutcome } from './seed-answer.js';
import { type UpstreamHttp, type UpstreamRequest, isReply } from './upstream-http.js';
import { describeProvider, providerHttp } from './provider-basics.js';

/**
 * The seed's own contract, `{url}/carrier?apikey=&mobile=` and `{url}/balance?apikey=`: qxt800,
 * its resellers, and another mnpd. POST (the seed's advice) sends the key in a form body, so it
 * stays out of the upstream's access logs; GET sends it in the query string.
 */
export class QxtProvider implements UpstreamProvider {
  readonly kind = 'qxt';
  readonly name: string;
  readonly costFen: number;
  readonly #config: QxtProviderConfig;
  readonly #http: UpstreamHttp;

  constructor(config: QxtProviderConfig) {
    this.#config = config;
    this.name = config.name;
    this.costFen = config.costFen;
    this.#http = providerHttp(config.url, config);
  }

  async ask(mobile: string, signal: AbortSignal): Promise<UpstreamOutcome> {
    const reply = await this.#http.send(this.#request('/carrier', { mobile }), signal);
    return isReply(reply) ? seedOutcome(reply, mobile) : reply;
  }

  async balance(signal: AbortSignal): Promise<BalanceOutcome> {
    const reply = await this.#http.send(this.#request('/balance', {}), signal);
    return isReply(reply) ? seedBalanceOutcome(reply) : { ok: false, failure: reply };
  }

  #request(path: string, params: Record<string, string>): UpstreamRequest {
    const form = new URLSearchParams({ apikey: this.#config.apikey.reveal(), ...params }).toString();
    if (this.#config.method === 'GET') return { method: 'GET', path, query: form };
    return {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    };
  }

  describe(): ProviderDescription {
    const c = this.#config;
    return describeProvider(
      c,
      c.url,
      { apikey: c.apikey.source },
      {
        method: c.method,
        balanceIntervalMs: c.balance?.intervalMs ?? null,
        balanceWarnBelow: c.balance?.warnBelow ?? null,
      },
    );
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}
