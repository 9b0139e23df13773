/** One colour per result code, the same in every chart and tag. */
export const CODE_COLORS: Record<string, string> = {
  '0': '#52c41a',
  '1': '#8c8c8c',
  '-1': '#f5222d',
  '-2': '#faad14',
  '-3': '#fa8c16',
  '-4': '#bfbfbf',
  '-5': '#eb2f96',
  '-6': '#722ed1',
  '-7': '#d46b08',
  '-8': '#a8071a',
  '-9': '#13c2c2',
};

export function codeColor(code: number | string): string {
  return CODE_COLORS[String(code)] ?? '#595959';
}

/** Codes in display order: success first, then the others as they rise in severity. */
export function sortCodes(codes: Iterable<string>): string[] {
  return [...new Set(codes)].sort((a, b) => (a === '0' ? -1 : b === '0' ? 1 : Number(b) - Number(a)));
}
