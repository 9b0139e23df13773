import type { ChargeItem, ChargeOutcome } from '../../core/charges.js';
import {
  type LookupAnswer,
  type LookupOutcome,
  type LookupSources,
  lookupMobile,
  lookupMobiles,
} from '../../core/lookup.js';
import { MAX_MOBILE_INPUT_LENGTH, parseMobile } from '../../core/mobile-number.js';
import { ResultCode } from '../../core/result-codes.js';
import { type SeedBody, errorBody, seedBody } from '../../core/seed-body.js';
import type { Account, KeyKind } from '../../store/store.js';
import { APIKEY_LENGTH } from '../accounts/secrets.js';
import { ipAllowed } from './ip-rules.js';
import type { KeyResolver, Principal } from './key-resolver.js';
import type { CachedAnswer } from '../../core/cached-answer.js';
import type { LiveAnswers } from './live-answers.js';
import { type AnswerOrigin, queryLogRow } from './query-log-row.js';
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

/** A refusal may say why in words (`message`), where the code alone would leave the client guessing. */
export type Authorization =
  { ok: true; principal: Principal } | { ok: false; code: ResultCode; message?: string };

/** Why an account's key in clear was refused (code -10). */
export const UNSIGNED_REFUSED =
  'this account accepts signed requests only (X-Ca-Key, X-Ca-Signature: AppKey/AppSecret)';

/** Who pays for an answer: the account, and the key it came with (null from the console). */
export interface Payer {
  account: Account;
  keyId: number | null;
}

/** Billing as the query path sees it: the group commit (ChargeBatcher), wired in by the server. */
export interface Charger {
  /** Resolves once the charge (or its refusal, or a 'log' item's row) is committed. */
  charge(item: ChargeItem): Promise<ChargeOutcome>;
}

/**
 * More charges wait for the store than billing takes: the answer is refused uncharged, and the
 * client should try again in a moment (HTTP 503, code -8, Retry-After).
 */
export class OverloadedError extends Error {
  constructor() {
    super('overloaded: too many charges are waiting for the store');
    this.name = 'OverloadedError';
  }
}

/** A charge the store refused for the item itself: a bug upstream of billing, answered -8. */
export class UnbillableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnbillableError';
  }
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

/**
 * The first answer given under an idempotency key, when the retry asks about the same number;
 * a key reused for another number gets -7 (as Stripe refuses a key reused with other parameters).
 */
function replayed(body: string, mobile: string): SeedBody {
  const first = JSON.parse(body) as SeedBody;
  return first.result?.Mobile === mobile ? first : errorBody(ResultCode.RequestIdReused);
}

/** Idempotency keys longer than this are refused as a missing parameter would be. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

export interface QueryServiceDeps {
  sources: () => LookupSources;
  charger: Charger;
  keys: KeyResolver;
  limiter: RateLimiter;
  defaultQps: number;
  /** Upstream providers and the answer cache (the providers file); absent: local data only. */
  live?: LiveAnswers;
}

