/**
 * A CSV cell that a spreadsheet shows as text: one starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return would be run as a formula (`=HYPERLINK(…)`, `=cmd|…`), so it gets a leading
 * apostrophe, as OWASP advises. Numbers pass as they are: a negative result code stays a number.
 */
export function inertCell(value: string | number): string | number {
  if (typeof value === 'number') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
