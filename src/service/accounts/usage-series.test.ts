import { describe, expect, it } from 'vitest';
import type { AnswerStatsHour } from '../../store/store.js';
import { chinaDay, chinaDayStart, dailyByCode, lastChinaDays } from './usage-series.js';

function hour(iso: string, code: number, answers: number, accountId = 1): AnswerStatsHour {
  return { accountId, hour: new Date(iso), code, answers, ported: 0 };
}

describe('China days', () => {
  it('start at 16:00 UTC of the day before', () => {
    expect(chinaDay(new Date('2025-03-01T15:59:59.999Z'))).toBe('2025-03-01');
    expect(chinaDay(new Date('2025-03-01T16:00:00.000Z'))).toBe('2025-03-02');
    expect(chinaDayStart(new Date('2025-03-01T16:00:00.000Z')).toISOString()).toBe(
      '2025-03-01T16:00:00.000Z',
    );
    expect(chinaDayStart(new Date('2025-03-01T15:59:59.999Z')).toISOString()).toBe(
      '2025-02-28T16:00:00.000Z',
    );
    expect(chinaDayStart(new Date('1969-12-31T20:00:00.000Z')).toISOString()).toBe(
      '1969-12-31T16:00:00.000Z',
    );
  });

  it('the last N days end with today', () => {
    const { from, to } = lastChinaDays(new Date('2025-03-10T02:00:00Z'), 30);
    expect(from.toISOString()).toBe('2025-02-08T16:00:00.000Z');
    expect(to.toISOString()).toBe('2025-03-10T16:00:00.000Z');
  });
});

describe('dailyByCode', () => {
  it('sums hours into China days by code, over accounts, with every day present', () => {
    const from = new Date('2025-02-28T16:00:00Z');
    const series = dailyByCode(
      [
        hour('2025-02-28T15:00:00Z', 0, 99), // the day before: left out
        hour('2025-02-28T16:00:00Z', 0, 2),
        hour('2025-02-28T16:00:00Z', 0, 3, 2),
        hour('2025-03-01T15:00:00Z', -2, 1),
        hour('2025-03-02T16:00:00Z', 0, 7),
        hour('2025-03-03T16:00:00Z', 0, 99), // past the last day: left out
      ],
      from,
      3,
    );
    expect(series).toEqual([
      { day: '2025-03-01', codes: { '0': 5, '-2': 1 } },
      { day: '2025-03-02', codes: {} },
      { day: '2025-03-03', codes: { '0': 7 } },
    ]);
  });
});
