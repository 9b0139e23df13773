/**
 * Upstream providers and the answer cache under a Zipf workload (`npm run bench:upstream`).
 *
 * One server (SQLite, cache-first) with a fake qxt provider answering in a fixed 20 ms, two
 * accounts on it: one going upstream, one kept local-only (today's local /carrier path, the
 * baseline, measured in the same run on the same numbers). Numbers are drawn from 1M by a Zipf
 * law (s = 1), as a platform's traffic repeats its hot numbers. Reported: the cache's hit ratio,
 * upstream calls per 1000 answers, p50/p99 of cache hits vs the local path (their ratio), of
 * misses (provider latency + mnpd's overhead), and the p99 of misses while the first of two
 * providers stops answering mid-run (bounded by its timeout + the second's latency).
 *
 * Bounded: a fixed number of requests per phase, on 127.0.0.1; the load runs in this process,
 * through one undici pool, so both paths compared pay the same client cost.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { configFromEnv } from '../src/service/config.js';
import { cliActor } from '../src/service/operators/audit.js';
import { FAKE_QXT_APIKEY, FakeQxt } from '../src/service/upstream/test-support/fake-qxt.js';
import { startServer } from '../src/server/start-server.js';
import { target } from './measure.js';

const NUMBERS = 1_000_000;
const PREFIXES = 100;
const ZIPF_S = 1;
const PROVIDER_LATENCY_MS = 20;
const FIRST_TIMEOUT_MS = 200;
const CONCURRENCY = 16;
const WARM_REQUESTS = Number(process.env.BENCH_WARM_REQUESTS ?? 20_000);
const COMPARE_REQUESTS = 5_000;
/** Misses one at a time: the provider's latency plus mnpd's own overhead, without queueing. */
const SEQUENTIAL_MISSES = 300;
/** The failover phase runs this many requests at a time. */
const FAILOVER_CONCURRENCY = 4;
const COMPARE_ROUNDS = 3;
const FAILOVER_REQUESTS = 2_000;

/** Segments of 100 prefixes × 10,000 suffixes: the 1M numbers of the workload. */
function segmentsCsv(): string {
  const lines = ['# mnpd segments version bench', 'prefix,province,city,zip,area_code,isp'];
  for (let p = 0; p < PREFIXES; p++) lines.push(`${1390000 + p},湖北,宜昌,443000,0717,移动`);
  return lines.join('\n');
}

/** The number of Zipf rank r (0-based), spread over the prefixes by a fixed permutation. */
function numberOfRank(rank: number): string {
  const spread = (rank * 7919 + 13) % NUMBERS; // 7919 is prime and coprime with 10^6
  return `${1390000 + Math.floor(spread / 10_000)}${String(spread % 10_000).padStart(4, '0')}`;
}

