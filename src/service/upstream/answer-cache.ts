import { LRUCache } from 'lru-cache';
import type { AnswerCacheStore, CachedAnswer } from '../../store/store.js';

/** Hot numbers kept in memory in front of the store's answer cache. */
export const ANSWER_LRU_ENTRIES = 200_000;
/**
 * How long a node trusts its memory of a cached answer before reading the store again: what
 * another node of the cluster learnt since, or `mnpd upstream forget`, shows here within this.
 */
export const ANSWER_LRU_TTL_MS = 60_000;

export interface AnswerCacheCounters {
  /** Reads answered from memory, from the store, and not answered at all. */
  memoryHits: number;
  storeHits: number;
  misses: number;
}

/**
 * The answer cache as the query path reads it: an LRU in memory in front of the store's table,
 * which every node shares. Writes go to memory here and to the store with the answer's charge
 * (`ChargeItem.cache`, the group commit), so they never cost the hot path a transaction.
 */
export class AnswerCache {
  readonly #store: AnswerCacheStore;
  readonly #memory: LRUCache<string, CachedAnswer>;
  readonly counters: AnswerCacheCounters = { memoryHits: 0, storeHits: 0, misses: 0 };

  constructor(store: AnswerCacheStore, options: { maxEntries?: number; ttlMs?: number } = {}) {
    this.#store = store;
    this.#memory = new LRUCache({
      max: options.maxEntries ?? ANSWER_LRU_ENTRIES,
      ttl: options.ttlMs ?? ANSWER_LRU_TTL_MS,
    });
  }

  /** The cached answer of a number, or undefined. */
  async get(mobile: string): Promise<CachedAnswer | undefined> {
    return (await this.getMany([mobile])).get(mobile);
  }

  /** The cached answers of those of `mobiles` that have one, with one store read for the rest. */
  async getMany(mobiles: readonly string[]): Promise<Map<string, CachedAnswer>> {
    const found = new Map<string, CachedAnswer>();
    const missing: string[] = [];
    for (const mobile of mobiles) {
      const known = this.#memory.get(mobile);
      if (known) {
        found.set(mobile, known);
        this.counters.memoryHits++;
      } else missing.push(mobile);
    }
    if (missing.length === 0) return found;
    for (const answer of await this.#store.cachedAnswers(missing)) {
      found.set(answer.mobile, answer);
      this.#remember(answer);
      this.counters.storeHits++;
    }
    this.counters.misses += missing.filter((mobile) => !found.has(mobile)).length;
    return found;
  }

  /** Keeps an answer in memory: its store row is written with the charge of the query that got it. */
  remember(answer: CachedAnswer): void {
    this.#remember(answer);
  }

  /** Writes an answer to memory and the store now (an answer received outside a charge). */
  async put(answer: CachedAnswer): Promise<void> {
    this.#remember(answer);
    await this.#store.cacheAnswers([answer]);
  }

  /** Forgets a number here and in the store; the other nodes forget it within ANSWER_LRU_TTL_MS. */
  async forget(mobile: string): Promise<boolean> {
    const inMemory = this.#memory.delete(mobile);
    return (await this.#store.forgetCachedAnswer(mobile)) || inMemory;
  }

  /** Numbers held in memory. */
  get memorySize(): number {
    return this.#memory.size;
  }

  /** Numbers held in the store, for every node. */
  storeSize(): Promise<number> {
    return this.#store.cachedAnswerCount();
  }

  #remember(answer: CachedAnswer): void {
    const known = this.#memory.get(answer.mobile);
    if (!known || known.checkedAt <= answer.checkedAt) this.#memory.set(answer.mobile, answer);
  }
}
