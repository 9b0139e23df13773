import type { LookupAnswer } from './lookup.js';

/**
 * What the results files (`mnpd lookup --file`'s CSV, a batch job's CSV and XLSX) show of a code-0
 * answer after its number and code: every column there is, in the order the files show them, with
 * the field it reads. Each file leaves some out (`answerColumnsWithout`), none reorders them.
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

export function answerColumnsWithout(...left: AnswerColumn[]): AnswerColumn[] {
  return (Object.keys(ANSWER_CELLS) as AnswerColumn[]).filter((column) => !left.includes(column));
}

/** The cells of `columns` for a code-0 answer, in their order. */
export function answerCells(answer: LookupAnswer, columns: readonly AnswerColumn[]): string[] {
  return columns.map((column) => ANSWER_CELLS[column](answer));
}
