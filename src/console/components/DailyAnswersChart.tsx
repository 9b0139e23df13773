import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { DailyCodes } from '../../wire/console-api';
import { codeColor, sortCodes } from '../lib/codes';
import { codeName } from '../i18n/words';
import { EChart, type ChartOption } from './EChart';
import { EmptyState } from './feedback';

/** Answers per day stacked by result code, each code named in words. */
export function DailyAnswersChart({ daily, height = 320 }: { daily: DailyCodes[]; height?: number }) {
  const { t, i18n } = useTranslation();
  const option = useMemo<ChartOption>(() => {
    const codes = sortCodes(daily.flatMap((day) => Object.keys(day.codes)));
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: 'category', data: daily.map((day) => day.day.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: codes.map((code) => ({
        type: 'bar',
        stack: 'answers',
        name: codeName(t, code),
        itemStyle: { color: codeColor(code) },
        emphasis: { focus: 'series' },
        data: daily.map((day) => day.codes[code] ?? 0),
      })),
    };
    // The language is part of the option (series names).
  }, [daily, t, i18n.language]);
  const total = daily.reduce((sum, day) => sum + Object.values(day.codes).reduce((a, b) => a + b, 0), 0);
  if (total === 0) return <EmptyState text={t('dashboard.noDaily')} />;
  return <EChart option={option} height={height} ariaLabel={t('dashboard.dailyTitle')} />;
}
