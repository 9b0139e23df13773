/**
 * HTTP throughput and latency of one server (SQLite, group commit on), measured with autocannon:
 * (a) a hello-world route on the same server sending a constant JSON answer of the size of a
 * /carrier answer: the ceiling of Fastify and Node on this machine; (b) /carrier with a valid key
 * and varying numbers, each answer charged and logged durably before it leaves; (c) POST
 * /carrier/batch with 1000 numbers.
 *
 * The load generator runs in a forked child process (this same file with `--load`), so that the
 * server has the parent process, and a core, to itself: on a two-core machine autocannon in the
 * server's process would take half of the server's time. The server is the compiled one in dist/,
 * as `npm start` runs it (`prebench:http` builds it), not this file's TypeScript through tsx.
 *
 * (a) and (b) alternate over several rounds and the targets are judged on the median round: on a
 * shared machine one pair of runs can land on a slow and a fast minute and be 20 % apart.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshPostgresSchema } from '../src/test-support/test-databases.js';
import { TEST_SEGMENTS_CSV } from '../src/test-support/test-server.js';
import { BATCH_SIZE, type LoadResult, type LoadSpec, numberAt, runHttpLoad } from './http-load.js';
import { built, forkLoadGenerator, isLoadChild, medianBy, serveLoad } from './load-generator.js';
import { target } from './measure.js';
import type * as ConfigModule from '../src/service/config.js';
import type * as SecretsModule from '../src/service/accounts/secrets.js';
import type * as ServerModule from '../src/server/start-server.js';

const DURATION_S = 5;
const WARMUP_S = 2;
/** Rounds of (a) then (b); their median is judged. */
const ROUNDS = 3;
const CONNECTIONS = 50;
const BATCH_CONNECTIONS = 4;
const BALANCE = 100_000_000;

if (isLoadChild) serveLoad(runHttpLoad);
else await main();

// ---- the parent: the server

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

function report(label: string, result: LoadResult): void {
  console.log(
    `${label.padEnd(46)} ${result.requestsPerSecond.toFixed(0).padStart(8)} req/s   ` +
      `p50 ${ms(result.p50).padStart(9)}   p99 ${ms(result.p99).padStart(9)}   ` +
      `(${result.total} requests, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts)`,
  );
}

