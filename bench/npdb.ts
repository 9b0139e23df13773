/**
 * Ported-number index benchmark: `npm run bench:npdb`.
 *
 *   NPDB_BENCH_COUNT       ported numbers in the index (default 50,000,000)
 *   NPDB_BENCH_MAP_COUNT   entries of the plain-Map baseline (default 10,000,000; V8 caps a Map at 2^24)
 *   NPDB_BENCH_LOOKUPS     lookups per measurement (default 10,000,000)
 *
 * The run is a list of sections sharing one context; each prints labelled measurements and may
 * register targets, which are judged PASS/FAIL at the end. Add a section by appending to SECTIONS.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { CARRIER_NAMES, type Carrier } from '../src/core/carrier.js';
import {
  NOT_PORTED,
  PortedChanges,
  PortedIndex,
  PortedIndexBuilder,
  applyChanges,
  isoDateFromDay,
} from '../src/core/ported-index.js';
import { FIRST_PREFIX } from '../src/core/prefix.js';
import { readSnapshot, writeSnapshot } from '../src/data/npdb-snapshot.js';
import { FeedFile, parseFullFeed } from '../src/data/ported-feed.js';
import {
  SYNTHETIC_FIRST_DAY,
  SeededRandom,
  generatePortedIndex,
  generatePortedRows,
} from '../src/data/ported-generator.js';

const TARGET_COUNT = 50_000_000;
const MAX_BYTES_PER_NUMBER = 5;
const MIN_LOOKUPS_PER_SECOND = 10_000_000;
const MAX_SNAPSHOT_LOAD_MS = 2000;
/** V8's limit on the entries of one Map. */
const MAX_MAP_ENTRIES = 2 ** 24;
const ROUNDS = 3;
const CHANGE_COUNT = 100_000;

interface Queries {
  prefix7s: Int32Array;
  suffix4s: Uint16Array;
  /** Sum of the expected answers, to check the measured loops computed the right thing. */
  expectedSum: number;
}

interface Context {
  count: number;
  mapCount: number;
  lookups: number;
  random: SeededRandom;
  index: PortedIndex;
  /** Prefix of every entry of `index`, while a section needs it. */
  entryPrefix7?: Int32Array;
  hits?: Queries;
  misses?: Queries;
  /** Named measurements, for ratios and targets. */
  values: Map<string, number>;
  targets: Array<{ name: string; verdict: () => 'PASS' | 'FAIL' | 'SKIP'; detail: () => string }>;
  tempDir?: string;
}

interface Section {
  title: string;
  run(context: Context): Promise<void> | void;
}

