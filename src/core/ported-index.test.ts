import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Carrier } from './carrier.js';
import {
  MAX_PORT_DAY,
  MAX_REPORTED_DUPLICATES,
  NOT_PORTED,
  PortedChanges,
  PortedIndex,
  PortedIndexBuilder,
  applyChanges,
  dayFromIsoDate,
  isoDateFromDay,
  packedCarrier,
  packedDay,
  type PortedEntry,
} from './ported-index.js';
import { FIRST_PREFIX, LAST_PREFIX, PREFIX_COUNT } from './prefix.js';

/** Reference model: number → [carrier, day]. */
type Model = Map<number, [Carrier, number]>;

const numberOf = (prefix7: number, suffix4: number) => prefix7 * 10_000 + suffix4;

// Few prefixes and a narrow suffix range make repeated numbers common; the boundaries are always in play.
const prefixArb = fc.oneof(
  fc.constantFrom(FIRST_PREFIX, LAST_PREFIX, 1_397_256, 1_500_000),
  fc.integer({ min: FIRST_PREFIX, max: LAST_PREFIX }),
);
const suffixArb = fc.oneof(
  fc.constantFrom(0, 9999),
  fc.integer({ min: 0, max: 30 }),
  fc.integer({ min: 0, max: 9999 }),
);
const carrierArb = fc.constantFrom<Carrier>(0, 1, 2, 3);
const dayArb = fc.oneof(fc.constantFrom(0, 1, MAX_PORT_DAY), fc.integer({ min: 0, max: MAX_PORT_DAY }));
const entryArb = fc.record({ prefix7: prefixArb, suffix4: suffixArb, carrier: carrierArb, day: dayArb });
const changeArb = fc.oneof(
  entryArb.map((entry) => ({ op: 'port' as const, ...entry })),
  fc.record({ op: fc.constant('remove' as const), prefix7: prefixArb, suffix4: suffixArb }),
);

function build(entries: PortedEntry[]) {
  const builder = new PortedIndexBuilder(4);
  for (const { prefix7, suffix4, carrier, day } of entries) builder.add(prefix7, suffix4, carrier, day);
  expect(builder.length).toBe(entries.length);
  return builder.build();
}

function modelOf(entries: PortedEntry[]): Model {
  const model: Model = new Map();
  for (const { prefix7, suffix4, carrier, day } of entries)
    model.set(numberOf(prefix7, suffix4), [carrier, day]);
  return model;
}

/** The index holds exactly the model: same entries in number order, and consistent arrays. */
function expectMatches(index: PortedIndex, model: Model): void {
  const expected = [...model.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([number, [carrier, day]]) => ({
      prefix7: Math.floor(number / 10_000),
      suffix4: number % 10_000,
      carrier,
      day,
    }));
  expect([...index.entries()]).toEqual(expected);
  expect(index.size).toBe(model.size);
  for (const { prefix7, suffix4, carrier, day } of expected) {
    const packed = index.find(prefix7, suffix4);
    expect(packed).toBe(day * 4 + carrier);
    expect(packedCarrier(packed)).toBe(carrier);
    expect(packedDay(packed)).toBe(day);
  }
  expect(() => PortedIndex.fromArrays(index.arrays(), { validate: true })).not.toThrow();
  const { offsets, keys, days } = index.arrays();
  expect(index.byteSize).toBe(offsets.byteLength + keys.byteLength + days.byteLength);
}

