import type { CachedAnswer } from '../../core/cached-answer.js';
import { CARRIER_NAMES, UNKNOWN_CARRIER_NAME } from '../../core/carrier.js';
import type { LookupAnswer, Res } from '../../core/lookup.js';
import type { Account } from '../../store/store.js';
import type { AnswerCache } from '../upstream/answer-cache.js';
import type { UpstreamAnswer } from '../upstream/outcome.js';
import type { UpstreamGateway } from '../upstream/upstream-gateway.js';

/**
 * What the query path answers for a number local data can answer:
 * - `answer`: the answer to give (and charge), with its provenance in `ext`; `cache` is an upstream
 *   answer received now, for the answer cache (it rides the charge);
 * - `not-found`: a provider says the number does not exist (-4, uncharged);
 * - `unavailable`: no provider answered, nothing is cached and the file says `onFailure: error`
 *   (-8, uncharged).
 */
export type LiveAnswer =
  | { kind: 'answer'; answer: LookupAnswer; cache?: CachedAnswer }
  | { kind: 'not-found'; provider: string }
  | { kind: 'unavailable' };

export interface LiveAnswerOptions {
  /** Batch work waits for a provider's budget; interactive queries fail over at once. */
  waitForBudget?: boolean;
  /** A cached answer already read for this number (batches read the cache for all at once). */
  cached?: CachedAnswer | null;
}

/** How many answers came from each kind of source since start (metrics, the Upstreams view). */
export interface SourceCounters {
  feed: number;
  segment: number;
  upstream: number;
  cache: number;
  /** Cache hits that spared an upstream call, and the first provider's cost of them, in fen. */
  savedCalls: number;
  savedFen: number;
}

/**
 * The policies of the providers file applied to one number (see the README, "Upstream
 * providers"). `local` (and no file), accounts kept local, and virtual-operator numbers answer
 * from local data exactly as before. The most recent observation wins between a feed row (dated
 * by its port date) and a cached answer (dated by its check).
 */
export class LiveAnswers {
  readonly counters: SourceCounters = {
    feed: 0,
    segment: 0,
    upstream: 0,
    cache: 0,
    savedCalls: 0,
    savedFen: 0,
  };

  constructor(
    private readonly gateway: () => UpstreamGateway | undefined,
    readonly cache: AnswerCache,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether numbers of this account may go upstream at all now (else answers are local as before). */
  goesUpstream(account: Account): boolean {
    const gateway = this.gateway();
    return gateway !== undefined && gateway.config.policy !== 'local' && account.localOnly !== true;
  }

  async resolve(local: LookupAnswer, account: Account, options: LiveAnswerOptions = {}): Promise<LiveAnswer> {
    const gateway = this.gateway();
    if (!gateway || !this.goesUpstream(account) || isVirtual(local.seed.res)) return this.#local(local);
    const { policy, cacheTtlMs, onFailure } = gateway.config;
    const mobile = local.seed.Mobile;
    const cached =
      options.cached === undefined ? await this.cache.get(mobile) : (options.cached ?? undefined);
    // A feed row dated after the cached answer is the newer observation, and the reverse.
    const usable = cached && !feedIsNewer(local, cached) ? cached : undefined;
    if (policy === 'cache-first') {
      if (usable && this.now() - usable.checkedAt.getTime() < cacheTtlMs)
        return this.#cached(local, usable, gateway);
      if (local.ext.source === 'feed') return this.#local(local);
    }
    const verdict = await gateway.ask(mobile, { waitForBudget: options.waitForBudget === true });
    if (verdict.kind === 'answer') {
      const answer = fromUpstream(local, verdict.answer, `upstream:${verdict.provider}`, verdict.checkedAt);
      const row: CachedAnswer = {
        mobile,
        res: answer.seed.res,
        initIsp: answer.seed.Init_isp,
        nowIsp: answer.seed.Now_isp,
        provider: verdict.provider,
        checkedAt: verdict.checkedAt,
      };
      this.cache.remember(row);
      this.counters.upstream++;
      return { kind: 'answer', answer, cache: row };
    }
    if (verdict.kind === 'not-found') return { kind: 'not-found', provider: verdict.provider };
    if (usable) return this.#cached(local, usable, gateway);
    return onFailure === 'error' ? { kind: 'unavailable' } : this.#local(local);
  }

  /** Counts an answer given from local data without asking (policy local, an account kept local). */
  countLocal(local: LookupAnswer): void {
    if (local.ext.source === 'feed') this.counters.feed++;
    else this.counters.segment++;
  }

  #local(local: LookupAnswer): LiveAnswer {
    if (local.ext.source === 'feed') this.counters.feed++;
    else this.counters.segment++;
    return { kind: 'answer', answer: local };
  }

  #cached(local: LookupAnswer, cached: CachedAnswer, gateway: UpstreamGateway): LiveAnswer {
    this.counters.cache++;
    this.counters.savedCalls++;
    this.counters.savedFen += gateway.config.providers[0]?.costFen ?? 0;
    return {
      kind: 'answer',
      answer: {
        seed: {
          ...local.seed,
          res: cached.res as Res,
          Init_isp: cached.initIsp,
          Now_isp: cached.nowIsp,
        },
        ext: {
          ...local.ext,
          portedAt: null,
          source: `cache:${cached.provider}`,
          checkedAt: cached.checkedAt.toISOString(),
        },
      },
    };
  }
}

function isVirtual(res: Res): boolean {
  return res === '3' || res === '4';
}

/** Whether the number's feed row is dated after the cached answer was checked. */
function feedIsNewer(local: LookupAnswer, cached: CachedAnswer): boolean {
  const { source, portedAt } = local.ext;
  return source === 'feed' && portedAt !== null && Date.parse(portedAt) > cached.checkedAt.getTime();
}

/**
 * A provider's answer in the seed's terms: the carrier now from the provider, the original
 * carrier from the segment data (the provider's when the segment's is not known), and `res` "1"
 * when they differ.
 */
function fromUpstream(
  local: LookupAnswer,
  upstream: UpstreamAnswer,
  source: `upstream:${string}`,
  checkedAt: Date,
): LookupAnswer {
  const nowIsp = CARRIER_NAMES[upstream.carrier];
  const initIsp =
    local.seed.Init_isp === UNKNOWN_CARRIER_NAME && upstream.originalCarrier !== undefined
      ? CARRIER_NAMES[upstream.originalCarrier]
      : local.seed.Init_isp;
  const res: Res = nowIsp === initIsp ? '0' : '1';
  return {
    seed: { ...local.seed, res, Init_isp: initIsp, Now_isp: nowIsp },
    ext: { ...local.ext, portedAt: null, source, checkedAt: checkedAt.toISOString() },
  };
}