async function main(): Promise<void> {
  const { configFromEnv } = await built<typeof ConfigModule>('service/config.js');
  const { hashSecret, newSecret, secretHint } = await built<typeof SecretsModule>(
    'service/accounts/secrets.js',
  );
  const { startServer } = await built<typeof ServerModule>('server/start-server.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'mnpd-bench-http-'));
  const segments = join(dataDir, 'segments.csv');
  writeFileSync(segments, TEST_SEGMENTS_CSV);
  const prefixes = TEST_SEGMENTS_CSV.split('\n')
    .map((line) => /^(\d{7}),/.exec(line)?.[1])
    .filter((prefix): prefix is string => prefix !== undefined);

  // The hello answer is made the size of a real /carrier answer once the server can give one.
  let helloBody = '{}';
  // BENCH_POSTGRES=1 measures the PostgreSQL store (a fresh schema of DATABASE_URL) instead of SQLite.
  const postgres = process.env.BENCH_POSTGRES === '1' ? await freshPostgresSchema() : undefined;
  const server = await startServer(
    configFromEnv({
      MNPD_PORT: '0',
      MNPD_HOST: '127.0.0.1',
      MNPD_DATA_DIR: dataDir,
      MNPD_SEGMENTS: segments,
      MNPD_DEFAULT_QPS: '1000000',
      ...(postgres ? { DATABASE_URL: postgres.url } : {}),
    }),
    {
      logger: false,
      beforeListen: (app) => {
        app.get('/bench/hello', { schema: { hide: true } }, (_request, reply) => {
          reply.type('application/json; charset=utf-8').send(helloBody);
        });
      },
    },
  );
  const load = forkLoadGenerator(fileURLToPath(import.meta.url));
  try {
    const { store, batcher } = server.deps;
    const account = await store.createAccount({ name: 'bench', feeType: 'prepaid', balance: BALANCE });
    const apikey = newSecret();
    await store.createKey(account.id, 'apikey', hashSecret(apikey), secretHint(apikey), 'bench');

    const sample = await (
      await fetch(`${server.url}/carrier?apikey=${apikey}&mobile=${numberAt(prefixes, 0)}`)
    ).text();
    const size = Buffer.byteLength(sample);
    const unpadded = Buffer.byteLength(JSON.stringify({ hello: 'world', pad: '' }));
    helloBody = JSON.stringify({ hello: 'world', pad: 'x'.repeat(size - unpadded) });
    const helloCheck = await (await fetch(`${server.url}/bench/hello`)).text();
    console.log(
      `server: ${server.url}, ${postgres ? 'PostgreSQL (a fresh schema)' : `SQLite in ${dataDir}`}, pid ${process.pid}; ` +
        `load: autocannon in a forked child process, pid ${load.pid}`,
    );
    console.log(
      `node ${process.version}, ${cpus().length} cores; ${DURATION_S} s per run after ${WARMUP_S} s warm-up; ` +
        `/carrier answer ${size} bytes, hello answer ${Buffer.byteLength(helloCheck)} bytes\n`,
    );

    const spec = (kind: LoadSpec['kind'], connections: number, duration: number): LoadSpec => ({
      kind,
      url: server.url,
      apikey,
      prefixes,
      connections,
      duration,
    });
    const balance = async () => (await store.getAccount(account.id))!.balance;
    const measure = async (kind: LoadSpec['kind'], connections: number) => {
      await load.run<LoadSpec, LoadResult>(spec(kind, connections, WARMUP_S));
      // Every charge of the warm-up committed before the measured run starts.
      await batcher.flush();
      const before = { ...batcher.stats, balance: await balance() };
      const result = await load.run<LoadSpec, LoadResult>(spec(kind, connections, DURATION_S));
      await batcher.flush();
      const after = { ...batcher.stats, balance: await balance() };
      return {
        result,
        batches: after.batches - before.batches,
        items: after.items - before.items,
        charged: before.balance - after.balance,
      };
    };

    const rounds: {
      hello: Awaited<ReturnType<typeof measure>>;
      carrier: Awaited<ReturnType<typeof measure>>;
    }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const hello = await measure('hello', CONNECTIONS);
      report(`(a) GET /bench/hello (c=${CONNECTIONS}), round ${round}`, hello.result);
      const carrier = await measure('carrier', CONNECTIONS);
      report(`(b) GET /carrier (c=${CONNECTIONS}), round ${round}`, carrier.result);
      console.log(
        `    round ${round}: /carrier ÷ hello-world ${((carrier.result.requestsPerSecond / hello.result.requestsPerSecond) * 100).toFixed(1)}%`,
      );
      rounds.push({ hello, carrier });
    }
    const roundRatio = (round: (typeof rounds)[number]) =>
      round.carrier.result.requestsPerSecond / round.hello.result.requestsPerSecond;
    const { hello, carrier } = medianBy(rounds, roundRatio);
    const medianP99 = medianBy(rounds, (round) => round.carrier.result.p99).carrier.result.p99;
    const batch = await measure('batch', BATCH_CONNECTIONS);
    report(`(c) POST /carrier/batch ×${BATCH_SIZE} (c=${BATCH_CONNECTIONS})`, batch.result);
    // The target: how long one 1000-number batch takes, nothing queued before it.
    const single = await measure('batch', 1);
    report(`(c') POST /carrier/batch ×${BATCH_SIZE} (c=1, one batch at a time)`, single.result);

    const ratio = carrier.result.requestsPerSecond / hello.result.requestsPerSecond;
    console.log(
      `\n/carrier ÷ hello-world, median of ${ROUNDS} rounds: ${(ratio * 100).toFixed(1)}% ` +
        `(${carrier.result.requestsPerSecond.toFixed(0)} ÷ ${hello.result.requestsPerSecond.toFixed(0)} req/s); ` +
        `/carrier p99, median of the rounds: ${ms(medianP99)}`,
    );
    console.log(
      `batch: ${(batch.result.requestsPerSecond * BATCH_SIZE).toFixed(0)} numbers/s, ` +
        `${ms(batch.result.p50)} p50 / ${ms(batch.result.p99)} p99 per ${BATCH_SIZE}-number batch`,
    );

    console.log(
      '\n-- group commit (server.deps.batcher.stats, measured runs only; /carrier: the median round)',
    );
    for (const [label, run] of [
      ['/carrier', carrier],
      ['/carrier/batch', batch],
    ] as const) {
      console.log(
        `${label.padEnd(16)} ${run.batches} batches, ${run.items} items, ` +
          `${(run.items / Math.max(1, run.batches)).toFixed(1)} items per batch; ` +
          `${run.charged} queries charged for ${run.result.ok} 2xx answers counted by the client` +
          (label === '/carrier/batch' ? ` (×${BATCH_SIZE} = ${run.result.ok * BATCH_SIZE})` : '') +
          ' (answers still in flight when autocannon stops are charged, not counted)',
      );
    }
    console.log(`all runs         ${batcher.stats.batches} batches, ${batcher.stats.items} items`);

    console.log('\n-- targets');
    const passed = [
      target(`/carrier >= 50% of hello-world req/s (${(ratio * 100).toFixed(1)}%)`, ratio >= 0.5),
      target(`/carrier p99 <= 5 ms (median of the rounds: ${ms(medianP99)})`, medianP99 <= 5),
      target(
        `${BATCH_SIZE}-number batch p50 <= 15 ms, one at a time (${ms(single.result.p50)})`,
        single.result.p50 <= 15,
      ),
      target(
        `${BATCH_SIZE}-number batch p99 <= 15 ms, one at a time (${ms(single.result.p99)})`,
        single.result.p99 <= 15,
      ),
      target(
        'every measured request answered 2xx without errors',
        [...rounds.flatMap((round) => [round.hello, round.carrier]), batch, single].every(
          ({ result }) => result.non2xx === 0 && result.errors === 0,
        ),
      ),
    ].every(Boolean);
    process.exitCode = passed ? 0 : 1;
  } finally {
    load.stop();
    await server.close();
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