describe('date helpers', () => {
  it('reads real calendar dates and rejects the rest', () => {
    expect(dayFromIsoDate('2019-11-27')).toBe(3617);
    expect(isoDateFromDay(3617)).toBe('2019-11-27');
    expect(dayFromIsoDate('2010-01-02')).toBe(1);
    expect(dayFromIsoDate('2024-02-29')).toBeDefined();
    for (const bad of [
      '2023-02-30',
      '2023-02-29',
      '2019-13-01',
      '2019-00-10',
      '2019-11-31',
      '2019-1-1',
      '2019-11-27T00:00:00Z',
      ' 2019-11-27',
      'garbage',
      '',
      '2009-12-31',
      // Day 0 is the "unknown" marker, so the epoch itself is not a storable date.
      '2010-01-01',
      '2190-01-01',
    ]) {
      expect(dayFromIsoDate(bad), bad).toBeUndefined();
    }
  });

  it('covers exactly days 1..65535, round trip', () => {
    const last = isoDateFromDay(MAX_PORT_DAY)!;
    expect(last.startsWith('2189-')).toBe(true);
    expect(dayFromIsoDate(last)).toBe(MAX_PORT_DAY);
    expect(isoDateFromDay(0)).toBeUndefined();
    expect(isoDateFromDay(MAX_PORT_DAY + 1)).toBeUndefined();
    expect(isoDateFromDay(1.5)).toBeUndefined();
    expect(isoDateFromDay(-1)).toBeUndefined();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_PORT_DAY }), (day) => {
        expect(dayFromIsoDate(isoDateFromDay(day)!)).toBe(day);
      }),
    );
  });
});

