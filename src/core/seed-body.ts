import type { ExtendedFields, LookupOutcome, SeedResult } from './lookup.js';
import { REASONS, type ResultCode } from './result-codes.js';

/** The extended fields of an answer, with the request it answered. */
export type ExtendedResult = SeedResult & ExtendedFields & { requestId?: string };

export interface SeedBody {
  code: ResultCode;
  reason: string;
  result?: SeedResult | ExtendedResult;
}

/** An answer without a result: every code but 0. */
export function errorBody(code: ResultCode): SeedBody {
  return { code, reason: REASONS[code] };
}

/**
 * The answer as the seed's clients read it: `{code, reason, result}`; `ext` appends our fields, and
 * the request id when one is given, after the seed's so its shape never changes.
 */
export function seedBody(outcome: LookupOutcome, ext = false, requestId?: string): SeedBody {
  if (outcome.code !== 0) return errorBody(outcome.code);
  const { seed } = outcome.answer;
  if (!ext) return { code: 0, reason: REASONS[0], result: seed };
  const result: ExtendedResult = { ...seed, ...outcome.answer.ext };
  if (requestId !== undefined) result.requestId = requestId;
  return { code: 0, reason: REASONS[0], result };
}
