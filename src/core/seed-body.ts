import type { LookupOutcome, SeedResult, ExtendedFields } from './lookup.js';
import { REASONS, type ResultCode } from './result-codes.js';

export interface SeedBody {
  code: ResultCode;
  reason: string;
  result?: SeedResult | (SeedResult & ExtendedFields);
}

/** The answer as the seed's clients read it: `{code, reason, result}`; `ext` appends our fields. */
export function seedBody(outcome: LookupOutcome, ext = false): SeedBody {
  if (outcome.code !== 0) return { code: outcome.code, reason: REASONS[outcome.code] };
  const { seed } = outcome.answer;
  return {
    code: 0,
    reason: REASONS[0],
    result: ext ? { ...seed, ...outcome.answer.ext } : seed,
  };
}
