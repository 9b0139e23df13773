import { ResultCode } from '../../core/result-codes.js';
import type { Store } from '../../store/store.js';
import { KEY_CACHE_MS } from '../queries/key-resolver.js';
import type { Principal } from '../queries/key-resolver.js';
import type { Authorization, QueryService } from '../queries/query-service.js';
import type { GatewayRequest } from './gateway-signature.js';
import type { NonceStore } from './nonce-store.js';
import type { SecretBox } from './secret-box.js';
import { type GatewayRefusal, verifyGatewayRequest } from './verify-gateway-request.js';

/** AppKeys remembered at most (found or not); past it the cache starts over. */
const MAX_CACHED_APP_KEYS = 50_000;

interface SigningPrincipal {
  appSecret: string;
  principal: Principal;
}

/** What a signed request's verification came to, for metrics and logs (never the secret). */
export type SignedOutcome = 'accepted' | GatewayRefusal;

export interface SignedRequestDeps {
  store: Pick<Store, 'findSigningKey' | 'listIpRules'>;
  box: SecretBox;
  nonces: NonceStore;
  query: Pick<QueryService, 'admit'>;
  /** Told every verification's outcome; the cause of a nonce store's failure comes with it. */
  observe?: (outcome: SignedOutcome, cause?: unknown) => void;
  now?: () => number;
}

/**
 * Requests signed as Aliyun's API gateway signs them (AppKey/AppSecret, `X-Ca-*` headers): the
 * signature, its timestamp and nonce are checked (verify-gateway-request.ts), then the key's
 * account as any key's is (status, IP whitelist, rate limit). Codes, in the contract's order: an
 * unknown AppKey is -1 like an unknown apikey; a signature that does not hold, a stale timestamp,
 * a replayed nonce or unusable `X-Ca-*` headers are -10 with a message saying which; a nonce
 * store that cannot answer is -8 (try again), never a pass.
 */
export class SignedRequestService {
  readonly #cache = new Map<string, { found: SigningPrincipal | undefined; until: number }>();

  constructor(private readonly deps: SignedRequestDeps) {}

  async authorize(request: GatewayRequest, ip: string, requests = 1): Promise<Authorization> {
    const verdict = await verifyGatewayRequest(request, {
      findKey: (appKey) => this.#find(appKey),
      nonces: this.deps.nonces,
      now: this.deps.now,
    });
    if (!verdict.ok) {
      this.deps.observe?.(verdict.reason, verdict.cause);
      if (verdict.reason === 'unknown-key') return { ok: false, code: ResultCode.BadApiKey };
      if (verdict.reason === 'nonce-store-unavailable') {
        return { ok: false, code: ResultCode.SystemError, message: verdict.message };
      }
      const message =
        verdict.serverStringToSign === undefined
          ? verdict.message
          : `${verdict.message}; the server signed: ${JSON.stringify(verdict.serverStringToSign)}`;
      return { ok: false, code: ResultCode.SignatureRefused, message };
    }
    this.deps.observe?.('accepted');
    const { principal } = verdict.key;
    if (principal.account.status !== 'active') return { ok: false, code: ResultCode.BadApiKey };
    return this.deps.query.admit(principal, ip, requests);
  }

  /** Forget cached keys, e.g. after an operator changed keys or accounts in this process. */
  invalidate(): void {
    this.#cache.clear();
  }

  /** The key of an AppKey with its secret unsealed, through a cache as short as the apikeys' one. */
  async #find(appKey: string): Promise<SigningPrincipal | undefined> {
    const now = Date.now();
    const cached = this.#cache.get(appKey);
    if (cached && cached.until > now) return cached.found;
    const row = await this.deps.store.findSigningKey(appKey);
    const found = row && {
      // Throws (answered -8 and logged) when this server's key cannot open it.
      appSecret: this.deps.box.unseal(row.sealedSecret, row.appKey),
      principal: {
        key: row.key,
        account: row.account,
        cidrs: (await this.deps.store.listIpRules(row.account.id)).map((rule) => rule.cidr),
      },
    };
    if (this.#cache.size >= MAX_CACHED_APP_KEYS) this.#cache.clear();
    this.#cache.set(appKey, { found, until: now + KEY_CACHE_MS });
    return found;
  }
}
