import type { LookupAnswer, LookupOutcome } from './lookup.js';
import { ResultCode } from './result-codes.js';

/**
 * What the results files (`mnpd lookup --file`'s CSV, a batch job's CSV and XLSX) show of a code-0
 * answer after its number, code and reason: every column, in the order the files show them, with
 * the field it reads. Every results file has the same columns, whichever door wrote it.
 */
const ANSWER_CELLS = {
  res: ({ seed }) => seed.res,
  area: ({ seed }) => seed.Area,
  init_isp: ({ seed }) => seed.Init_isp,
  now_isp: ({ seed }) => seed.Now_isp,
  province: ({ ext }) => ext.province,
  city: ({ ext }) => ext.city,
  zip: ({ ext }) => ext.zip,
  area_code: ({ ext }) => ext.areaCode,
  type: ({ ext }) => ext.type,
  ported_at: ({ ext }) => ext.portedAt ?? '',
} satisfies Record<string, (answer: LookupAnswer) => string>;

export type AnswerColumn = keyof typeof ANSWER_CELLS;

/** The columns of a code-0 answer, after the number, its code and reason. */
export const ANSWER_COLUMNS = Object.keys(ANSWER_CELLS) as readonly AnswerColumn[];

/** The header of every results file. */
export const RESULT_COLUMNS: readonly string[] = ['mobile', 'code', 'reason', ...ANSWER_COLUMNS];

export function answerColumnsWithout(...left: AnswerColumn[]): AnswerColumn[] {
  return ANSWER_COLUMNS.filter((column) => !left.includes(column));
}

/** The cells of `columns` for a code-0 answer, in their order. */
export function answerCells(answer: LookupAnswer, columns: readonly AnswerColumn[]): string[] {
  return columns.map((column) => ANSWER_CELLS[column](answer));
}

/** An entry of a results file is never blank, so "missing" (code 1) can only be text that is not a number. */
export function entryCode(outcome: LookupOutcome): ResultCode {
  return outcome.code === ResultCode.MissingParameter ? ResultCode.BadLength : outcome.code;
}
