/**
 * The HTTP load of the benches, run by autocannon in the load generator's process: hello-world,
 * /carrier requests built once, or 1000-number batches.
 */
import autocannon from 'autocannon';
import { percentile } from './load-generator.js';

/** Distinct /carrier requests each connection cycles through, built once like the hello request. */
const CARRIER_REQUESTS = 1000;
export const BATCH_SIZE = 1000;

/** What the parent asks the load child to run; functions cannot cross the process boundary. */
export interface LoadSpec {
  kind: 'hello' | 'carrier' | 'batch';
  url: string;
  apikey: string;
  prefixes: string[];
  connections: number;
  duration: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** Numbers of the bench's segments, in a fixed rotation: prefix i % n, suffix counting up. */
export function numberAt(prefixes: string[], i: number): string {
  return `${prefixes[i % prefixes.length]}${String(Math.floor(i / prefixes.length) % 10_000).padStart(4, '0')}`;
}

export async function runHttpLoad(spec: LoadSpec): Promise<LoadResult> {
  let options: autocannon.Options;
  if (spec.kind === 'hello') {
    options = { url: `${spec.url}/bench/hello` };
  } else if (spec.kind === 'carrier') {
    // Built once, as autocannon builds the hello request: building each request anew took the
    // load generator a seventh of its time, a cost the hello run does not have.
    options = {
      url: spec.url,
      requests: Array.from({ length: CARRIER_REQUESTS }, (_, i) => ({
        method: 'GET' as const,
        path: `/carrier?apikey=${spec.apikey}&mobile=${numberAt(spec.prefixes, i)}`,
      })),
    };
  } else {
    let i = 0;
    const body = () =>
      JSON.stringify({
        apikey: spec.apikey,
        mobiles: Array.from({ length: BATCH_SIZE }, () => numberAt(spec.prefixes, i++)),
      });
    options = {
      url: spec.url,
      requests: [
        {
          method: 'POST',
          path: '/carrier/batch',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => {
            request.body = body();
            return request;
          },
        },
      ],
    };
  }
  // autocannon's own histogram keeps whole milliseconds; the sub-millisecond latencies this
  // bench is about are taken from its per-response event instead (2xx only, as autocannon does).
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { ...options, connections: spec.connections, duration: spec.duration },
      (error, done) => (error ? reject(error as Error) : resolve(done)),
    );
    instance.on('response', (_client, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  const sorted = Float64Array.from(latencies).sort();
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    total: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