/** A looked-up number after the providers' policy: what to settle, and what it brought along. */
interface Resolved {
  outcome: LookupOutcome | { code: typeof ResultCode.SystemError };
  /** A provider's answer received now, for the answer cache. */
  cache?: CachedAnswer;
  /** Where a -4 came from when a provider said it. */
  source?: string;
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
    // Its keys travel in clear; an account that asked for signed requests only takes none of them.
    if (principal.account.requireSignatures) {
      return { ok: false, code: ResultCode.SignatureRefused, message: UNSIGNED_REFUSED };
    }
    return this.admit(principal, ip, requests);
  }

  /**
   * The checks after the key, for a principal found by any means (a key, or a signed request's
   * AppKey once its signature holds): IP whitelist (-9), then rate limit (-6).
   */
  async admit(principal: Principal, ip: string, requests = 1): Promise<Authorization> {
    if (!ipAllowed(ip, principal.cidrs)) return { ok: false, code: ResultCode.IpDenied };
    const qps = principal.account.qpsLimit ?? this.deps.defaultQps;
    const allowed = this.deps.limiter.take(`key:${principal.key.id}`, qps, requests);
    if (!(typeof allowed === 'boolean' ? allowed : await allowed)) {
      return { ok: false, code: ResultCode.RateLimited };
    }
    return { ok: true, principal };
  }

  /**
   * Answers one number for an authorised payer, charging it when the answer is code 0.
   * OverloadedError when billing cannot take the charge now (nothing charged).
   */
  answer(payer: Payer, mobile: unknown, context: QueryContext): Promise<SeedBody> {
    const sources = this.deps.sources();
    const outcome = lookupMobile(mobile, sources);
    const { live } = this.deps;
    if (outcome.code !== 0 || !live?.goesUpstream(payer.account)) {
      if (outcome.code === 0) live?.countLocal(outcome.answer);
      return this.#settle(payer, mobile, { outcome }, sources, context);
    }
    return this.#resolve(live, payer, outcome.answer).then((resolved) =>
      this.#settle(payer, mobile, resolved, sources, context),
    );
  }

  async #resolve(
    live: LiveAnswers,
    payer: Payer,
    local: LookupAnswer,
    options: { waitForBudget?: boolean; cached?: CachedAnswer | null } = {},
  ): Promise<Resolved> {
    const resolved = await live.resolve(local, payer.account, options);
    switch (resolved.kind) {
      case 'answer':
        return { outcome: { code: ResultCode.Ok, answer: resolved.answer }, cache: resolved.cache };
      case 'not-found':
        return { outcome: { code: ResultCode.NoData }, source: `upstream:${resolved.provider}` };
      case 'unavailable':
        return { outcome: { code: ResultCode.SystemError } };
    }
  }

  /**
   * `answer` for each of `mobiles`, looked up together (one portability search for all) and each
   * charged on its own; `contextOf(i)` is the context of the i-th number. A number whose charge
   * fails is answered -8 on its own: the others' answers (and charges) stand.
   */
  async answerMany(
    payer: Payer,
    mobiles: readonly unknown[],
    contextOf: (i: number) => QueryContext,
  ): Promise<SeedBody[]> {
    const sources = this.deps.sources();
    const outcomes = lookupMobiles(mobiles, sources);
    const { live } = this.deps;
    const upstream = live?.goesUpstream(payer.account) === true;
    // One cache read for the whole batch; batches wait for the providers' budget.
    const cached = upstream
      ? await live!.cache
          .getMany(outcomes.flatMap((o) => (o.code === 0 ? [o.answer.seed.Mobile] : [])))
          // A store that cannot be read now costs the cache, not the answers.
          .catch(() => new Map<string, CachedAnswer>())
      : undefined;
    const settled = await Promise.allSettled(
      outcomes.map((outcome, i) => {
        if (outcome.code !== 0 || !upstream) {
          if (outcome.code === 0) live?.countLocal(outcome.answer);
          return this.#settle(payer, mobiles[i], { outcome }, sources, contextOf(i));
        }
        const options = { waitForBudget: true, cached: cached!.get(outcome.answer.seed.Mobile) ?? null };
        return this.#resolve(live!, payer, outcome.answer, options).then((resolved) =>
          this.#settle(payer, mobiles[i], resolved, sources, contextOf(i)),
        );
      }),
    );
    return settled.map((result) =>
      result.status === 'fulfilled' ? result.value : errorBody(ResultCode.SystemError),
    );
  }

  /** Logs and charges an answer as the contract says, and gives the body the client gets. */
  async #settle(
    payer: Payer,
    mobile: unknown,
    { outcome, cache, source }: Resolved,
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
      if (LOGGED_ERRORS.has(outcome.code)) {
        // Never charged, so never replayed: a retry is looked up (and logged) again.
        const log = queryLogRow(origin, outcome.code, loggedMobile(mobile), undefined, source ?? null);
        const logged = await this.deps.charger.charge({
          kind: 'log',
          accountId: payer.account.id,
          idempotencyKey: null,
          body: '',
          log,
        });
        if (logged.status === 'overloaded') throw new OverloadedError();
      }
      return errorBody(outcome.code);
    }
    const body = seedBody(outcome, context.ext, context.ext ? context.requestId : undefined);
    const { seed } = outcome.answer;
    const result = await this.deps.charger.charge({
      accountId: payer.account.id,
      idempotencyKey: context.idempotencyKey,
      // Only a keyed answer is ever replayed, so only its body is kept.
      body: context.idempotencyKey === null ? '' : JSON.stringify(body),
      log: queryLogRow(origin, ResultCode.Ok, seed.Mobile, seed, outcome.answer.ext.source),
      cache,
    });
    switch (result.status) {
      case 'charged':
        return body;
      // Refused for the balance: the store logged it as the -5 it is.
      case 'insufficient':
        return errorBody(ResultCode.InsufficientBalance);
      case 'replay':
        return replayed(result.body, seed.Mobile);
      case 'overloaded':
        throw new OverloadedError();
      case 'logged':
      case 'rejected':
        throw new UnbillableError(`charge ${result.status}: ${'message' in result ? result.message : ''}`);
    }
  }
}
