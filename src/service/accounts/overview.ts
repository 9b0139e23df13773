/** A customer's account at a glance: balance, today's and this month's answers, the last 30 days. */
import type { AccountStore, AnswerStatsHour, QueryLogStore, UsageHour } from '../../store/store.js';
import type { Overview, PeriodStats } from '../../wire/console-api.js';
import { ServiceError } from '../service-error.js';
import { CHINA_OFFSET_MS, chinaDay, chinaDayStart, dailyByCode, lastChinaDays } from './usage-series.js';

/** Days of the overview's chart and of its rates. */
export const OVERVIEW_DAYS = 30;

/** The instant the China month holding `at` began. */
function chinaMonthStart(at: Date): Date {
  const [year, month] = chinaDay(at).split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, 1) - CHINA_OFFSET_MS);
}

function totalsSince(since: Date, stats: AnswerStatsHour[], usage: UsageHour[]): PeriodStats {
  const after = (hour: Date) => hour.getTime() >= since.getTime();
  const sum = <T extends { hour: Date }>(rows: T[], value: (row: T) => number) =>
    rows.filter((row) => after(row.hour)).reduce((total, row) => total + value(row), 0);
  return {
    answers: sum(stats, (row) => row.answers),
    charged: sum(usage, (row) => row.queries),
    ported: sum(stats, (row) => row.ported),
  };
}

export async function accountOverview(
  store: Pick<AccountStore, 'getAccount'> & Pick<QueryLogStore, 'answerStats' | 'usage'>,
  accountId: number,
  now = new Date(),
): Promise<Overview> {
  const account = await store.getAccount(accountId);
  if (!account) throw new ServiceError('not_found', 'the account no longer exists');
  const days = lastChinaDays(now, OVERVIEW_DAYS);
  const monthStart = chinaMonthStart(now);
  const from = new Date(Math.min(days.from.getTime(), monthStart.getTime()));
  const [stats, usage] = await Promise.all([
    store.answerStats(accountId, from, days.to),
    store.usage(accountId, from, days.to),
  ]);
  const recent = stats.filter((row) => row.hour.getTime() >= days.from.getTime());
  const answers = recent.reduce((total, row) => total + row.answers, 0);
  const succeeded = recent.filter((row) => row.code === 0).reduce((total, row) => total + row.answers, 0);
  const ported = recent.reduce((total, row) => total + row.ported, 0);
  const threshold = account.lowBalanceThreshold;
  return {
    account: {
      name: account.name,
      feeType: account.feeType,
      balance: account.balance,
      creditLimit: account.creditLimit,
      lowBalanceThreshold: threshold,
      status: account.status,
    },
    lowBalance: threshold !== null && account.balance < threshold,
    today: totalsSince(chinaDayStart(now), stats, usage),
    month: totalsSince(monthStart, stats, usage),
    successRate: answers === 0 ? null : succeeded / answers,
    portedShare: succeeded === 0 ? null : ported / succeeded,
    daily: dailyByCode(recent, days.from, OVERVIEW_DAYS),
  };
}
