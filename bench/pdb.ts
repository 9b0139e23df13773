/**
 * The pdb endpoint's queries per second and latency beside /carrier's, measured in the same run
 * on the same server: the compiled `mnpd serve` (as `npm start` runs it; `prebench:pdb` builds
 * it) started with MNPD_PDB_PORT, asked over UDP on 127.0.0.1 in Kamailio's version-1 form, and
 * over HTTP by autocannon, both from a load generator in a forked child process (so that the
 * server has a core to itself). Both look the same numbers up in the same live data.
 *
 * pdb runs: many queries outstanding (a switch with many workers) and one at a time (the latency
 * one Kamailio worker sees), not charged (the default); then, on a second server with
 * MNPD_PDB_ACCOUNT, billed as /carrier is (a durable charge and log row before the answer).
 */
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_SEGMENTS_CSV } from '../src/test-support/test-server.js';
import type * as ConfigModule from '../src/service/config.js';
import type * as SecretsModule from '../src/service/accounts/secrets.js';
import type * as ServerModule from '../src/server/start-server.js';
import type * as ProtocolModule from '../src/pdb/pdb-protocol.js';
import {
  type LoadResult as HttpResult,
  type LoadSpec as HttpSpec,
  numberAt,
  runHttpLoad,
} from './http-load.js';
import {
  type LoadGenerator,
  built,
  forkLoadGenerator,
  isLoadChild,
  percentile,
  serveLoad,
} from './load-generator.js';

const QUERIES = Number(process.env.BENCH_PDB_QUERIES ?? 200_000);
const WARMUP_QUERIES = 20_000;
/** Outstanding queries of the first run; ids are 16 bits, so it must stay far below 65,536. */
const WINDOW = 64;
const DISTINCT_NUMBERS = 10_000;
/** No answer for this long ends a run; the queries still outstanding count as lost. */
const STALL_MS = 1000;
const HTTP_CONNECTIONS = 50;
const HTTP_DURATION_S = 5;
const HTTP_WARMUP_S = 2;
const BALANCE = 100_000_000;

interface PdbSpec {
  kind: 'pdb';
  port: number;
  numbers: string[];
  queries: number;
  window: number;
}

interface PdbResult {
  queriesPerSecond: number;
  p50: number;
  p99: number;
  answered: number;
  lost: number;
}

// ---- the child: the load generator

async function runPdbLoad(spec: PdbSpec): Promise<PdbResult> {
  const { encodePdbRequest } = await built<typeof ProtocolModule>('pdb/pdb-protocol.js');
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const sentAt = new Float64Array(65_536);
  const latencies = new Float64Array(spec.queries);
  let sent = 0;
  let answered = 0;
  const started = performance.now();
  const result = await new Promise<PdbResult>((resolve) => {
    let stall: NodeJS.Timeout;
    const finish = () => {
      clearTimeout(stall);
      const seconds = (performance.now() - started) / 1000;
      const sorted = latencies.subarray(0, answered).sort();
      resolve({
        queriesPerSecond: answered / seconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        answered,
        lost: sent - answered,
      });
    };
    const watch = () => {
      clearTimeout(stall);
      stall = setTimeout(finish, STALL_MS);
    };
    const sendOne = () => {
      if (sent >= spec.queries) return;
      const id = sent & 0xffff;
      sentAt[id] = performance.now();
      socket.send(encodePdbRequest(spec.numbers[sent % spec.numbers.length], id), spec.port, '127.0.0.1');
      sent++;
    };
    socket.on('message', (packet) => {
      latencies[answered++] = performance.now() - sentAt[(packet[4] << 8) | packet[5]];
      if (answered === spec.queries) return finish();
      watch();
      sendOne();
    });
    watch();
    for (let i = 0; i < spec.window; i++) sendOne();
  });
  socket.close();
  return result;
}

if (isLoadChild) {
  serveLoad<PdbSpec | HttpSpec, PdbResult | HttpResult>((spec) =>
    spec.kind === 'pdb' ? runPdbLoad(spec) : runHttpLoad(spec),
  );
} else {
  await main();
}

// ---- the parent: the server

function report(label: string, rate: number, p50: number, p99: number, note: string): void {
  console.log(
    `${label.padEnd(58)} ${rate.toFixed(0).padStart(8)} /s   p50 ${p50.toFixed(3).padStart(7)} ms   ` +
      `p99 ${p99.toFixed(3).padStart(7)} ms   (${note})`,
  );
}

function reportPdb(label: string, r: PdbResult): void {
  report(label, r.queriesPerSecond, r.p50, r.p99, `${r.answered} answered, ${r.lost} lost`);
}

interface Bench {
  load: LoadGenerator;
  prefixes: string[];
  numbers: string[];
}

