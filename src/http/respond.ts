import type { FastifyReply } from 'fastify';
import { ResultCode } from '../core/result-codes.js';
import { type AnswerFormat, sendAnswer } from './answer-format.js';
import type { AppDeps } from './app-deps.js';

/** Sends an answer with a code and counts it (metrics, live traffic); a rate-limited answer is HTTP 429 (our extension). */
export function respond<Body extends { code: number }>(
  deps: Pick<AppDeps, 'metrics' | 'traffic'>,
  reply: FastifyReply,
  endpoint: string,
  format: AnswerFormat,
  body: Body,
): FastifyReply {
  deps.metrics.requests.inc({ endpoint, code: String(body.code) });
  deps.traffic.record(body.code, performance.now() - reply.request.startedAt);
  return sendAnswer(reply, format, body, body.code === ResultCode.RateLimited ? 429 : 200);
}
