import type { FastifyReply } from 'fastify';
import { ResultCode } from '../core/result-codes.js';
import { type AnswerFormat, sendAnswer } from './answer-format.js';
import type { AppDeps } from './app-deps.js';

/** Sends an answer with a code and counts it; a rate-limited answer is HTTP 429 (our extension). */
export function respond<Body extends { code: number }>(
  deps: AppDeps,
  reply: FastifyReply,
  endpoint: string,
  format: AnswerFormat,
  body: Body,
): FastifyReply {
  deps.metrics.requests.inc({ endpoint, code: String(body.code) });
  if (body.code === 0 && endpoint !== 'balance' && endpoint !== 'records' && endpoint !== 'qxt_test') {
    deps.metrics.charges.inc(endpoint === 'batch' ? chargedInBatch(body) : 1);
  }
  return sendAnswer(reply, format, body, body.code === ResultCode.RateLimited ? 429 : 200);
}

function chargedInBatch(body: { code: number }): number {
  const results = (body as { result?: { code: number }[] }).result ?? [];
  return results.filter((result) => result.code === 0).length;
}