function envCount(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${text}`);
  return value;
}

const numberFormat = new Intl.NumberFormat('en-US');
const fmt = (n: number) => numberFormat.format(Math.round(n));
const mps = (perSecond: number) => `${(perSecond / 1e6).toFixed(2)} M/s`;

function line(label: string, value: string): void {
  console.log(`  ${label.padEnd(44, ' ')} ${value}`);
}

function timed<T>(work: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = work();
  return { result, ms: performance.now() - start };
}

async function timedAsync<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await work();
  return { result, ms: performance.now() - start };
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;

function heapBytes(): number {
  collectGarbage?.();
  collectGarbage?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external + usage.arrayBuffers;
}

/** Runs a measured loop ROUNDS times after a warm-up; reports the best and the median rate. */
function measureRate(
  context: Context,
  key: string,
  label: string,
  queries: Queries,
  loop: (q: Queries) => number,
) {
  const n = queries.prefix7s.length;
  const warmup: Queries = {
    prefix7s: queries.prefix7s.subarray(0, Math.min(n, 1_000_000)),
    suffix4s: queries.suffix4s.subarray(0, Math.min(n, 1_000_000)),
    expectedSum: 0,
  };
  loop(warmup);
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { result: checksum, ms } = timed(() => loop(queries));
    if (checksum !== queries.expectedSum) {
      throw new Error(`${label}: checksum ${checksum}, expected ${queries.expectedSum}: wrong answers`);
    }
    rates.push(n / (ms / 1000));
  }
  rates.sort((a, b) => b - a);
  context.values.set(key, rates[0]);
  line(
    label,
    `${mps(rates[0])} best of ${ROUNDS} (median ${mps(rates[Math.floor(ROUNDS / 2)])}), checksum ok`,
  );
}

function findLoop(index: PortedIndex) {
  return ({ prefix7s, suffix4s }: Queries) => {
    let sum = 0;
    for (let q = 0; q < prefix7s.length; q++) sum += index.find(prefix7s[q], suffix4s[q]);
    return sum;
  };
}

/** Numbers per findMany call: a /carrier/batch request, or a chunk of a console batch job. */
const FIND_MANY_CALL = 1000;

function findManyLoop(index: PortedIndex, out: Int32Array) {
  return ({ prefix7s, suffix4s }: Queries) => {
    const total = prefix7s.length;
    for (let start = 0; start < total; start += FIND_MANY_CALL) {
      const end = Math.min(total, start + FIND_MANY_CALL);
      index.findMany(prefix7s.subarray(start, end), suffix4s.subarray(start, end), out.subarray(start, end));
    }
    let sum = 0;
    for (let q = 0; q < total; q++) sum += out[q];
    return sum;
  };
}

const machineSection: Section = {
  title: 'Machine (context for the lookup rates: a lookup out of cache costs one dependent memory read)',
  run(context) {
    // A random cycle through 256 MiB, one cache line per step: each read waits for the previous one.
    const lines = (256 * 2 ** 20) / 64;
    const memory = new Uint32Array(lines * 16);
    const order = new Uint32Array(lines);
    for (let i = 0; i < lines; i++) order[i] = i;
    for (let i = lines - 1; i > 0; i--) {
      const j = context.random.nextInt(i);
      const swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    for (let i = 0; i < lines; i++) memory[order[i] * 16] = order[(i + 1) % lines] * 16;
    const steps = 2_000_000;
    const chase = timed(() => {
      let at = 0;
      for (let i = 0; i < steps; i++) at = memory[at];
      return at;
    });
    const latencyNs = (chase.ms * 1e6) / steps;
    context.values.set('memoryLatencyNs', latencyNs);
    line(
      'dependent random read, 256 MiB',
      `${latencyNs.toFixed(0)} ns (≈ ${mps(1e9 / latencyNs)} if serialised)`,
    );
  },
};

const generateSection: Section = {
  title: 'Synthetic NPDB',
  run(context) {
    const { result, ms } = timed(() => generatePortedIndex({ count: context.count, seed: 1 }));
    context.index = result.index;
    line(
      'generate',
      `${fmt(ms)} ms (${mps(context.count / (ms / 1000))}), ${fmt(result.populatedPrefixes)} prefixes`,
    );
    const prefixOf = new Int32Array(context.count);
    const { offsets } = result.index.arrays();
    for (let p = 0; p + 1 < offsets.length; p++) prefixOf.fill(FIRST_PREFIX + p, offsets[p], offsets[p + 1]);
    context.entryPrefix7 = prefixOf;
  },
};

const buildSection: Section = {
  title: 'Build from unordered rows (PortedIndexBuilder)',
  run(context) {
    const { count, index } = context;
    const prefixOf = context.entryPrefix7!;
    const { keys, days } = index.arrays();
    // An affine permutation visits every entry once in a scattered order, as a date-sorted feed would.
    let stride = 1_000_003;
    while (gcd(stride, count) !== 1) stride += 2;
    const builder = new PortedIndexBuilder(count);
    const added = timed(() => {
      for (let i = 0, e = 12_345 % count; i < count; i++, e = (e + stride) % count) {
        const key = keys[e];
        builder.add(prefixOf[e], key >>> 2, (key & 3) as Carrier, days[e]);
      }
    });
    const built = timed(() => builder.build());
    line('add() rows (read in scattered order)', `${fmt(added.ms)} ms (${mps(count / (added.ms / 1000))})`);
    line('build()', `${fmt(built.ms)} ms (${mps(count / (built.ms / 1000))})`);
    const a = built.result.index.arrays();
    const b = index.arrays();
    const same =
      built.result.duplicateCount === 0 &&
      sameArray(a.offsets, b.offsets) &&
      sameArray(a.keys, b.keys) &&
      sameArray(a.days, b.days);
    if (!same) throw new Error('the built index differs from the generated one');
    line('built index equals generated index', 'yes');
  },
};

const memorySection: Section = {
  title: 'Memory',
  run(context) {
    const bytesPerNumber = context.index.byteSize / context.count;
    context.values.set('bytesPerNumber', bytesPerNumber);
    line('index bytes (offsets + keys + days)', `${fmt(context.index.byteSize)} B`);
    line('bytes per ported number, all included', `${bytesPerNumber.toFixed(3)} B`);
    context.targets.push({
      name: `<= ${MAX_BYTES_PER_NUMBER} B per number at ${fmt(TARGET_COUNT)}`,
      verdict: () =>
        context.count < TARGET_COUNT ? 'SKIP' : bytesPerNumber <= MAX_BYTES_PER_NUMBER ? 'PASS' : 'FAIL',
      detail: () => `${bytesPerNumber.toFixed(3)} B at ${fmt(context.count)}`,
    });
  },
};

const lookupSection: Section = {
  title: 'Lookups (random order, hits in the index, misses in populated prefixes)',
  run(context) {
    const { index, lookups, random, count } = context;
    const prefixOf = context.entryPrefix7!;
    const { keys } = index.arrays();
    const hits: Queries = {
      prefix7s: new Int32Array(lookups),
      suffix4s: new Uint16Array(lookups),
      expectedSum: 0,
    };
    const misses: Queries = {
      prefix7s: new Int32Array(lookups),
      suffix4s: new Uint16Array(lookups),
      expectedSum: 0,
    };
    for (let q = 0; q < lookups; q++) {
      const e = random.nextInt(count);
      hits.prefix7s[q] = prefixOf[e];
      hits.suffix4s[q] = keys[e] >>> 2;
      hits.expectedSum += index.find(prefixOf[e], keys[e] >>> 2);
      // A number of a prefix that has ported numbers, itself not ported: the slowest kind of miss.
      const prefix7 = prefixOf[random.nextInt(count)];
      let suffix4 = random.nextInt(10_000);
      while (index.find(prefix7, suffix4) !== NOT_PORTED) suffix4 = random.nextInt(10_000);
      misses.prefix7s[q] = prefix7;
      misses.suffix4s[q] = suffix4;
      misses.expectedSum += NOT_PORTED;
    }
    context.hits = hits;
    context.misses = misses;
    context.entryPrefix7 = undefined;
    measureRate(context, 'findHits', 'find() hits', hits, findLoop(index));
    measureRate(context, 'findMisses', 'find() misses', misses, findLoop(index));
    const out = new Int32Array(lookups);
    const many = `findMany() × ${fmt(FIND_MANY_CALL)}`;
    measureRate(context, 'findManyHits', `${many} hits`, hits, findManyLoop(index, out));
    measureRate(context, 'findManyMisses', `${many} misses`, misses, findManyLoop(index, out));
    // The target is judged where lookups come in numbers (batches, batch jobs, files). A lone
    // lookup (one /carrier request) waits for its dependent memory reads: its rate is shown beside.
    context.targets.push({
      name: `>= ${fmt(MIN_LOOKUPS_PER_SECOND / 1e6)} M lookups/s, hits and misses (${many})`,
      verdict: () =>
        Math.min(context.values.get('findManyHits')!, context.values.get('findManyMisses')!) >=
        MIN_LOOKUPS_PER_SECOND
          ? 'PASS'
          : 'FAIL',
      detail: () =>
        `hits ${mps(context.values.get('findManyHits')!)}, misses ${mps(context.values.get('findManyMisses')!)} ` +
        `at ${fmt(count)}; one per call, find(): hits ${mps(context.values.get('findHits')!)}, ` +
        `misses ${mps(context.values.get('findMisses')!)}`,
    });
  },
};

const changesSection: Section = {
  title: `applyChanges (${fmt(CHANGE_COUNT)} changes: 70% new ports, 20% re-ports, 10% returns)`,
  run(context) {
    const { index, random, hits } = context;
    const changes = new PortedChanges(CHANGE_COUNT);
    for (let i = 0; i < CHANGE_COUNT; i++) {
      // Existing numbers come from the hit queries, new ones from the miss queries' prefixes.
      const q = random.nextInt(hits!.prefix7s.length);
      const kind = random.nextFloat();
      const carrier = random.nextInt(4) as Carrier;
      const day = SYNTHETIC_FIRST_DAY + random.nextInt(2500);
      if (kind < 0.7) changes.port(context.misses!.prefix7s[q], random.nextInt(10_000), carrier, day);
      else if (kind < 0.9) changes.port(hits!.prefix7s[q], hits!.suffix4s[q], carrier, day);
      else changes.remove(hits!.prefix7s[q], hits!.suffix4s[q]);
    }
    const { result: next, ms } = timed(() => applyChanges(index, changes));
    line('applyChanges', `${fmt(ms)} ms → ${fmt(next.size)} numbers (base ${fmt(index.size)}, untouched)`);
  },
};

const snapshotSection: Section = {
  title: 'Snapshot',
  async run(context) {
    const { index } = context;
    context.tempDir = await mkdtemp(join(tmpdir(), 'mnpd-bench-npdb-'));
    const path = join(context.tempDir, 'npdb.snapshot');
    const meta = {
      dataVersion: 'bench',
      lastSeq: 1,
      createdAt: new Date().toISOString(),
      source: 'bench/npdb.ts',
    };
    const saved = await timedAsync(() => writeSnapshot(path, index, meta));
    const size = (await stat(path)).size;
    line('save (write, fsync, rename)', `${fmt(saved.ms)} ms, ${fmt(size)} B`);
    const loaded = await timedAsync(() => readSnapshot(path));
    const again = loaded.result.index;
    if (again.size !== index.size || !sameArray(again.arrays().keys, index.arrays().keys)) {
      throw new Error('the loaded snapshot differs from the saved index');
    }
    context.values.set('loadMs', loaded.ms);
    line('load (read, checksum, validate)', `${fmt(loaded.ms)} ms (page cache warm)`);
    context.targets.push({
      name: `snapshot load <= ${fmt(MAX_SNAPSHOT_LOAD_MS)} ms at ${fmt(TARGET_COUNT)}`,
      verdict: () =>
        context.count < TARGET_COUNT ? 'SKIP' : loaded.ms <= MAX_SNAPSHOT_LOAD_MS ? 'PASS' : 'FAIL',
      detail: () => `${fmt(loaded.ms)} ms at ${fmt(context.count)}`,
    });
    await rm(context.tempDir, { recursive: true, force: true });
    context.tempDir = undefined;
  },
};

const mapSection: Section = {
  title: 'Baseline: Map<number, number>',
  run(context) {
    const { index, random, lookups, count } = context;
    const mapCount = Math.min(context.mapCount, count, MAX_MAP_ENTRIES);
    if (mapCount < context.mapCount)
      line('entries (capped)', `${fmt(mapCount)} of ${fmt(context.mapCount)} asked`);
    // An evenly spread sample of the index, so the Map sees the same kind of numbers.
    const { offsets, keys, days } = index.arrays();
    const sampleKeys = new Float64Array(mapCount);
    const sampleValues = new Int32Array(mapCount);
    for (let p = 0, j = 0; p + 1 < offsets.length && j < mapCount; p++) {
      for (let e = offsets[p]; e < offsets[p + 1] && j < mapCount; e++) {
        if (Math.floor((j * count) / mapCount) !== e) continue;
        sampleKeys[j] = (FIRST_PREFIX + p) * 10_000 + (keys[e] >>> 2);
        sampleValues[j] = days[e] * 4 + (keys[e] & 3);
        j++;
      }
    }
    const before = heapBytes();
    const built = timed(() => {
      const map = new Map<number, number>();
      for (let j = 0; j < mapCount; j++) map.set(sampleKeys[j], sampleValues[j]);
      return map;
    });
    const map = built.result;
    const bytesPerNumber = (heapBytes() - before) / mapCount;
    context.values.set('mapBytesPerNumber', bytesPerNumber);
    line('build', `${fmt(built.ms)} ms (${mps(mapCount / (built.ms / 1000))}) for ${fmt(mapCount)} entries`);
    line(
      'heap bytes per number',
      `${bytesPerNumber.toFixed(1)} B${collectGarbage ? '' : ' (no --expose-gc: rough)'}; ` +
        `50M entries would need ${fmt((bytesPerNumber * TARGET_COUNT) / 2 ** 20)} MiB and exceed V8's Map limit`,
    );
    const mapHits: Queries = {
      prefix7s: new Int32Array(lookups),
      suffix4s: new Uint16Array(lookups),
      expectedSum: 0,
    };
    for (let q = 0; q < lookups; q++) {
      const j = random.nextInt(mapCount);
      mapHits.prefix7s[q] = Math.floor(sampleKeys[j] / 10_000);
      mapHits.suffix4s[q] = sampleKeys[j] % 10_000;
      mapHits.expectedSum += sampleValues[j];
    }
    const mapLoop = ({ prefix7s, suffix4s }: Queries) => {
      let sum = 0;
      for (let q = 0; q < prefix7s.length; q++) {
        const value = map.get(prefix7s[q] * 10_000 + suffix4s[q]);
        sum += value === undefined ? NOT_PORTED : value;
      }
      return sum;
    };
    measureRate(context, 'mapHits', 'Map.get hits', mapHits, mapLoop);
    measureRate(context, 'mapMisses', 'Map.get misses', context.misses!, mapLoop);
  },
};

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Rows of the CSV import measurement: the whole NPDB would be a 1.4 GB file. */
const CSV_ROWS = envCount('NPDB_BENCH_CSV_ROWS', 10_000_000);
const CSV_BASELINE_ROWS = 1_000_000;
const MIN_IMPORT_ROWS_PER_SECOND = 1_000_000;

