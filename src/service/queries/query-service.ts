import type { ChargeBatcher } from '../../billing/charge-batcher.js';
import type { Account, KeyKind } from '../../store/store.js';
import { type AnswerOrigin, queryLogRow } from './query-log-row.js';
import { type LookupOutcome, type LookupSources, lookupMobile, lookupMobiles } from '../../core/lookup.js';
import { MAX_MOBILE_INPUT_LENGTH, parseMobile } from '../../core/mobile-number.js';
import { REASONS, ResultCode } from '../../core/result-codes.js';
import { type SeedBody, seedBody } from '../../core/seed-body.js';
import { ipAllowed } from './ip-rules.js';
import { APIKEY_LENGTH, type KeyResolver, type Principal } from './key-resolver.js';
import type { RateLimiter } from './rate-limiter.js';

export interface QueryContext {
  ip: string;
  /** `ip` as the query log keeps it (see maskIp), computed once per request. */
  maskedIp: string;
  requestId: string;
  /** From the client's requestId or Idempotency-Key: a retry with it is answered without a charge. */
  idempotencyKey: string | null;
  ext: boolean;
  /** performance.now() when the request arrived, for the logged latency. */
  startedAt: number;
}

export type Authorization = { ok: true; principal: Principal } | { ok: false; code: ResultCode };

/** Who pays for an answer: the account, and the key it came with (null from the console). */
export interface Payer {
  account: Account;
  keyId: number | null;
}

/** Answers about the number itself: logged and counted for the account, never charged. */
const LOGGED_ERRORS: ReadonlySet<ResultCode> = new Set([
  ResultCode.BadLength,
  ResultCode.NotMobile,
  ResultCode.NoData,
]);

/**
 * The number as the log keeps it: normalised when it parses, else what the client sent, cut to
 * the longest input a number may be and without control characters (PostgreSQL text refuses NUL).
 */
function loggedMobile(input: unknown): string {
  const parsed = parseMobile(input);
  if (parsed.ok) return parsed.mobile;
  // Other JSON values (a batch may hold anything) as JSON; nothing JSON can spell makes this throw.
  const text = typeof input === 'string' ? input : (JSON.stringify(input) ?? '');
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_MOBILE_INPUT_LENGTH);
}

export function errorBody(code: ResultCode): SeedBody {
  return { code, reason: REASONS[code] };
}

/** Idempotency keys longer than this are refused as a missing parameter would be. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

export interface QueryServiceDeps {
  sources: () => LookupSources;
  batcher: ChargeBatcher;
  keys: KeyResolver;
  limiter: RateLimiter;
  defaultQps: number;
}

/**
 * What every charged query goes through, in the contract's order: parameters (1), key (-1), IP
 * whitelist (-9), rate limit (-6), number (-2, -3), data (-4), balance (-5), answer (0). Only a
 * code-0 answer is charged, and it leaves only after its charge and log row are committed; the
 * answers -2, -3, -4 and -5 of a known account are logged (and counted) the same way, uncharged.
 */
export class QueryService {
  constructor(private readonly deps: QueryServiceDeps) {}

  /** Checks a key and the client's right to use it; `requests` is what the rate limit counts. */
  async authorize(
    kind: KeyKind,
    secret: string | undefined,
    ip: string,
    requests = 1,
  ): Promise<Authorization> {
    if (!secret || (kind === 'apikey' && secret.length !== APIKEY_LENGTH)) {
      return { ok: false, code: ResultCode.MissingParameter };
    }
    const principal = await this.deps.keys.resolve(kind, secret);
    if (!principal || principal.account.status !== 'active') return { ok: false, code: ResultCode.BadApiKey };
    if (!ipAllowed(ip, principal.cidrs)) return { ok: false, code: ResultCode.IpDenied };
    const qps = principal.account.qpsLimit ?? this.deps.defaultQps;
    const allowed = this.deps.limiter.take(`key:${principal.key.id}`, qps, requests);
    if (!(typeof allowed === 'boolean' ? allowed : await allowed)) {
      return { ok: false, code: ResultCode.RateLimited };
    }
    return { ok: true, principal };
  }

  /** Answers one number for an authorised payer, charging it when the answer is code 0. */
  answer(payer: Payer, mobile: unknown, context: QueryContext): Promise<SeedBody> {
    const sources = this.deps.sources();
    return this.#settle(payer, mobile, lookupMobile(mobile, sources), sources, context);
  }

  /**
   * `answer` for each of `mobiles`, looked up together (one portability search for all) and each
   * charged on its own; `contextOf(i)` is the context of the i-th number.
   */
  answerMany(
    payer: Payer,
    mobiles: readonly unknown[],
    contextOf: (i: number) => QueryContext,
  ): Promise<SeedBody[]> {
    const sources = this.deps.sources();
    const outcomes = lookupMobiles(mobiles, sources);
    return Promise.all(
      outcomes.map((outcome, i) => this.#settle(payer, mobiles[i], outcome, sources, contextOf(i))),
    );
  }

  /** Logs and charges an answer as the contract says, and gives the body the client gets. */
  async #settle(
    payer: Payer,
    mobile: unknown,
    outcome: LookupOutcome,
    sources: LookupSources,
    context: QueryContext,
  ): Promise<SeedBody> {
    const origin: AnswerOrigin = {
      accountId: payer.account.id,
      keyId: payer.keyId,
      clientIp: context.maskedIp,
      requestId: context.requestId,
      at: new Date(),
      latencyMs: Math.max(0, Math.round(performance.now() - context.startedAt)),
      sources,
    };
    if (outcome.code !== 0) {
      const body = errorBody(outcome.code);
      if (LOGGED_ERRORS.has(outcome.code)) {
        // Never charged, so never replayed: a retry is looked up (and logged) again.
        await this.deps.batcher.charge({
          kind: 'log',
          accountId: payer.account.id,
          idempotencyKey: null,
          body: '',
          log: queryLogRow(origin, outcome.code, loggedMobile(mobile)),
        });
      }
      return body;
    }
    const body = seedBody(outcome, context.ext);
    if (context.ext && body.result)
      (body.result as unknown as Record<string, unknown>).requestId = context.requestId;
    const { seed } = outcome.answer;
    const result = await this.deps.batcher.charge({
      accountId: payer.account.id,
      idempotencyKey: context.idempotencyKey,
      // Only a keyed answer is ever replayed, so only its body is kept.
      body: context.idempotencyKey === null ? '' : JSON.stringify(body),
      log: queryLogRow(origin, ResultCode.Ok, seed.Mobile, seed),
    });
    // Refused for the balance: the store logged it as the -5 it is.
    if (result.status === 'insufficient') return errorBody(ResultCode.InsufficientBalance);
    if (result.status === 'replay') return JSON.parse(result.body) as SeedBody;
    return body;
  }
}