/** One server with the pdb endpoint on; `billedTo` names MNPD_PDB_ACCOUNT. */
async function withServer<T>(
  billedTo: string | undefined,
  work: (server: ServerModule.RunningServer, apikey: string, accountId: number) => Promise<T>,
): Promise<T> {
  const { configFromEnv } = await built<typeof ConfigModule>('service/config.js');
  const { hashSecret, newSecret, secretHint } = await built<typeof SecretsModule>(
    'service/accounts/secrets.js',
  );
  const { startServer } = await built<typeof ServerModule>('server/start-server.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'mnpd-bench-pdb-'));
  const segments = join(dataDir, 'segments.csv');
  writeFileSync(segments, TEST_SEGMENTS_CSV);
  const server = await startServer(
    configFromEnv({
      MNPD_PORT: '0',
      MNPD_HOST: '127.0.0.1',
      MNPD_DATA_DIR: dataDir,
      MNPD_SEGMENTS: segments,
      MNPD_DEFAULT_QPS: '1000000',
      MNPD_PDB_PORT: '0',
      MNPD_PDB_HOST: '127.0.0.1',
      ...(billedTo ? { MNPD_PDB_ACCOUNT: billedTo } : {}),
    }),
    { logger: false },
  );
  try {
    const { store } = server.deps;
    const account = await store.createAccount({
      name: billedTo ?? 'bench',
      feeType: 'prepaid',
      balance: BALANCE,
    });
    const apikey = newSecret();
    await store.createKey(account.id, 'apikey', hashSecret(apikey), secretHint(apikey), 'bench');
    return await work(server, apikey, account.id);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const prefixes = TEST_SEGMENTS_CSV.split('\n')
    .map((line) => /^(\d{7}),/.exec(line)?.[1])
    .filter((prefix): prefix is string => prefix !== undefined);
  const numbers = Array.from({ length: DISTINCT_NUMBERS }, (_, i) => `86${numberAt(prefixes, i)}`);
  const bench: Bench = { load: forkLoadGenerator(fileURLToPath(import.meta.url)), prefixes, numbers };
  try {
    console.log(
      `mnpd serve (dist/), SQLite, pid ${process.pid}; load generator pid ${bench.load.pid}; ` +
        `node ${process.version}, ${cpus().length} cores\n`,
    );
    const pdbRun = (port: number, queries: number, window: number) =>
      bench.load.run<PdbSpec, PdbResult>({ kind: 'pdb', port, numbers, queries, window });

    const { pdb, single, carrier } = await withServer(undefined, async (server, apikey) => {
      const port = server.pdb!.address.port;
      await pdbRun(port, WARMUP_QUERIES, WINDOW);
      const pdb = await pdbRun(port, QUERIES, WINDOW);
      reportPdb(`pdb v1 over UDP, ${WINDOW} outstanding, not charged`, pdb);
      const single = await pdbRun(port, Math.min(QUERIES, 50_000), 1);
      reportPdb('pdb v1 over UDP, one at a time, not charged', single);
      const httpSpec = (duration: number): HttpSpec => ({
        kind: 'carrier',
        url: server.url,
        apikey,
        prefixes,
        connections: HTTP_CONNECTIONS,
        duration,
      });
      await bench.load.run<HttpSpec, HttpResult>(httpSpec(HTTP_WARMUP_S));
      const carrier = await bench.load.run<HttpSpec, HttpResult>(httpSpec(HTTP_DURATION_S));
      report(
        `GET /carrier, ${HTTP_CONNECTIONS} connections, charged`,
        carrier.requestsPerSecond,
        carrier.p50,
        carrier.p99,
        `${carrier.total} requests, ${carrier.non2xx} non-2xx`,
      );
      return { pdb, single, carrier };
    });

    const billed = await withServer('switch', async (server, _apikey, accountId) => {
      const port = server.pdb!.address.port;
      await pdbRun(port, WARMUP_QUERIES, WINDOW);
      await server.deps.batcher.flush();
      const before = (await server.deps.store.getAccount(accountId))!.balance;
      const result = await pdbRun(port, QUERIES, WINDOW);
      await server.deps.batcher.flush();
      const charged = before - (await server.deps.store.getAccount(accountId))!.balance;
      reportPdb(`pdb v1 over UDP, ${WINDOW} outstanding, billed (MNPD_PDB_ACCOUNT)`, result);
      console.log(
        `    ${charged} queries charged for ${result.answered} answers received (all numbers are found)`,
      );
      return result;
    });

    console.log('\n-- pdb beside /carrier (same server, same numbers, same run)');
    console.log(
      `queries/s: pdb ${pdb.queriesPerSecond.toFixed(0)} ÷ /carrier ${carrier.requestsPerSecond.toFixed(0)} = ` +
        `${(pdb.queriesPerSecond / carrier.requestsPerSecond).toFixed(2)}×; billed pdb ` +
        `${(billed.queriesPerSecond / carrier.requestsPerSecond).toFixed(2)}×`,
    );
    console.log(
      `p99: pdb ${pdb.p99.toFixed(3)} ms (one at a time ${single.p99.toFixed(3)} ms, billed ${billed.p99.toFixed(3)} ms) ` +
        `vs /carrier ${carrier.p99.toFixed(3)} ms`,
    );
  } finally {
    bench.load.stop();
  }
}