const csvImportSection: Section = {
  title: `CSV import (a full snapshot file of up to ${fmt(CSV_ROWS)} rows: read, parse, validate, build)`,
  async run(context) {
    const rows = Math.min(CSV_ROWS, context.count);
    const dir = await mkdtemp(join(tmpdir(), 'mnpd-bench-csv-'));
    context.tempDir = dir;
    const file = join(dir, 'full.csv');
    const parts: string[] = ['mobile,carrier,ported_at\n'];
    for (const row of generatePortedRows({ count: rows, seed: 7 })) {
      parts.push(`${row.mobile},${CARRIER_NAMES[row.carrier]},${isoDateFromDay(row.day) ?? ''}\n`);
    }
    await writeFile(file, parts.join(''));
    parts.length = 0;
    const size = (await stat(file)).size;
    // As the apply worker reads a feed: from the file, a chunk at a time.
    const imported = timed(() => parseFullFeed(FeedFile.open(file), file));
    if (imported.result.index.size !== rows || imported.result.report.invalid !== 0)
      throw new Error('CSV import lost rows');
    const rate = rows / (imported.ms / 1000);
    line(
      `mnpd parseFullFeed, ${fmt(rows)} rows read from the file`,
      `${fmt(imported.ms)} ms, ${mps(rate)} rows (${fmt(size / 2 ** 20)} MiB)`,
    );

    // Baseline: csv-parse, the general parser, only splitting the first rows into fields.
    const head = (await readFile(file))
      .subarray(0, Math.ceil((size * CSV_BASELINE_ROWS) / rows))
      .toString('utf8');
    const baselineRows = head.split('\n').length - 1;
    const parsed = timed(
      () => parseCsv(head.slice(0, head.lastIndexOf('\n') + 1), { relax_column_count: true }) as string[][],
    );
    const baselineRate = baselineRows / (parsed.ms / 1000);
    line('baseline: csv-parse, fields only', `${mps(baselineRate)} rows (${fmt(baselineRows)} rows)`);
    line(
      'ours vs csv-parse',
      `${(rate / baselineRate).toFixed(2)}× (ours also validates and builds the index)`,
    );
    context.targets.push({
      name: `CSV import >= ${mps(MIN_IMPORT_ROWS_PER_SECOND)} rows`,
      verdict: () => (rate >= MIN_IMPORT_ROWS_PER_SECOND ? 'PASS' : 'FAIL'),
      detail: () => `${mps(rate)} rows`,
    });
    await rm(dir, { recursive: true, force: true });
    context.tempDir = undefined;
  },
};

