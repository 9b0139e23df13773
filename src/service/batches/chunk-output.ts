import type { LookupOutcome } from '../../core/lookup.js';
import { ResultCode } from '../../core/result-codes.js';
import { answerCells, answerColumnsWithout } from '../../core/result-columns.js';

/** What a job's results show of a code-0 answer, in the order its tuple keeps them. */
export const BATCH_ANSWER_COLUMNS = answerColumnsWithout('zip', 'area_code');

/**
 * How the runner stores a chunk's answers and the export reads them back: one tuple per entry, in
 * entry order. A code-0 answer carries the cells of BATCH_ANSWER_COLUMNS ('' where a field is
 * empty); any other only its code. Compact because a 1M-number job keeps a thousand of these
 * chunks.
 */
export type BatchAnswer = [entry: string, code: number] | [entry: string, code: 0, ...cells: string[]];

/** Changes when the tuples change, so that chunks stored by an older version stay readable. */
const FORMAT = 1;

/** Entries are never blank, so "missing" (code 1) can only be an entry that is not a number. */
export function answerCode(outcome: LookupOutcome): number {
  return outcome.code === ResultCode.MissingParameter ? ResultCode.BadLength : outcome.code;
}

export function batchAnswer(entry: string, outcome: LookupOutcome): BatchAnswer {
  if (outcome.code !== 0) return [entry, answerCode(outcome)];
  return [outcome.answer.seed.Mobile, 0, ...answerCells(outcome.answer, BATCH_ANSWER_COLUMNS)];
}

export function encodeChunkOutput(answers: BatchAnswer[]): string {
  return JSON.stringify({ v: FORMAT, answers });
}

export function decodeChunkOutput(output: string): BatchAnswer[] {
  const parsed = JSON.parse(output) as { v: number; answers: BatchAnswer[] };
  if (parsed.v !== FORMAT) throw new Error(`unknown batch chunk format ${parsed.v}`);
  return parsed.answers;
}
