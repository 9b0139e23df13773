import type { Account, AccountStore, KeyKind, KeyRecord } from '../../store/store.js';
import { hashSecret } from '../accounts/secrets.js';
/**
 * How long a resolved key (with its account and IP rules) is reused. Short, so that a revoked key
 * or a changed whitelist takes effect within seconds on every node, yet the hot path rarely waits
 * for the store.
 */
export const KEY_CACHE_MS = 2000;
const MAX_CACHED_KEYS = 50_000;
/** Secrets up to this long are cached by their text; keys are APIKEY_LENGTH. */
const MAX_CACHED_SECRET_LENGTH = 64;

export interface Principal {
  key: KeyRecord;
  account: Account;
  cidrs: string[];
}

/** Resolves secrets to keys through a short-lived cache; misses are cached too (bad keys are common). */
export class KeyResolver {
  readonly #store: Pick<AccountStore, 'findKey' | 'listIpRules'>;
  readonly #cache = new Map<string, { principal: Principal | undefined; until: number }>();

  constructor(store: Pick<AccountStore, 'findKey' | 'listIpRules'>) {
    this.#store = store;
  }

  async resolve(kind: KeyKind, secret: string): Promise<Principal | undefined> {
    // Keyed by the secret itself, which stays in this process's memory as each request's own copy
    // does (never stored, never logged): a hit then costs no SHA-256, a twentieth of the time of a
    // /carrier request that is not charged. A longer secret (no key is, but a header may hold kilobytes)
    // is keyed by its hash, so that a flood of them cannot fill the cache with their text.
    const longHash = secret.length > MAX_CACHED_SECRET_LENGTH ? hashSecret(secret) : undefined;
    const cacheKey = longHash === undefined ? `${kind}:${secret}` : `${kind}#${longHash}`;
    const now = Date.now();
    const cached = this.#cache.get(cacheKey);
    if (cached && cached.until > now) return cached.principal;
    const found = await this.#store.findKey(kind, longHash ?? hashSecret(secret));
    const principal = found && {
      ...found,
      cidrs: (await this.#store.listIpRules(found.account.id)).map((rule) => rule.cidr),
    };
    if (this.#cache.size >= MAX_CACHED_KEYS) this.#cache.clear();
    this.#cache.set(cacheKey, { principal, until: now + KEY_CACHE_MS });
    return principal;
  }

  /** Forget everything, e.g. after an operator changed keys or rules in this process. */
  invalidate(): void {
    this.#cache.clear();
  }
}
