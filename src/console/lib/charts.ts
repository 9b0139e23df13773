import type { ChartOption } from '../components/EChart';

/** A ring of slices, its legend under it; `centerY` leaves the legend its room. */
export function ringOption(
  slices: { name: string; value: number; color?: string }[],
  { phone, centerY }: { phone: boolean; centerY: string },
): ChartOption {
  return {
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { bottom: 0, type: 'scroll' },
    series: [
      {
        type: 'pie',
        radius: ['40%', '68%'],
        center: ['50%', centerY],
        // Outside labels do not fit a phone's width; the legend and tooltip name the slices there.
        label: { show: !phone, formatter: '{b}\n{d}%' },
        data: slices.map(({ name, value, color }) => ({ name, value, itemStyle: { color } })),
      },
    ],
  };
}