/** Draws Zipf ranks by binary search in the cumulative distribution. */
function zipfSampler(n: number, s: number, seed = 42): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) cdf[k] = sum += 1 / Math.pow(k + 1, s);
  for (let k = 0; k < n; k++) cdf[k] /= sum;
  let state = seed >>> 0;
  const random = () => {
    // mulberry32: a fixed, seeded sequence, so runs draw the same numbers.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const u = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

interface Sample {
  ms: number;
  source: string;
  code: number;
}

/** Runs `count` requests, `concurrency` at a time, each for `next()`'s number. */
async function run(
  pool: Pool,
  apikey: string,
  count: number,
  next: () => string,
  concurrency = CONCURRENCY,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  let issued = 0;
  const worker = async () => {
    while (issued < count) {
      issued++;
      const mobile = next();
      const started = performance.now();
      const response = await pool.request({
        method: 'GET',
        path: `/carrier?apikey=${apikey}&mobile=${mobile}&ext=1`,
      });
      const body = (await response.body.json()) as { code: number; result?: { source: string } };
      samples.push({ ms: performance.now() - started, source: body.result?.source ?? '', code: body.code });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return samples;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (value: number) => `${value.toFixed(2)} ms`;

function line(label: string, values: number[]): { p50: number; p99: number } {
  const p50 = percentile(values, 50);
  const p99 = percentile(values, 99);
  console.log(
    `${label.padEnd(52)} p50 ${ms(p50).padStart(10)}   p99 ${ms(p99).padStart(10)}   (${values.length})`,
  );
  return { p50, p99 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mnpd-bench-upstream-'));
  const segments = join(dir, 'segments.csv');
  writeFileSync(segments, segmentsCsv());
  const first = await FakeQxt.start({ fallback: { result: {}, delayMs: PROVIDER_LATENCY_MS } });
  const second = await FakeQxt.start({ fallback: { result: {}, delayMs: PROVIDER_LATENCY_MS } });
  const provider = (name: string, url: string, timeoutMs: number) => ({
    name,
    kind: 'qxt',
    url,
    apikey: FAKE_QXT_APIKEY,
    method: 'GET',
    balance: false,
    timeoutMs,
    costFen: 3,
    maxQps: 100_000,
    maxConcurrency: 1000,
  });
  const file = join(dir, 'upstreams.json');
  writeFileSync(
    file,
    JSON.stringify({
      policy: 'cache-first',
      cacheTtl: '24h',
      providers: [provider('first', first.url, FIRST_TIMEOUT_MS), provider('second', second.url, 1000)],
    }),
  );
  const server = await startServer(
    configFromEnv({
      MNPD_PORT: '0',
      MNPD_HOST: '127.0.0.1',
      MNPD_DATA_DIR: dir,
      MNPD_SEGMENTS: segments,
      MNPD_DEFAULT_QPS: '1000000',
      MNPD_UPSTREAMS: file,
    }),
    { logger: false },
  );
  const pool = new Pool(server.url, { connections: CONCURRENCY });
  try {
    const { accounts, store } = server.deps;
    const open = async (name: string) =>
      (await accounts.open(cliActor(), { name, feeType: 'prepaid', balance: 100_000_000 }, 'bench')).apikey;
    const upstreamKey = await open('bench-upstream');
    const localKey = await open('bench-local');
    const local = (await store.getAccountByName('bench-local'))!;
    await accounts.update(cliActor(), local.id, { localOnly: true });
    console.log(
      `server ${server.url} (SQLite), fake providers at ${PROVIDER_LATENCY_MS} ms, Zipf s=${ZIPF_S} over ${NUMBERS} numbers, ` +
        `${CONCURRENCY} concurrent requests, node ${process.version}\n`,
    );

    // 1. Warm-up and hit ratio: the Zipf stream from an empty cache.
    const zipf = zipfSampler(NUMBERS, ZIPF_S);
    const callsBefore = first.carrierCalls;
    const warm = await run(pool, upstreamKey, WARM_REQUESTS, () => numberOfRank(zipf()));
    const calls = first.carrierCalls - callsBefore;
    const hits = warm.filter((s) => s.source.startsWith('cache:'));
    const misses = warm.filter((s) => s.source.startsWith('upstream:'));
    const hitRatio = hits.length / warm.length;
    console.log(
      `-- Zipf stream, ${WARM_REQUESTS} answers from an empty cache: hit ratio ${(hitRatio * 100).toFixed(1)}%, ` +
        `${((calls / warm.length) * 1000).toFixed(0)} upstream calls per 1000 answers`,
    );
    line(
      `misses in the stream (c=${CONCURRENCY})`,
      misses.map((s) => s.ms),
    );
    line(
      `hits in the stream (c=${CONCURRENCY})`,
      hits.map((s) => s.ms),
    );

    // Misses one at a time, against the local path on the same numbers one at a time.
    let fresh = 0;
    const unseen = () => numberOfRank(NUMBERS - 1 - fresh++);
    const missNumbers = Array.from({ length: SEQUENTIAL_MISSES }, unseen);
    let m = 0;
    const localSequential = await run(pool, localKey, SEQUENTIAL_MISSES, () => missNumbers[m++], 1);
    m = 0;
    const sequential = await run(pool, upstreamKey, SEQUENTIAL_MISSES, () => missNumbers[m++], 1);
    console.log(`\n-- misses one at a time (c=1), provider ${PROVIDER_LATENCY_MS} ms`);
    const miss = line(
      'misses (upstream:first)',
      sequential.map((s) => s.ms),
    );
    const localOne = line(
      'local /carrier, same numbers',
      localSequential.map((s) => s.ms),
    );
    console.log(
      `overhead over the provider: p50 ${ms(miss.p50 - PROVIDER_LATENCY_MS)} (the local path alone: ${ms(localOne.p50)})`,
    );

    // 2. Cache hits vs the local path, same hot numbers, alternating rounds.
    const hot = Array.from({ length: 1000 }, (_, rank) => numberOfRank(rank));
    await run(
      pool,
      upstreamKey,
      hot.length,
      (
        (i) => () =>
          hot[i++ % hot.length]
      )(0),
    );
    const hitTimes: number[] = [];
    const localTimes: number[] = [];
    for (let round = 0; round < COMPARE_ROUNDS; round++) {
      let i = 0;
      const hitRun = await run(pool, upstreamKey, COMPARE_REQUESTS, () => hot[i++ % hot.length]);
      i = 0;
      const localRun = await run(pool, localKey, COMPARE_REQUESTS, () => hot[i++ % hot.length]);
      hitTimes.push(...hitRun.filter((s) => s.source.startsWith('cache:')).map((s) => s.ms));
      localTimes.push(...localRun.filter((s) => s.source === 'segment').map((s) => s.ms));
    }
    console.log(`\n-- cache hits vs the local /carrier path, ${COMPARE_ROUNDS} alternating rounds`);
    const hitLine = line('cache hits (cache:first)', hitTimes);
    const localLine = line('local /carrier (account kept local)', localTimes);
    console.log(
      `ratio hit ÷ local: p50 ${(hitLine.p50 / localLine.p50).toFixed(2)}x, p99 ${(hitLine.p99 / localLine.p99).toFixed(2)}x`,
    );

    // 3. The first provider stops answering mid-run: misses fail over to the second.
    const before = await run(pool, upstreamKey, FAILOVER_REQUESTS / 2, unseen, FAILOVER_CONCURRENCY);
    first.numbers.fallback = { hang: true };
    const during = await run(pool, upstreamKey, FAILOVER_REQUESTS / 2, unseen, FAILOVER_CONCURRENCY);
    console.log(
      `\n-- misses while the first provider dies mid-run (timeout ${FIRST_TIMEOUT_MS} ms, c=${FAILOVER_CONCURRENCY})`,
    );
    line(
      'before (first answers)',
      before.map((s) => s.ms),
    );
    const failover = line(
      'after it hangs (second answers)',
      during.map((s) => s.ms),
    );
    const answeredBySecond = during.filter((s) => s.source === 'upstream:second').length;
    console.log(
      `answered by second: ${answeredBySecond} of ${during.length}; errors: ${during.filter((s) => s.code !== 0).length}`,
    );

    console.log('\n-- targets');
    const passed = [
      target(
        `cache-hit p50 within 10% of local /carrier (${(hitLine.p50 / localLine.p50).toFixed(2)}x)`,
        hitLine.p50 <= localLine.p50 * 1.1,
      ),
      target(
        `miss p50 <= provider ${PROVIDER_LATENCY_MS} ms + 1 ms + the local path (${ms(miss.p50)} <= ${ms(PROVIDER_LATENCY_MS + 1 + localOne.p50)})`,
        miss.p50 <= PROVIDER_LATENCY_MS + 1 + localOne.p50,
      ),
      target(
        `failover p99 <= first's timeout + second's latency (${ms(failover.p99)} <= ${FIRST_TIMEOUT_MS + PROVIDER_LATENCY_MS} ms)`,
        failover.p99 <= FIRST_TIMEOUT_MS + PROVIDER_LATENCY_MS,
      ),
      target(
        'every answer code 0',
        [...warm, ...before, ...during].every((s) => s.code === 0),
      ),
    ].every(Boolean);
    process.exitCode = passed ? 0 : 1;
  } finally {
    await pool.close();
    await server.close();
    await first.close();
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
