/**
 * A deterministic synthetic NPDB for demos, tests and benchmarks: the same count and seed give the
 * same numbers, carriers and dates on every machine. Numbers come from the real 13x–19x segment
 * heads, each number at most once, ported away from the carrier that owns its segment, dated between
 * the nationwide launch of portability (2019-11-27) and 2026-10-31.
 */
import type { Carrier } from '../core/carrier.js';
import { PortedIndex, dayFromIsoDate } from '../core/ported-index.js';
import { FIRST_PREFIX, PREFIX_COUNT, SUFFIX_COUNT } from '../core/prefix.js';

/** mulberry32: tiny, fast, and good enough to make synthetic data look random. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 4_294_967_296;
  }

  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number {
    return Math.floor(this.nextFloat() * bound);
  }
}

export const SYNTHETIC_FIRST_DAY = dayFromIsoDate('2019-11-27') as number;
export const SYNTHETIC_LAST_DAY = dayFromIsoDate('2026-10-31') as number;
/** Keeps every prefix well below its 10000 numbers, so sampling stays cheap and counts exact. */
export const MAX_SYNTHETIC_COUNT = 500_000_000;

/**
 * Segment heads that take part in portability, with the carrier that owns them and a relative
 * share of ports (old 13x/15x/18x segments carry most of them). Virtual-operator heads (162, 165,
 * 167, 170, 171) are left out: those numbers cannot be ported.
 */
const HEADS: ReadonlyArray<readonly [head: number, owner: Carrier, share: number]> = [
  [130, 1, 1],
  [131, 1, 1],
  [132, 1, 1],
  [133, 2, 1],
  [134, 0, 1],
  [135, 0, 1],
  [136, 0, 1],
  [137, 0, 1],
  [138, 0, 1],
  [139, 0, 1],
  [145, 1, 0.3],
  [147, 0, 0.4],
  [149, 2, 0.3],
  [150, 0, 1],
  [151, 0, 1],
  [152, 0, 1],
  [153, 2, 1],
  [155, 1, 1],
  [156, 1, 1],
  [157, 0, 0.8],
  [158, 0, 1],
  [159, 0, 1],
  [166, 1, 0.5],
  [172, 0, 0.3],
  [173, 2, 0.6],
  [175, 1, 0.5],
  [176, 1, 0.6],
  [177, 2, 0.7],
  [178, 0, 0.7],
  [180, 2, 1],
  [181, 2, 1],
  [182, 0, 1],
  [183, 0, 1],
  [184, 0, 0.8],
  [185, 1, 1],
  [186, 1, 1],
  [187, 0, 1],
  [188, 0, 1],
  [189, 2, 1],
  [190, 2, 0.3],
  [191, 2, 0.5],
  [192, 3, 0.3],
  [193, 2, 0.5],
  [195, 0, 0.3],
  [196, 1, 0.3],
  [197, 0, 0.3],
  [198, 0, 0.5],
  [199, 2, 0.5],
];

/** Where ported numbers go: 移动, 联通, 电信, 广电. */
const DESTINATION_SHARE: readonly number[] = [0.4, 0.27, 0.31, 0.02];

/** Cumulative destination thresholds for each original carrier (index 4: original unknown). */
const DESTINATION_THRESHOLDS: readonly Float64Array[] = [0, 1, 2, 3, 4].map((original) => {
  const shares = DESTINATION_SHARE.map((share, carrier) => (carrier === original ? 0 : share));
  const total = shares.reduce((a, b) => a + b, 0);
  const thresholds = new Float64Array(4);
  let sum = 0;
  for (let carrier = 0; carrier < 4; carrier++) {
    sum += shares[carrier] / total;
    thresholds[carrier] = sum;
  }
  thresholds[3] = 1.5; // rounding must never leave a draw without a carrier
  for (let carrier = 2; carrier >= 0 && shares[carrier + 1] === 0; carrier--) thresholds[carrier] = 1.5;
  return thresholds;
});

export interface GenerateOptions {
  count: number;
  seed: number;
  /** The carrier that owns a prefix; ported numbers are given another one. Defaults to the head's owner. */
  initialCarrierOf?: (prefix7: number) => Carrier | -1 | undefined;
}

export interface GeneratedRow {
  /** 11 digits. */
  mobile: string;
  carrier: Carrier;
  day: number;
}

export interface GeneratedIndex {
  index: PortedIndex;
  /** Prefixes with at least one ported number. */
  populatedPrefixes: number;
}

/**
 * Walks the synthetic data prefix by prefix in ascending order, so the index can be written in
 * place without sorting and the row iterator yields numbers in order.
 */
class SyntheticPorts {
  prefix7 = 0;
  count = 0;
  readonly suffixes = new Uint16Array(SUFFIX_COUNT);
  readonly carriers = new Uint8Array(SUFFIX_COUNT);
  readonly days = new Uint16Array(SUFFIX_COUNT);

  private readonly random: SeededRandom;
  private readonly prefixes: Uint32Array;
  private readonly weights: Float64Array;
  private readonly totalWeight: number;
  private readonly target: number;
  private readonly initialCarrierOf: (prefix7: number) => Carrier | -1 | undefined;
  private readonly taken = new Uint8Array(SUFFIX_COUNT);
  private next = 0;
  private cumulativeWeight = 0;
  private emitted = 0;

