import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { UpstreamMetrics } from './upstream-metrics.js';

/** Prometheus metrics of one server, on its own registry so tests can build several apps. */

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'mnpd_requests_total',
    help: 'Answers by endpoint and result code',
    labelNames: ['endpoint', 'code'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'mnpd_request_duration_seconds',
    help: 'Time from request to answer',
    labelNames: ['endpoint'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly charges = new Counter({
    name: 'mnpd_charges_total',
    help: 'Queries charged',
    registers: [this.registry],
  });
  readonly overloaded = new Counter({
    name: 'mnpd_overloaded_total',
    help: 'Answers refused uncharged (-8, HTTP 503) because more charges waited than billing takes',
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'mnpd_charge_batch_size',
    help: 'Charges per group commit',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [this.registry],
  });
  readonly dataVersion = new Gauge({
    name: 'mnpd_data_version_info',
    help: 'Data versions loaded (value 1)',
    labelNames: ['data', 'version'] as const,
    registers: [this.registry],
  });
  readonly portedNumbers = new Gauge({
    name: 'mnpd_ported_numbers',
    help: 'Numbers in the portability database',
    registers: [this.registry],
  });
  readonly callbackAttempts = new Counter({
    name: 'mnpd_callback_attempts_total',
    help: 'Job callback attempts by outcome (delivered, failed, refused)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly segmentsVersion = new Gauge({
    name: 'mnpd_segments_version_info',
    help: 'Segment version in use (value 1): the store version id, or default, and the file version',
    labelNames: ['version', 'data_version'] as const,
    registers: [this.registry],
  });
  readonly segmentOverrides = new Gauge({
    name: 'mnpd_segment_overrides',
    help: "Operators' segment overrides applied",
    registers: [this.registry],
  });
  /** The upstream providers and the answer cache (MNPD_UPSTREAMS). */
  readonly upstream = new UpstreamMetrics(this.registry);

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'mnpd_' });
  }
}
