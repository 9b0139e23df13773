import type { AnswerStatsHour } from '../../store/store.js';
import type { DailyCodes } from '../../wire/console-api.js';

/**
 * Daily answer counts by result code for the console's charts. Days are China days (UTC+8):
 * customers and operators are there, and a UTC day would split their evening in two.
 */

const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** China has one time zone and no daylight saving time. */
export const CHINA_OFFSET_MS = 8 * HOUR_MS;

/** The China day that `at` falls on, as `YYYY-MM-DD`. */
export function chinaDay(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant the China day holding `at` began (16:00 UTC the day before). */
export function chinaDayStart(at: Date): Date {
  const shifted = at.getTime() + CHINA_OFFSET_MS;
  return new Date(shifted - (((shifted % DAY_MS) + DAY_MS) % DAY_MS) - CHINA_OFFSET_MS);
}

/** The last `days` China days up to and including the one holding `now`: [from, to). */
export function lastChinaDays(now: Date, days: number): { from: Date; to: Date } {
  const today = chinaDayStart(now).getTime();
  return { from: new Date(today - (days - 1) * DAY_MS), to: new Date(today + DAY_MS) };
}

/**
 * One entry per China day from the day of `from` for `days` days, every day present (empty days
 * have `codes: {}`), summed over accounts; hours outside the range are left out.
 */
export function dailyByCode(stats: readonly AnswerStatsHour[], from: Date, days: number): DailyCodes[] {
  const start = chinaDayStart(from).getTime();
  const series: DailyCodes[] = Array.from({ length: days }, (_, i) => ({
    day: chinaDay(new Date(start + i * DAY_MS)),
    codes: {},
  }));
  for (const hour of stats) {
    const index = Math.floor((hour.hour.getTime() - start) / DAY_MS);
    if (index < 0 || index >= days) continue;
    const codes = series[index].codes;
    codes[hour.code] = (codes[hour.code] ?? 0) + hour.answers;
  }
  return series;
}
