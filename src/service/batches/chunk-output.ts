import type { LookupOutcome } from '../../core/lookup.js';
import { ANSWER_COLUMNS, answerCells, answerColumnsWithout, entryCode } from '../../core/result-columns.js';

/** Format 1 kept every answer column but these: its chunks read back with them empty. */
const FORMAT_1_COLUMNS = answerColumnsWithout('zip', 'area_code');

/**
 * How the runner stores a chunk's answers and the export reads them back: one tuple per entry, in
 * entry order. A code-0 answer carries the cells of ANSWER_COLUMNS ('' where a field is
 * empty); any other only its code. Compact because a 1M-number job keeps a thousand of these
 * chunks.
 */
export type BatchAnswer = [entry: string, code: number] | [entry: string, code: 0, ...cells: string[]];

/** Changes when the tuples change, so that chunks stored by an older version stay readable. */
const FORMAT = 2;

export function batchAnswer(entry: string, outcome: LookupOutcome): BatchAnswer {
  if (outcome.code !== 0) return [entry, entryCode(outcome)];
  return [outcome.answer.seed.Mobile, 0, ...answerCells(outcome.answer, ANSWER_COLUMNS)];
}

export function encodeChunkOutput(answers: BatchAnswer[]): string {
  return JSON.stringify({ v: FORMAT, answers });
}

/** A format-1 answer with the columns it did not keep, empty. */
function fromFormat1(answer: BatchAnswer): BatchAnswer {
  const [entry, , ...cells] = answer;
  if (cells.length === 0) return answer;
  const byColumn = new Map(FORMAT_1_COLUMNS.map((column, i) => [column, cells[i]]));
  return [entry, 0, ...ANSWER_COLUMNS.map((column) => byColumn.get(column) ?? '')];
}

export function decodeChunkOutput(output: string): BatchAnswer[] {
  const parsed = JSON.parse(output) as { v: number; answers: BatchAnswer[] };
  if (parsed.v === 1) return parsed.answers.map(fromFormat1);
  if (parsed.v !== FORMAT) throw new Error(`unknown batch chunk format ${parsed.v}`);
  return parsed.answers;
}
