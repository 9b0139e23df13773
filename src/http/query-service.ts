import type { ChargeBatcher } from '../billing/charge-batcher.js';
import type { KeyKind } from '../store/store.js';
import { type LookupSources, lookupMobile } from '../core/lookup.js';
import { REASONS, ResultCode } from '../core/result-codes.js';
import { type SeedBody, seedBody } from '../core/seed-body.js';
import { ipAllowed } from './ip-rules.js';
import { APIKEY_LENGTH, type KeyResolver, type Principal } from './key-auth.js';
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
 * code-0 answer is charged, and it leaves only after its charge and log row are committed.
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

  /** Answers one number for an authorised key, charging it when the answer is code 0. */
  async answer(principal: Principal, mobile: unknown, context: QueryContext): Promise<SeedBody> {
    const sources = this.deps.sources();
    const outcome = lookupMobile(mobile, sources);
    if (outcome.code !== 0) return errorBody(outcome.code);
    const body = seedBody(outcome, context.ext);
    if (context.ext && body.result)
      (body.result as unknown as Record<string, unknown>).requestId = context.requestId;
    const { seed, ext } = outcome.answer;
    const result = await this.deps.batcher.charge({
      accountId: principal.account.id,
      idempotencyKey: context.idempotencyKey,
      body: JSON.stringify(body),
      log: {
        at: new Date(),
        accountId: principal.account.id,
        keyId: principal.key.id,
        clientIp: context.maskedIp,
        mobile: seed.Mobile,
        code: 0,
        res: seed.res,
        initIsp: seed.Init_isp,
        nowIsp: seed.Now_isp,
        segmentsVersion: ext.dataVersion.segments,
        portedVersion: ext.dataVersion.ported,
        latencyMs: Math.max(0, Math.round(performance.now() - context.startedAt)),
        requestId: context.requestId,
      },
    });
    if (result.status === 'insufficient') return errorBody(ResultCode.InsufficientBalance);
    if (result.status === 'replay') return JSON.parse(result.body) as SeedBody;
    return body;
  }
}
