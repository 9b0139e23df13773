import type { FastifyInstance } from 'fastify';
import { lookupMobile } from '../../core/lookup.js';
import { ResultCode } from '../../core/result-codes.js';
import { seedBody } from '../../core/seed-body.js';
import { answerFormat } from '../answer-format.js';
import type { AppDeps } from '../app-deps.js';
import { requestParams } from '../params.js';
import { errorBody } from '../../core/seed-body.js';
import { respond } from '../respond.js';
import { lookupQuerySchema } from '../schemas.js';

/** Client IPs remembered per day; past it the oldest are forgotten. */
const MAX_TRIAL_IPS = 100_000;

/** Free answers per client IP per UTC day. */
class TrialQuota {
  #day = '';
  readonly #used = new Map<string, number>();

  constructor(readonly perDay: number) {}

  take(ip: string): boolean {
    const day = new Date().toISOString().slice(0, 10);
    if (day !== this.#day) {
      this.#day = day;
      this.#used.clear();
    }
    const used = this.#used.get(ip) ?? 0;
    if (used >= this.perDay) return false;
    if (!this.#used.has(ip) && this.#used.size >= MAX_TRIAL_IPS)
      this.#used.delete(this.#used.keys().next().value!);
    this.#used.set(ip, used + 1);
    return true;
  }
}

/** `/qxt_test?mobile=`: the free trial, no key, a small daily quota per IP; off with MNPD_TRIAL=off. */
export function trialRoute(
  app: FastifyInstance,
  deps: Pick<AppDeps, 'config' | 'sources' | 'metrics' | 'traffic'>,
): void {
  if (!deps.config.trialEnabled) return;
  const quota = new TrialQuota(deps.config.trialDailyQuota);
  app.route({
    method: ['GET', 'POST'],
    url: '/qxt_test',
    schema: lookupQuerySchema(`Free trial answer, ${deps.config.trialDailyQuota} per IP per day`, false),
    handler: async (request, reply) => {
      const params = requestParams(request);
      const format = answerFormat(params);
      if (!format)
        return respond(deps, reply, 'qxt_test', { kind: 'json' }, errorBody(ResultCode.MissingParameter));
      const outcome = lookupMobile(params.get('mobile'), deps.sources.current());
      // Malformed numbers do not use up the quota; answers do.
      if (outcome.code === 0 && !quota.take(request.ip)) {
        return respond(deps, reply, 'qxt_test', format, errorBody(ResultCode.RateLimited));
      }
      return respond(deps, reply, 'qxt_test', format, seedBody(outcome));
    },
  });
}
