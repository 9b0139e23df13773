/**
 * Mobile numbers are 11 digits: a 7-digit segment prefix (1300000–1999999) and a 4-digit suffix.
 * Every table in core is keyed by these two integers, never by strings.
 */
export const FIRST_PREFIX = 1_300_000;
export const LAST_PREFIX = 1_999_999;
export const PREFIX_COUNT = LAST_PREFIX - FIRST_PREFIX + 1;
export const SUFFIX_COUNT = 10_000;

export function isMobilePrefix(prefix: number): boolean {
  return Number.isInteger(prefix) && prefix >= FIRST_PREFIX && prefix <= LAST_PREFIX;
}