const SECTIONS: Section[] = [
  machineSection,
  generateSection,
  buildSection,
  memorySection,
  lookupSection,
  changesSection,
  snapshotSection,
  csvImportSection,
  mapSection,
];

function summary(context: Context): void {
  const v = (key: string) => context.values.get(key)!;
  const mapCount = Math.min(context.mapCount, context.count, MAX_MAP_ENTRIES);
  console.log(`\nRatios (ours at ${fmt(context.count)} numbers / Map at ${fmt(mapCount)})`);
  line('find() hits vs Map hits', `${(v('findHits') / v('mapHits')).toFixed(2)}×`);
  line('find() misses vs Map misses', `${(v('findMisses') / v('mapMisses')).toFixed(2)}×`);
  line('findMany() hits vs Map hits', `${(v('findManyHits') / v('mapHits')).toFixed(2)}×`);
  line('findMany() misses vs Map misses', `${(v('findManyMisses') / v('mapMisses')).toFixed(2)}×`);
  line('bytes per number vs Map', `${(v('bytesPerNumber') / v('mapBytesPerNumber')).toFixed(3)}×`);
  console.log('\nTargets');
  for (const target of context.targets) {
    console.log(`  ${target.verdict().padEnd(4)}  ${target.name}: ${target.detail()}`);
  }
}

async function main(): Promise<void> {
  const context: Context = {
    count: envCount('NPDB_BENCH_COUNT', TARGET_COUNT),
    mapCount: envCount('NPDB_BENCH_MAP_COUNT', 10_000_000),
    lookups: envCount('NPDB_BENCH_LOOKUPS', 10_000_000),
    random: new SeededRandom(20_191_127),
    index: PortedIndex.empty(),
    values: new Map(),
    targets: [],
  };
  console.log(
    `NPDB benchmark: ${fmt(context.count)} ported numbers, ${fmt(context.lookups)} lookups per measurement, ` +
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`,
  );
  const started = performance.now();
  try {
    for (const section of SECTIONS) {
      console.log(`\n${section.title}`);
      await section.run(context);
    }
    summary(context);
  } finally {
    if (context.tempDir !== undefined) await rm(context.tempDir, { recursive: true, force: true });
  }
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(`\nTotal ${fmt((performance.now() - started) / 1000)} s, peak RSS ${fmt(peak / 2 ** 20)} MiB`);
}

await main();
