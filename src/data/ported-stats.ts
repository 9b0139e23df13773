import { CARRIER_NAMES } from '../core/carrier.js';
import type { PortedState } from './ported-database.js';

/** What `mnpd data stats` and the console's data page show: counts by carrier and by month ported. */
export interface PortedStats {
  version: string;
  count: number;
  lastSeq: number;
  source: string;
  createdAt: string;
  byCarrier: Record<string, number>;
  /** Months with at least one port, oldest first. */
  byMonth: { month: string; count: number }[];
  /** Ported numbers without a port date. */
  undated: number;
}

/** Counting walks the whole index (100 M entries take a while); the state is immutable, so once each. */
const statsOfState = new WeakMap<PortedState, PortedStats>();

export function portedStats(state: PortedState): PortedStats {
  const cached = statsOfState.get(state);
  if (cached) return cached;
  const { index, meta } = state;
  const perCarrier = index.countByCarrier();
  const perMonth = index.countByMonth();
  const stats: PortedStats = {
    version: meta.dataVersion,
    count: index.size,
    lastSeq: meta.lastSeq,
    source: meta.source,
    createdAt: meta.createdAt,
    byCarrier: Object.fromEntries(CARRIER_NAMES.map((name, carrier) => [name, perCarrier[carrier] ?? 0])),
    byMonth: [...perMonth]
      .filter(([month]) => month !== 'unknown')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([month, count]) => ({ month, count })),
    undated: perMonth.get('unknown') ?? 0,
  };
  statsOfState.set(state, stats);
  return stats;
}
