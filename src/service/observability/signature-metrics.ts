import { Counter, type Registry } from 'prom-client';

/** Signed requests (AppKey/AppSecret) by outcome: `accepted`, or why they were refused. */
export function signedRequestsCounter(registry: Registry): Counter<'outcome'> {
  return new Counter({
    name: 'mnpd_signed_requests_total',
    help: 'Signed requests by outcome: accepted, or the refusal (bad-signature, stale-timestamp, nonce-reused, unknown-key, …)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
}