  constructor(options: GenerateOptions) {
    const { count, seed } = options;
    if (!Number.isInteger(count) || count < 0 || count > MAX_SYNTHETIC_COUNT) {
      throw new RangeError(`count must be an integer in 0..${MAX_SYNTHETIC_COUNT}, got ${count}`);
    }
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    this.target = count;
    this.random = new SeededRandom(seed);
    const owners = new Map<number, Carrier>(HEADS.map(([head, owner]) => [head, owner]));
    this.initialCarrierOf =
      options.initialCarrierOf ?? ((prefix7) => owners.get(Math.floor(prefix7 / 10_000)));
    this.prefixes = new Uint32Array(HEADS.length * 10_000);
    this.weights = new Float64Array(HEADS.length * 10_000);
    let total = 0;
    let i = 0;
    for (const [head, , share] of HEADS) {
      for (let rest = 0; rest < 10_000; rest++, i++) {
        this.prefixes[i] = head * 10_000 + rest;
        const weight = share * (0.5 + this.random.nextFloat());
        this.weights[i] = weight;
        total += weight;
      }
    }
    this.totalWeight = total;
  }

  /** Moves to the next prefix that has ported numbers; false when all `count` are out. */
  nextPrefix(): boolean {
    while (this.next < this.prefixes.length) {
      const i = this.next++;
      // Cumulative rounding hands out exactly `count` numbers in total, whatever the weights.
      this.cumulativeWeight += this.weights[i];
      const upTo = Math.round((this.target * this.cumulativeWeight) / this.totalWeight);
      const count = Math.min(upTo, this.target) - this.emitted;
      if (count <= 0) continue;
      if (count > SUFFIX_COUNT)
        throw new Error(`synthetic prefix ${this.prefixes[i]} would need ${count} numbers`);
      this.emitted += count;
      this.fill(this.prefixes[i], count);
      return true;
    }
    if (this.emitted !== this.target)
      throw new Error(`synthetic generator made ${this.emitted} of ${this.target}`);
    return false;
  }

  private fill(prefix7: number, count: number): void {
    const { random, suffixes, carriers, days, taken } = this;
    this.prefix7 = prefix7;
    this.count = count;
    for (let j = 0; j < count; j++) {
      let suffix = random.nextInt(SUFFIX_COUNT);
      while (taken[suffix] === 1) suffix = random.nextInt(SUFFIX_COUNT);
      taken[suffix] = 1;
      suffixes[j] = suffix;
    }
    if (count * 16 > SUFFIX_COUNT) {
      // Dense prefix: reading the marks back in order is cheaper than sorting.
      let j = 0;
      for (let suffix = 0; suffix < SUFFIX_COUNT; suffix++) {
        if (taken[suffix] === 1) {
          suffixes[j++] = suffix;
          taken[suffix] = 0;
        }
      }
    } else {
      suffixes.subarray(0, count).sort();
      for (let j = 0; j < count; j++) taken[suffixes[j]] = 0;
    }
    const initial = this.initialCarrierOf(prefix7);
    const thresholds = DESTINATION_THRESHOLDS[initial === undefined || initial === -1 ? 4 : initial];
    const daySpan = SYNTHETIC_LAST_DAY - SYNTHETIC_FIRST_DAY + 1;
    for (let j = 0; j < count; j++) {
      const u = random.nextFloat();
      carriers[j] = u < thresholds[0] ? 0 : u < thresholds[1] ? 1 : u < thresholds[2] ? 2 : 3;
      days[j] = SYNTHETIC_FIRST_DAY + random.nextInt(daySpan);
    }
  }
}

/** The synthetic NPDB as an index, written directly in sorted order (no builder, no sort). */
export function generatePortedIndex(options: GenerateOptions): GeneratedIndex {
  const source = new SyntheticPorts(options);
  const offsets = new Uint32Array(PREFIX_COUNT + 1);
  const keys = new Uint16Array(options.count);
  const days = new Uint16Array(options.count);
  let written = 0;
  let populatedPrefixes = 0;
  while (source.nextPrefix()) {
    const { count, suffixes, carriers } = source;
    offsets[source.prefix7 - FIRST_PREFIX + 1] = count;
    for (let j = 0; j < count; j++) keys[written + j] = (suffixes[j] << 2) | carriers[j];
    days.set(source.days.subarray(0, count), written);
    written += count;
    populatedPrefixes++;
  }
  for (let p = 0; p < PREFIX_COUNT; p++) offsets[p + 1] += offsets[p];
  const index = PortedIndex.fromArrays({ offsets, keys, days }, { validate: false });
  return { index, populatedPrefixes };
}

/** The same data as generatePortedIndex, as rows in ascending number order (for CSV feeds). */
export function* generatePortedRows(options: GenerateOptions): Generator<GeneratedRow> {
  const source = new SyntheticPorts(options);
  while (source.nextPrefix()) {
    const head = String(source.prefix7);
    for (let j = 0; j < source.count; j++) {
      const mobile = head + String(source.suffixes[j]).padStart(4, '0');
      yield { mobile, carrier: source.carriers[j] as Carrier, day: source.days[j] };
    }
  }
}