describe('PortedIndexBuilder', () => {
  it('builds exactly the reference model, last add wins, duplicates reported', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 300 }), (entries) => {
        const { index, duplicates, duplicateCount } = build(entries);
        const model = modelOf(entries);
        expectMatches(index, model);
        expect(duplicateCount).toBe(entries.length - model.size);
        expect(duplicates.length).toBe(duplicateCount);
        const overridden = new Set<number>();
        for (const [earlier, later] of duplicates) {
          expect(earlier).toBeLessThan(later);
          const a = entries[earlier];
          const b = entries[later];
          expect(numberOf(a.prefix7, a.suffix4)).toBe(numberOf(b.prefix7, b.suffix4));
          overridden.add(earlier);
        }
        // Every add that did not survive is reported as overridden exactly once.
        expect(overridden.size).toBe(duplicateCount);
      }),
      { numRuns: 80 },
    );
  });

  it('answers NOT_PORTED for absent numbers', () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { maxLength: 200 }),
        fc.array(fc.tuple(prefixArb, suffixArb), { maxLength: 200 }),
        (entries, probes) => {
          const { index } = build(entries);
          const model = modelOf(entries);
          for (const [prefix7, suffix4] of probes) {
            const known = model.get(numberOf(prefix7, suffix4));
            expect(index.find(prefix7, suffix4)).toBe(
              known === undefined ? NOT_PORTED : known[1] * 4 + known[0],
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('finds every suffix right in dense and skewed buckets', () => {
    // Clustered suffixes put the interpolation guess far off and exercise the binary-search fallback.
    const bucketArb = fc.oneof(
      fc.uniqueArray(fc.integer({ min: 0, max: 9999 }), { minLength: 1, maxLength: 3000 }),
      fc
        .tuple(fc.integer({ min: 0, max: 9000 }), fc.integer({ min: 1, max: 999 }))
        .chain(([from, width]) =>
          fc.uniqueArray(fc.integer({ min: from, max: from + width }), { minLength: 1, maxLength: 1000 }),
        ),
      fc.constant(Array.from({ length: 10_000 }, (_, i) => i)),
      fc.constant([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 9999]),
    );
    fc.assert(
      fc.property(bucketArb, prefixArb, (suffixes, prefix7) => {
        const builder = new PortedIndexBuilder();
        // Neighbouring buckets must not leak into this one.
        if (prefix7 > FIRST_PREFIX) builder.add(prefix7 - 1, 9999, 1, 5);
        if (prefix7 < LAST_PREFIX) builder.add(prefix7 + 1, 0, 1, 5);
        for (const suffix of suffixes) builder.add(prefix7, suffix, (suffix & 3) as Carrier, suffix + 1);
        const { index } = builder.build();
        const present = new Set(suffixes);
        for (let suffix = 0; suffix < 10_000; suffix++) {
          const expected = present.has(suffix) ? (suffix + 1) * 4 + (suffix & 3) : NOT_PORTED;
          if (index.find(prefix7, suffix) !== expected) {
            expect(index.find(prefix7, suffix), `suffix ${suffix}`).toBe(expected);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('keeps the boundaries: first and last prefix, suffix 0 and 9999, day 0 and 65535', () => {
    const builder = new PortedIndexBuilder();
    builder.add(LAST_PREFIX, 9999, 3, MAX_PORT_DAY);
    builder.add(FIRST_PREFIX, 0, 0, 0);
    builder.add(FIRST_PREFIX, 9999, 2, 1);
    builder.add(LAST_PREFIX, 0, 1, 0);
    const { index } = builder.build();
    expect(index.find(FIRST_PREFIX, 0)).toBe(0);
    expect(index.find(FIRST_PREFIX, 9999)).toBe(4 + 2);
    expect(index.find(LAST_PREFIX, 0)).toBe(1);
    expect(index.find(LAST_PREFIX, 9999)).toBe(MAX_PORT_DAY * 4 + 3);
    expect(packedDay(index.find(LAST_PREFIX, 9999))).toBe(MAX_PORT_DAY);
    expect(packedCarrier(index.find(LAST_PREFIX, 9999))).toBe(3);
    expect(index.find(FIRST_PREFIX, 1)).toBe(NOT_PORTED);
    expect(index.arrays().offsets[PREFIX_COUNT]).toBe(4);
  });

  it('refuses out-of-range input to add and answers NOT_PORTED to out-of-range lookups', () => {
    const builder = new PortedIndexBuilder();
    expect(() => builder.add(FIRST_PREFIX - 1, 0, 0, 0)).toThrow(RangeError);
    expect(() => builder.add(LAST_PREFIX + 1, 0, 0, 0)).toThrow(/not a mobile prefix/);
    expect(() => builder.add(1_390_000.5, 0, 0, 0)).toThrow(RangeError);
    expect(() => builder.add(FIRST_PREFIX, 10_000, 0, 0)).toThrow(/suffix4/);
    expect(() => builder.add(FIRST_PREFIX, -1, 0, 0)).toThrow(/suffix4/);
    expect(() => builder.add(FIRST_PREFIX, 0, 4 as Carrier, 0)).toThrow(/carrier/);
    expect(() => builder.add(FIRST_PREFIX, 0, 0, MAX_PORT_DAY + 1)).toThrow(/day/);
    expect(() => builder.add(FIRST_PREFIX, 0, 0, -1)).toThrow(/day/);
    expect(builder.length).toBe(0);
    builder.add(FIRST_PREFIX, 1, 2, 3);
    const { index } = builder.build();
    for (const [prefix7, suffix4] of [
      [FIRST_PREFIX - 1, 1],
      [LAST_PREFIX + 1, 1],
      [Number.NaN, 1],
      [FIRST_PREFIX + 0.5, 1],
      [FIRST_PREFIX, 1.5],
      [FIRST_PREFIX, -1],
      [FIRST_PREFIX, 10_000],
      [FIRST_PREFIX, Number.NaN],
    ]) {
      expect(index.find(prefix7, suffix4)).toBe(NOT_PORTED);
    }
    expect(index.find(FIRST_PREFIX, 1)).toBe(3 * 4 + 2);
  });

  it('caps the reported duplicates but counts them all', () => {
    const builder = new PortedIndexBuilder();
    const total = MAX_REPORTED_DUPLICATES + 500;
    for (let i = 0; i <= total; i++) builder.add(1_380_000, 42, (i % 4) as Carrier, i % 1000);
    const { index, duplicates, duplicateCount } = builder.build();
    expect(index.size).toBe(1);
    expect(duplicateCount).toBe(total);
    expect(duplicates.length).toBe(MAX_REPORTED_DUPLICATES);
    expect(duplicates[0]).toEqual([0, 1]);
    expect(index.find(1_380_000, 42)).toBe((total % 1000) * 4 + (total % 4));
  });

  it('counts by carrier and by month', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 200 }), (entries) => {
        const { index } = build(entries);
        const model = modelOf(entries);
        const byCarrier = [0, 0, 0, 0];
        const byMonth = new Map<string, number>();
        for (const [carrier, day] of model.values()) {
          byCarrier[carrier]++;
          const month = day === 0 ? 'unknown' : isoDateFromDay(day)!.slice(0, 7);
          byMonth.set(month, (byMonth.get(month) ?? 0) + 1);
        }
        expect(index.countByCarrier()).toEqual(byCarrier);
        expect(new Map([...index.countByMonth()].sort())).toEqual(new Map([...byMonth].sort()));
      }),
      { numRuns: 40 },
    );
  });
});

describe('PortedIndex', () => {
  it('empty index finds nothing', () => {
    const index = PortedIndex.empty();
    expect(index.size).toBe(0);
    expect(index.find(1_397_256, 5391)).toBe(NOT_PORTED);
    expect([...index.entries()]).toEqual([]);
    expect(index.countByCarrier()).toEqual([0, 0, 0, 0]);
    expect(index.countByMonth().size).toBe(0);
    expect(index.byteSize).toBe((PREFIX_COUNT + 1) * 4);
  });

  it('findMany answers like find, including invalid numbers', () => {
    const probeArb = fc.oneof(
      fc.tuple(prefixArb, suffixArb),
      fc.tuple(fc.constantFrom(FIRST_PREFIX - 1, LAST_PREFIX + 1, 1_500_000.5), suffixArb),
      fc.tuple(prefixArb, fc.constantFrom(-1, 10_000, 2.5)),
    );
    fc.assert(
      fc.property(
        fc.array(entryArb, { maxLength: 200 }),
        fc.array(probeArb, { maxLength: 300 }),
        (entries, probes) => {
          const { index } = build(entries);
          const prefixes = probes.map(([prefix7]) => prefix7);
          const suffixes = probes.map(([, suffix4]) => suffix4);
          const out = new Int32Array(probes.length);
          index.findMany(prefixes, suffixes, out);
          expect([...out]).toEqual(probes.map(([prefix7, suffix4]) => index.find(prefix7, suffix4)));
        },
      ),
      { numRuns: 60 },
    );
    expect(() => PortedIndex.empty().findMany([1], [], new Int32Array(1))).toThrow(RangeError);
  });

  describe('fromArrays validation names the broken invariant', () => {
    const valid = () => {
      const builder = new PortedIndexBuilder();
      builder.add(1_300_001, 5, 1, 10);
      builder.add(1_300_001, 7, 2, 11);
      builder.add(1_300_003, 0, 3, 12);
      const { offsets, keys, days } = builder.build().index.arrays();
      return { offsets: offsets.slice(), keys: keys.slice(), days: days.slice() };
    };

    it('accepts a valid index', () => {
      const index = PortedIndex.fromArrays(valid());
      expect(index.find(1_300_001, 7)).toBe(11 * 4 + 2);
    });

    it.each([
      [
        'wrong array types',
        (a: ReturnType<typeof valid>) => Object.assign(a, { keys: new Uint32Array(3) }),
        /Uint16Array/,
      ],
      [
        'offsets length',
        (a: ReturnType<typeof valid>) => Object.assign(a, { offsets: a.offsets.subarray(1) }),
        /PREFIX_COUNT \+ 1/,
      ],
      [
        'keys and days lengths',
        (a: ReturnType<typeof valid>) => Object.assign(a, { days: a.days.subarray(1) }),
        /keys has 3 entries but days has 2/,
      ],
      ['offsets[0]', (a: ReturnType<typeof valid>) => a.offsets.fill(1, 0, 2), /offsets\[0\] is 1/],
      [
        'last offset',
        (a: ReturnType<typeof valid>) => a.offsets.fill(2, 3),
        /last offset is 2 but there are 3 entries/,
      ],
      [
        'monotone offsets',
        (a: ReturnType<typeof valid>) => a.offsets.fill(1, 3, 4),
        /not monotone at prefix 1300002/,
      ],
      [
        'suffix <= 9999',
        (a: ReturnType<typeof valid>) => a.keys.fill(10_000 << 2, 2, 3),
        /suffix 10000 > 9999/,
      ],
      [
        'strictly increasing suffixes',
        (a: ReturnType<typeof valid>) => a.keys.fill((5 << 2) | 3, 1, 2),
        /not strictly increasing in prefix 1300001/,
      ],
    ])('%s', (_name, breakIt, message) => {
      const arrays = valid();
      breakIt(arrays);
      expect(() => PortedIndex.fromArrays(arrays as never, { validate: true })).toThrow(message);
      // Trusted callers may skip the check; validation is on by default.
      expect(() => PortedIndex.fromArrays(arrays as never)).toThrow(message);
    });
  });
});

describe('applyChanges', () => {
  it('matches the reference model and leaves the base untouched', () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { maxLength: 200 }),
        fc.array(changeArb, { maxLength: 200 }),
        (entries, ops) => {
          const base = build(entries).index;
          const before = [...base.entries()];
          const model = modelOf(entries);
          const changes = new PortedChanges(2);
          for (const op of ops) {
            if (op.op === 'port') {
              changes.port(op.prefix7, op.suffix4, op.carrier, op.day);
              model.set(numberOf(op.prefix7, op.suffix4), [op.carrier, op.day]);
            } else {
              changes.remove(op.prefix7, op.suffix4);
              model.delete(numberOf(op.prefix7, op.suffix4));
            }
          }
          expect(changes.length).toBe(ops.length);
          const next = applyChanges(base, changes);
          expectMatches(next, model);
          expect([...base.entries()]).toEqual(before);
          // Not toBe: vitest would deep-compare two 700k-entry offset arrays to explain the difference.
          expect(next === base).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('handles repeated operations on one number in order', () => {
    const base = build([{ prefix7: 1_390_000, suffix4: 1, carrier: 1, day: 100 }]).index;
    const changes = new PortedChanges();
    changes.remove(1_390_000, 1);
    changes.port(1_390_000, 1, 2, 200);
    changes.port(1_390_000, 2, 2, 200);
    changes.remove(1_390_000, 2);
    changes.remove(1_390_000, 3);
    changes.port(FIRST_PREFIX, 0, 3, 0);
    changes.port(LAST_PREFIX, 9999, 0, MAX_PORT_DAY);
    const next = applyChanges(base, changes);
    expect([...next.entries()]).toEqual([
      { prefix7: FIRST_PREFIX, suffix4: 0, carrier: 3, day: 0 },
      { prefix7: 1_390_000, suffix4: 1, carrier: 2, day: 200 },
      { prefix7: LAST_PREFIX, suffix4: 9999, carrier: 0, day: MAX_PORT_DAY },
    ]);
    expect(base.find(1_390_000, 1)).toBe(100 * 4 + 1);
  });

  it('with no changes gives an equal index, and removes everything when asked', () => {
    const entries = [
      { prefix7: 1_390_000, suffix4: 1, carrier: 1 as Carrier, day: 100 },
      { prefix7: 1_880_000, suffix4: 9, carrier: 0 as Carrier, day: 7 },
    ];
    const base = build(entries).index;
    expect([...applyChanges(base, new PortedChanges()).entries()]).toEqual([...base.entries()]);
    const changes = new PortedChanges();
    for (const { prefix7, suffix4 } of entries) changes.remove(prefix7, suffix4);
    const emptied = applyChanges(base, changes);
    expect(emptied.size).toBe(0);
    expect(() => PortedIndex.fromArrays(emptied.arrays())).not.toThrow();
  });

  it('refuses out-of-range changes', () => {
    const changes = new PortedChanges();
    expect(() => changes.port(FIRST_PREFIX - 1, 0, 0, 0)).toThrow(RangeError);
    expect(() => changes.remove(LAST_PREFIX, 10_000)).toThrow(RangeError);
    expect(changes.length).toBe(0);
  });
});
