/**
 * The ported-number index (NPDB): which carrier serves a ported number now, and since when.
 *
 * Sized for 50 million numbers on one machine: 4 bytes per number plus 2.8 MB of bucket offsets,
 * lookups without allocation, and immutable once built, so readers never lock and a new index is
 * published by swapping one reference.
 *
 * Layout. A number is a 7-digit prefix and a 4-digit suffix. `offsets[p]..offsets[p + 1]` is the
 * bucket of prefix `FIRST_PREFIX + p`; inside it entries are sorted by suffix. `keys[i]` is
 * `suffix << 2 | carrier` and `days[i]` the port date as days since 2010-01-01 UTC, 0 when unknown.
 */
import type { Carrier } from './carrier.js';
import * as prefix from './prefix.js';

// Local copies: hot loops then read constants, whatever the module loader does with bindings
// (CommonJS interop and test transforms turn imported names into getter calls).
const FIRST_PREFIX = prefix.FIRST_PREFIX;
const PREFIX_COUNT = prefix.PREFIX_COUNT;
const SUFFIX_COUNT = prefix.SUFFIX_COUNT;

/** Day 0 of port dates. Day 0 itself means "date unknown", so the first real date is the next day. */
export const PORT_DAY_EPOCH = '2010-01-01';
/** Port dates are stored in 16 bits: the last representable date is in 2189. */
export const MAX_PORT_DAY = 0xffff;
/** What `find` answers for a number that is not in the index. */
export const NOT_PORTED = -1;
/** `build()` lists at most this many duplicate pairs; `duplicateCount` has the total. */
export const MAX_REPORTED_DUPLICATES = 1000;

const MAX_SUFFIX = SUFFIX_COUNT - 1;
const MS_PER_DAY = 86_400_000;
const EPOCH_MS = Date.UTC(2010, 0, 1);
/** Prefix indexes (< 700000) fit in 20 bits; PortedChanges keeps its operation kind above them. */
const PREFIX_INDEX_MASK = 0xfffff;
const REMOVE_FLAG = 0x80000000;
const TWO_POW_32 = 4_294_967_296;
/** A bucket sorted this far off from the interpolation guess is skewed: switch to binary search. */
const LINEAR_PROBE_LIMIT = 8;
/** Numbers per findMany group: enough misses in flight to cover memory latency, small enough for L1. */
const BATCH_GROUP = 64;
/** Scratch for findMany (JS is single-threaded and findMany does not re-enter). */
const batchLo = new Int32Array(BATCH_GROUP);
const batchHi = new Int32Array(BATCH_GROUP);
const prefetchSink = { value: 0 };

/** 'YYYY-MM-DD' → port day, or undefined unless it is a real calendar date that fits the index. */
export function dayFromIsoDate(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const dayOfMonth = Number(match[3]);
  const ms = Date.UTC(year, month - 1, dayOfMonth);
  const date = new Date(ms);
  // Date.UTC rolls 2023-02-30 over into March; a real date survives the round trip unchanged.
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== dayOfMonth
  ) {
    return undefined;
  }
  const day = (ms - EPOCH_MS) / MS_PER_DAY;
  return day >= 1 && day <= MAX_PORT_DAY ? day : undefined;
}

