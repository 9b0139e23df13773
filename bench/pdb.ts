/**
 * The pdb endpoint's queries per second and latency, to set beside /carrier's (bench:http): a
 * PdbServer answering from the embedded segment data through the same core lookup as /carrier,
 * asked over UDP on 127.0.0.1 in Kamailio's version-1 form by a load generator in a forked child
 * process (so that the server has a core to itself), with a fixed number of queries outstanding.
 *
 * Two runs: many queries outstanding (a switch with many workers) and one at a time (the latency
 * one Kamailio worker sees). Each run is a bounded count of queries after a warm-up.
 */
import { type ChildProcess, fork } from 'node:child_process';
import dgram from 'node:dgram';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { lookupMobile } from '../src/core/lookup.js';
import { loadDefaultSegments } from '../src/data/default-segments.js';
import { SeededRandom } from '../src/data/ported-generator.js';
import { nationalMobileOf, pdbCarrierIdOf } from '../src/pdb/carrier-ids.js';
import { encodePdbRequest } from '../src/pdb/pdb-protocol.js';
import { PdbServer } from '../src/pdb/pdb-server.js';

const QUERIES = Number(process.env.BENCH_PDB_QUERIES ?? 200_000);
const WARMUP_QUERIES = 20_000;
/** Outstanding queries of the first run; ids are 16 bits, so it must stay far below 65,536. */
const WINDOW = 64;
const DISTINCT_NUMBERS = 10_000;
/** No answer for this long ends a run; the queries still outstanding count as lost. */
const STALL_MS = 1000;

interface LoadSpec {
  port: number;
  numbers: string[];
  queries: number;
  window: number;
}

interface LoadResult {
  queriesPerSecond: number;
  p50: number;
  p99: number;
  answered: number;
  lost: number;
}

// ---- the child: the load generator

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const sentAt = new Float64Array(65_536);
  const latencies = new Float64Array(spec.queries);
  let sent = 0;
  let answered = 0;
  const started = performance.now();
  const result = await new Promise<LoadResult>((resolve) => {
    let stall: NodeJS.Timeout;
    const finish = () => {
      clearTimeout(stall);
      const seconds = (performance.now() - started) / 1000;
      const sorted = latencies.subarray(0, answered).sort();
      const percentile = (p: number) => sorted[Math.min(answered - 1, Math.ceil((p / 100) * answered) - 1)];
      resolve({
        queriesPerSecond: answered / seconds,
        p50: percentile(50),
        p99: percentile(99),
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

if (process.argv.includes('--load')) {
  process.on('message', (spec: LoadSpec) => {
    runLoad(spec).then(
      (result) => process.send!(result),
      (error: Error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
} else {
  await main();
}

// ---- the parent: the server

function loadIn(child: ChildProcess, spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`load generator exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (result) => {
      child.off('exit', onExit);
      resolve(result as LoadResult);
    });
    child.send(spec);
  });
}

function report(label: string, result: LoadResult): void {
  console.log(
    `${label.padEnd(44)} ${result.queriesPerSecond.toFixed(0).padStart(8)} queries/s   ` +
      `p50 ${result.p50.toFixed(3).padStart(7)} ms   p99 ${result.p99.toFixed(3).padStart(7)} ms   ` +
      `(${result.answered} answered, ${result.lost} lost)`,
  );
}

async function main(): Promise<void> {
  const { table } = loadDefaultSegments();
  const random = new SeededRandom(7);
  const prefixes: number[] = [];
  for (const row of table.rows()) prefixes.push(row.prefix);
  const numbers = Array.from({ length: DISTINCT_NUMBERS }, () => {
    const prefix = prefixes[Math.floor(random.nextFloat() * prefixes.length)];
    return `86${prefix}${String(Math.floor(random.nextFloat() * 10_000)).padStart(4, '0')}`;
  });
  const sources = { segments: table };
  const outcomes = new Map<string, number>();
  const server = await PdbServer.start({
    port: 0,
    host: '127.0.0.1',
    lookup: (number) => pdbCarrierIdOf(lookupMobile(nationalMobileOf(number), sources)),
    observer: { answered: ({ outcome }) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1) },
  });
  const load = fork(fileURLToPath(import.meta.url), ['--load'], { stdio: 'inherit' });
  try {
    const port = server.address.port;
    console.log(
      `pdb server on 127.0.0.1:${port} (pid ${process.pid}), segments: ${table.source}, ${table.size} prefixes; ` +
        `load generator pid ${load.pid}; node ${process.version}, ${cpus().length} cores\n`,
    );
    const spec = (queries: number, window: number): LoadSpec => ({ port, numbers, queries, window });
    await loadIn(load, spec(WARMUP_QUERIES, WINDOW));
    report(
      `pdb v1 over UDP, ${WINDOW} outstanding, ${QUERIES} queries`,
      await loadIn(load, spec(QUERIES, WINDOW)),
    );
    const single = Math.min(QUERIES, 50_000);
    report(`pdb v1 over UDP, one at a time, ${single} queries`, await loadIn(load, spec(single, 1)));
    console.log(`\nanswers by outcome, warm-up included: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  } finally {
    load.kill();
    await server.close();
  }
}
