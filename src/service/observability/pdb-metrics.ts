import { Counter, Histogram, type Registry } from 'prom-client';

/** The pdb endpoint's metrics, on the server's registry (served by /metrics with the rest). */
export class PdbMetrics {
  readonly queries: Counter<'form' | 'outcome'>;
  readonly dropped: Counter<'reason'>;
  readonly latency: Histogram;

  constructor(registry: Registry) {
    this.queries = new Counter({
      name: 'mnpd_pdb_queries_total',
      help: 'pdb queries answered, by protocol form (v1, legacy) and outcome (found, not-found, not-a-number, refused)',
      labelNames: ['form', 'outcome'] as const,
      registers: [registry],
    });
    this.dropped = new Counter({
      name: 'mnpd_pdb_dropped_total',
      help: 'pdb packets left without an answer, by reason (malformed, forbidden-source, busy, lookup-failed, charge-failed)',
      labelNames: ['reason'] as const,
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'mnpd_pdb_duration_seconds',
      help: 'Time from a pdb packet to its answer',
      buckets: [0.00002, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05],
      registers: [registry],
    });
  }
}