/** Port day → 'YYYY-MM-DD'; undefined for 0 (unknown) and for anything that is not a port day. */
export function isoDateFromDay(day: number): string | undefined {
  if (!Number.isInteger(day) || day < 1 || day > MAX_PORT_DAY) return undefined;
  return new Date(EPOCH_MS + day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The carrier of a `find` hit. */
export function packedCarrier(packed: number): Carrier {
  return (packed & 3) as Carrier;
}

/** The port day of a `find` hit (0 = unknown). */
export function packedDay(packed: number): number {
  return packed >>> 2;
}

export interface PortedArrays {
  offsets: Uint32Array;
  keys: Uint16Array;
  days: Uint16Array;
}

export interface PortedEntry {
  prefix7: number;
  suffix4: number;
  carrier: Carrier;
  day: number;
}

export class PortedIndex {
  /** Number of ported numbers. */
  readonly size: number;
  /** Bytes held by the three arrays. */
  readonly byteSize: number;
  private readonly offsets: Uint32Array;
  private readonly keys: Uint16Array;
  private readonly days: Uint16Array;

  private constructor(offsets: Uint32Array, keys: Uint16Array, days: Uint16Array) {
    this.offsets = offsets;
    this.keys = keys;
    this.days = days;
    this.size = keys.length;
    this.byteSize = offsets.byteLength + keys.byteLength + days.byteLength;
  }

  static empty(): PortedIndex {
    return new PortedIndex(new Uint32Array(PREFIX_COUNT + 1), new Uint16Array(0), new Uint16Array(0));
  }

  /**
   * Wraps existing arrays without copying. With `validate` (the default) every invariant `find`
   * relies on is checked first, so data from outside (a file, a network) cannot make lookups lie.
   */
  static fromArrays(arrays: PortedArrays, options: { validate: boolean } = { validate: true }): PortedIndex {
    if (options.validate) validateArrays(arrays);
    return new PortedIndex(arrays.offsets, arrays.keys, arrays.days);
  }

  /**
   * `day * 4 + carrier` when the number is ported, NOT_PORTED otherwise. `prefix7` is the real
   * 7-digit prefix (1397256), `suffix4` the last four digits as a number.
   */
  find(prefix7: number, suffix4: number): number {
    const p = prefix7 - FIRST_PREFIX;
    // `>>> 0` round-trips only for integers in 0..2^32-1, which also rules out NaN and fractions.
    if (p >>> 0 !== p || p >= PREFIX_COUNT || !(suffix4 >= 0 && suffix4 <= MAX_SUFFIX)) return NOT_PORTED;
    const offsets = this.offsets;
    return this.search(offsets[p], offsets[p + 1], suffix4);
  }

  /**
   * `find` for many numbers: `out[q] = find(prefix7s[q], suffix4s[q])`. Same answers, more
   * throughput on large indexes: a single lookup waits for two dependent cache misses (bucket
   * offsets, then keys), while here the misses of a group of numbers are started together, so the
   * memory system works on them in parallel before the searches run on cached data.
   */
  findMany(prefix7s: ArrayLike<number>, suffix4s: ArrayLike<number>, out: Int32Array): void {
    const total = prefix7s.length;
    if (suffix4s.length !== total || out.length < total) {
      throw new RangeError(
        `findMany: ${total} prefixes, ${suffix4s.length} suffixes, room for ${out.length}`,
      );
    }
    const { offsets, keys, days } = this;
    const los = batchLo;
    const his = batchHi;
    for (let start = 0; start < total; start += BATCH_GROUP) {
      const count = Math.min(BATCH_GROUP, total - start);
      for (let j = 0; j < count; j++) {
        const p = prefix7s[start + j] - FIRST_PREFIX;
        const suffix4 = suffix4s[start + j];
        if (p >>> 0 === p && p < PREFIX_COUNT && suffix4 >= 0 && suffix4 <= MAX_SUFFIX) {
          los[j] = offsets[p];
          his[j] = offsets[p + 1];
        } else {
          los[j] = his[j] = 0; // an empty bucket: NOT_PORTED
        }
      }
      // Plain reads at the interpolation guesses serve as prefetches; the sum is stored so the
      // compiler cannot drop them.
      let touched = 0;
      for (let j = 0; j < count; j++) {
        const lo = los[j];
        const n = his[j] - lo;
        if (n > 0) {
          const guess = lo + ((suffix4s[start + j] * n * 0.0001) | 0);
          touched += keys[guess] + days[guess];
        }
      }
      prefetchSink.value = touched;
      for (let j = 0; j < count; j++) out[start + j] = this.search(los[j], his[j], suffix4s[start + j]);
    }
  }

  /** The answer for suffix4 (0..9999) in the bucket [lo, hi). */
  private search(lo: number, hi: number, suffix4: number): number {
    if (lo === hi) return NOT_PORTED;
    const keys = this.keys;
    // Keys of one suffix are t..t+3 (the carrier is in the low bits). A fractional suffix4 gets a
    // truncated t, searches harmlessly, and fails the final equality test.
    const t = suffix4 << 2;
    // Suffixes of ported numbers are close to uniform, so the rank of suffix4 in its bucket is
    // about suffix4 / 10000 of the bucket: the answer is usually a few entries away, in the cache
    // line this first read brought in. A short scan beats binary search (measured: fewer
    // dependent reads); a skewed bucket falls back to binary search after LINEAR_PROBE_LIMIT steps.
    let i = lo + ((suffix4 * (hi - lo) * 0.0001) | 0);
    let k = keys[i];
    if (k < t) {
      const stop = Math.min(hi, i + LINEAR_PROBE_LIMIT);
      while (++i < stop && (k = keys[i]) < t);
      if (i === stop) {
        if (stop === hi) return NOT_PORTED;
        i = lowerBound(keys, stop, hi, t);
        if (i === hi) return NOT_PORTED;
        k = keys[i];
      }
    } else if (k >= t + 4) {
      const stop = Math.max(lo, i - LINEAR_PROBE_LIMIT);
      while (--i >= stop && (k = keys[i]) >= t + 4);
      if (i < stop) {
        if (stop === lo) return NOT_PORTED;
        i = lowerBound(keys, lo, stop, t + 4) - 1;
        if (i < lo) return NOT_PORTED;
        k = keys[i];
      }
    }
    if (k >>> 2 !== suffix4) return NOT_PORTED;
    return this.days[i] * 4 + (k & 3);
  }

  /** The arrays themselves, not copies: callers must not write to them. */
  arrays(): PortedArrays {
    return { offsets: this.offsets, keys: this.keys, days: this.days };
  }

  *entries(): Generator<PortedEntry> {
    const { offsets, keys, days } = this;
    for (let p = 0; p < PREFIX_COUNT; p++) {
      for (let i = offsets[p], end = offsets[p + 1]; i < end; i++) {
        const key = keys[i];
        yield { prefix7: FIRST_PREFIX + p, suffix4: key >>> 2, carrier: (key & 3) as Carrier, day: days[i] };
      }
    }
  }

  countByCarrier(): number[] {
    const counts = [0, 0, 0, 0];
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) counts[keys[i] & 3]++;
    return counts;
  }

  /** Ports per month of port date ('YYYY-MM'), plus 'unknown' for entries without a date. */
  countByMonth(): Map<string, number> {
    const perDay = new Uint32Array(MAX_PORT_DAY + 1);
    const days = this.days;
    for (let i = 0; i < days.length; i++) perDay[days[i]]++;
    const result = new Map<string, number>();
    if (perDay[0] > 0) result.set('unknown', perDay[0]);
    for (let day = 1; day <= MAX_PORT_DAY; day++) {
      if (perDay[day] === 0) continue;
      const month = (isoDateFromDay(day) as string).slice(0, 7);
      result.set(month, (result.get(month) ?? 0) + perDay[day]);
    }
    return result;
  }
}

/** First index in [lo, hi) whose key is >= target, or hi. */
function lowerBound(keys: Uint16Array, lo: number, hi: number, target: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function validateArrays(arrays: PortedArrays): void {
  const { offsets, keys, days } = arrays;
  if (!(offsets instanceof Uint32Array) || !(keys instanceof Uint16Array) || !(days instanceof Uint16Array)) {
    throw new Error('ported index: offsets must be a Uint32Array, keys and days Uint16Arrays');
  }
  if (offsets.length !== PREFIX_COUNT + 1) {
    throw new Error(
      `ported index: offsets has ${offsets.length} entries, expected PREFIX_COUNT + 1 = ${PREFIX_COUNT + 1}`,
    );
  }
  if (keys.length !== days.length) {
    throw new Error(`ported index: keys has ${keys.length} entries but days has ${days.length}`);
  }
  if (offsets[0] !== 0) throw new Error(`ported index: offsets[0] is ${offsets[0]}, expected 0`);
  if (offsets[PREFIX_COUNT] !== keys.length) {
    throw new Error(
      `ported index: last offset is ${offsets[PREFIX_COUNT]} but there are ${keys.length} entries`,
    );
  }
  // Bounds first, so the bucket scan below never reads past the arrays.
  for (let p = 0; p < PREFIX_COUNT; p++) {
    if (offsets[p + 1] < offsets[p]) {
      throw new Error(
        `ported index: offsets not monotone at prefix ${FIRST_PREFIX + p} (${offsets[p]} then ${offsets[p + 1]})`,
      );
    }
  }
  for (let p = 0; p < PREFIX_COUNT; p++) {
    const start = offsets[p];
    const end = offsets[p + 1];
    let previous = -1;
    for (let i = start; i < end; i++) {
      const suffix = keys[i] >>> 2;
      if (suffix > MAX_SUFFIX) {
        throw new Error(`ported index: entry ${i} (prefix ${FIRST_PREFIX + p}) has suffix ${suffix} > 9999`);
      }
      if (suffix <= previous) {
        throw new Error(
          `ported index: suffixes not strictly increasing in prefix ${FIRST_PREFIX + p} at entry ${i} ` +
            `(${previous} then ${suffix})`,
        );
      }
      previous = suffix;
    }
  }
}

/** Checks one entry and packs it as `(suffix << 2 | carrier) << 16 | day`. */
function encodePayload(prefix7: number, suffix4: number, carrier: number, day: number): number {
  const p = prefix7 - FIRST_PREFIX;
  if (p >>> 0 !== p || p >= PREFIX_COUNT) {
    throw new RangeError(`prefix7 ${prefix7} is not a mobile prefix (1300000..1999999)`);
  }
  if (suffix4 >>> 0 !== suffix4 || suffix4 > MAX_SUFFIX) {
    throw new RangeError(`suffix4 ${suffix4} is not 0..9999`);
  }
  if (carrier >>> 0 !== carrier || carrier > 3) throw new RangeError(`carrier ${carrier} is not 0..3`);
  if (day >>> 0 !== day || day > MAX_PORT_DAY) throw new RangeError(`day ${day} is not 0..${MAX_PORT_DAY}`);
  return ((suffix4 << 18) | (carrier << 16) | day) >>> 0;
}

/**
 * Growable parallel arrays: one word with the prefix index (and flags above bit 20), one with the
 * payload. Eight bytes per entry and no JS object per entry, so 50M adds stay cheap for the GC.
 */
class EntryBuffer {
  prefixWords: Uint32Array;
  payloads: Uint32Array;
  length = 0;

  constructor(capacityHint: number) {
    const capacity = Math.max(16, Math.floor(capacityHint));
    this.prefixWords = new Uint32Array(capacity);
    this.payloads = new Uint32Array(capacity);
  }

  push(prefixWord: number, payload: number): void {
    if (this.length === this.payloads.length) this.grow();
    this.prefixWords[this.length] = prefixWord;
    this.payloads[this.length] = payload;
    this.length++;
  }

  private grow(): void {
    const capacity = this.payloads.length * 2;
    const prefixWords = new Uint32Array(capacity);
    prefixWords.set(this.prefixWords);
    const payloads = new Uint32Array(capacity);
    payloads.set(this.payloads);
    this.prefixWords = prefixWords;
    this.payloads = payloads;
  }
}

interface Grouped {
  /** offsets[p]..offsets[p + 1] are the entries of prefix index p, sorted by suffix, one per number. */
  offsets: Uint32Array;
  /** Payloads of the surviving entries; valid up to `length`. */
  payloads: Uint32Array;
  /** Add-order ordinal of each surviving entry. */
  ordinals: Uint32Array;
  length: number;
}

interface DuplicateLog {
  pairs: Array<[number, number]>;
  count: number;
}

/**
 * Sorts entries by (prefix, suffix) and keeps the last added of each number. A stable counting
 * sort on the prefix scatters entries into their buckets in add order; each bucket (about a hundred
 * entries, cache resident) is then sorted on (suffix, position), which keeps add order among equal
 * numbers so "last added wins" is simply "last in the run".
 */
function groupByNumber(buffer: EntryBuffer, duplicates: DuplicateLog | null): Grouped {
  const n = buffer.length;
  const prefixWords = buffer.prefixWords;
  const payloads = buffer.payloads;
  const starts = new Uint32Array(PREFIX_COUNT + 1);
  for (let i = 0; i < n; i++) starts[(prefixWords[i] & PREFIX_INDEX_MASK) + 1]++;
  for (let p = 0; p < PREFIX_COUNT; p++) starts[p + 1] += starts[p];
  const cursors = starts.slice(0, PREFIX_COUNT);
  const sorted = new Uint32Array(n);
  const ordinals = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const position = cursors[prefixWords[i] & PREFIX_INDEX_MASK]++;
    sorted[position] = payloads[i];
    ordinals[position] = i;
  }

  const offsets = new Uint32Array(PREFIX_COUNT + 1);
  let sortKeys = new Float64Array(64);
  let bucketPayloads = new Uint32Array(64);
  let bucketOrdinals = new Uint32Array(64);
  let written = 0;
  for (let p = 0; p < PREFIX_COUNT; p++) {
    const start = starts[p];
    const end = starts[p + 1];
    offsets[p] = written;
    const count = end - start;
    if (count === 0) continue;
    // Input that is already sorted (snapshots, sorted feeds) only needs compacting.
    let ordered = true;
    for (let i = start + 1; i < end && ordered; i++) ordered = sorted[i] >>> 18 > sorted[i - 1] >>> 18;
    if (ordered) {
      if (written !== start) {
        sorted.copyWithin(written, start, end);
        ordinals.copyWithin(written, start, end);
      }
      written += count;
      continue;
    }
    if (sortKeys.length < count) {
      const capacity = Math.max(count, sortKeys.length * 2);
      sortKeys = new Float64Array(capacity);
      bucketPayloads = new Uint32Array(capacity);
      bucketOrdinals = new Uint32Array(capacity);
    }
    for (let j = 0; j < count; j++) {
      const payload = sorted[start + j];
      bucketPayloads[j] = payload;
      bucketOrdinals[j] = ordinals[start + j];
      sortKeys[j] = (payload >>> 18) * TWO_POW_32 + j;
    }
    if (count <= 16) insertionSort(sortKeys, count);
    else sortKeys.subarray(0, count).sort();
    let previousSuffix = -1;
    for (let j = 0; j < count; j++) {
      const key = sortKeys[j];
      const suffix = Math.floor(key / TWO_POW_32);
      const position = key - suffix * TWO_POW_32;
      if (suffix === previousSuffix) {
        // Same number again: the earlier entry (lower position, so added earlier) gives way.
        written--;
        if (duplicates !== null) {
          if (duplicates.pairs.length < MAX_REPORTED_DUPLICATES) {
            duplicates.pairs.push([ordinals[written], bucketOrdinals[position]]);
          }
          duplicates.count++;
        }
      }
      sorted[written] = bucketPayloads[position];
      ordinals[written] = bucketOrdinals[position];
      written++;
      previousSuffix = suffix;
    }
  }
  offsets[PREFIX_COUNT] = written;
  return { offsets, payloads: sorted, ordinals, length: written };
}

function insertionSort(values: Float64Array, count: number): void {
  for (let i = 1; i < count; i++) {
    const value = values[i];
    let j = i - 1;
    while (j >= 0 && values[j] > value) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = value;
  }
}

export interface PortedIndexBuild {
  index: PortedIndex;
  /** [earlier, later] add() ordinals of the same number, the later one kept; at most MAX_REPORTED_DUPLICATES. */
  duplicates: Array<[earlierOrdinal: number, laterOrdinal: number]>;
  duplicateCount: number;
}

/** Collects entries in any order, then builds an index from them; the last add of a number wins. */
export class PortedIndexBuilder {
  private readonly buffer: EntryBuffer;

  constructor(capacityHint = 1024) {
    this.buffer = new EntryBuffer(capacityHint);
  }

  get length(): number {
    return this.buffer.length;
  }

  add(prefix7: number, suffix4: number, carrier: Carrier, day: number): void {
    const payload = encodePayload(prefix7, suffix4, carrier, day);
    this.buffer.push(prefix7 - FIRST_PREFIX, payload);
  }

  build(): PortedIndexBuild {
    const log: DuplicateLog = { pairs: [], count: 0 };
    const grouped = groupByNumber(this.buffer, log);
    const size = grouped.length;
    const keys = new Uint16Array(size);
    const days = new Uint16Array(size);
    const payloads = grouped.payloads;
    for (let i = 0; i < size; i++) {
      const payload = payloads[i];
      keys[i] = payload >>> 16;
      days[i] = payload & 0xffff;
    }
    // Every add is either in the index or reported as overridden.
    if (size + log.count !== this.buffer.length) throw new Error('ported index build lost entries');
    const index = PortedIndex.fromArrays({ offsets: grouped.offsets, keys, days }, { validate: false });
    return { index, duplicates: log.pairs, duplicateCount: log.count };
  }
}

/** Lets applyChanges read a change list without making its storage part of the public API. */
let bufferOfChanges: (changes: PortedChanges) => EntryBuffer;

/** An ordered list of ports and returns to apply to an index. */
export class PortedChanges {
  private readonly buffer: EntryBuffer;

  static {
    bufferOfChanges = (changes) => changes.buffer;
  }

  constructor(capacityHint = 1024) {
    this.buffer = new EntryBuffer(capacityHint);
  }

  get length(): number {
    return this.buffer.length;
  }

  /** The number is now served by `carrier` (a port or a re-port), since `day`. */
  port(prefix7: number, suffix4: number, carrier: Carrier, day: number): void {
    const payload = encodePayload(prefix7, suffix4, carrier, day);
    this.buffer.push(prefix7 - FIRST_PREFIX, payload);
  }

  /** The number went back to its original carrier, so it is no longer ported. */
  remove(prefix7: number, suffix4: number): void {
    const payload = encodePayload(prefix7, suffix4, 0, 0);
    this.buffer.push((prefix7 - FIRST_PREFIX) | REMOVE_FLAG, payload);
  }
}

/**
 * A new index with `changes` applied in order (the last operation on a number wins; removing an
 * absent number does nothing). `base` is not modified. Untouched runs of buckets are copied in bulk,
 * changed buckets are merged, so the cost is one pass over the base plus sorting the changes.
 */
export function applyChanges(base: PortedIndex, changes: PortedChanges): PortedIndex {
  const buffer = bufferOfChanges(changes);
  const baseArrays = base.arrays();
  if (buffer.length === 0) return PortedIndex.fromArrays(baseArrays, { validate: false });
  const grouped = groupByNumber(buffer, null);
  const kinds = buffer.prefixWords;
  const { offsets: changeOffsets, payloads: changePayloads, ordinals: changeOrdinals } = grouped;
  const { offsets: baseOffsets, keys: baseKeys, days: baseDays } = baseArrays;

  // First pass: the new size of every changed bucket, so the result is allocated exactly once.
  const changedPrefixes: number[] = [];
  const newCounts: number[] = [];
  let total = base.size;
  for (let p = 0; p < PREFIX_COUNT; p++) {
    if (changeOffsets[p] === changeOffsets[p + 1]) continue;
    const count = mergeBucket(p, null, 0);
    changedPrefixes.push(p);
    newCounts.push(count);
    total += count - (baseOffsets[p + 1] - baseOffsets[p]);
  }

  const offsets = new Uint32Array(PREFIX_COUNT + 1);
  const keys = new Uint16Array(total);
  const days = new Uint16Array(total);
  const output = { keys, days };
  let delta = 0;
  let next = 0;
  for (let p = 0; p <= PREFIX_COUNT; p++) {
    offsets[p] = baseOffsets[p] + delta;
    if (next < changedPrefixes.length && changedPrefixes[next] === p) {
      delta += newCounts[next] - (baseOffsets[p + 1] - baseOffsets[p]);
      next++;
    }
  }
  // Second pass: copy the runs between changed buckets, merge the changed ones.
  let copiedUpTo = 0;
  for (let c = 0; c < changedPrefixes.length; c++) {
    const p = changedPrefixes[c];
    copyRun(copiedUpTo, baseOffsets[p], offsets[p] - (baseOffsets[p] - copiedUpTo));
    const written = mergeBucket(p, output, offsets[p]);
    if (written !== newCounts[c]) throw new Error('applyChanges: merge passes disagree');
    copiedUpTo = baseOffsets[p + 1];
  }
  copyRun(copiedUpTo, base.size, total - (base.size - copiedUpTo));
  if (offsets[PREFIX_COUNT] !== total) throw new Error('applyChanges: offsets do not end at the size');
  return PortedIndex.fromArrays({ offsets, keys, days }, { validate: false });

  function copyRun(from: number, to: number, at: number): void {
    if (to === from) return;
    keys.set(baseKeys.subarray(from, to), at);
    days.set(baseDays.subarray(from, to), at);
  }

  /** Merges bucket p of base and changes; writes at `at` when `out` is given; returns the count. */
  function mergeBucket(p: number, out: { keys: Uint16Array; days: Uint16Array } | null, at: number): number {
    let i = baseOffsets[p];
    const baseEnd = baseOffsets[p + 1];
    let j = changeOffsets[p];
    const changeEnd = changeOffsets[p + 1];
    let w = at;
    while (i < baseEnd || j < changeEnd) {
      const baseSuffix = i < baseEnd ? baseKeys[i] >>> 2 : SUFFIX_COUNT;
      const changeSuffix = j < changeEnd ? changePayloads[j] >>> 18 : SUFFIX_COUNT;
      if (baseSuffix < changeSuffix) {
        if (out !== null) {
          out.keys[w] = baseKeys[i];
          out.days[w] = baseDays[i];
        }
        w++;
        i++;
        continue;
      }
      // The change decides this number, whether or not base had it.
      if (baseSuffix === changeSuffix) i++;
      if ((kinds[changeOrdinals[j]] & REMOVE_FLAG) === 0) {
        if (out !== null) {
          const payload = changePayloads[j];
          out.keys[w] = payload >>> 16;
          out.days[w] = payload & 0xffff;
        }
        w++;
      }
      j++;
    }
    return w - at;
  }
}
