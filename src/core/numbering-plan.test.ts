import { describe, expect, it } from 'vitest';
import { SegmentType as T } from './carrier.js';
import { NOT_ALLOCATED, NUMBERING_PLAN, planFor, plannedType, typeUnderPlan } from './numbering-plan.js';
import { FIRST_PREFIX, LAST_PREFIX } from './prefix.js';

const carrierOf = (prefix7: number) => planFor(prefix7).carrier;

describe('planFor', () => {
  it.each([
    [1397256, '139', 0, T.Mobile],
    [1340000, '134', 0, T.Mobile],
    [1348999, '134', 0, T.Mobile],
    [1349000, '1349', 2, T.Telecom],
    [1300000, '130', 1, T.Unicom],
    [1330000, '133', 2, T.Telecom],
    [1920000, '192', 3, T.Broadnet],
    [1900000, '190', 2, T.Telecom],
    [1960000, '196', 1, T.Unicom],
    [1970000, '197', 0, T.Mobile],
    [1983170, '198', 0, T.Mobile],
    [1620000, '162', 2, T.TelecomVirtual],
    [1650000, '165', 0, T.MobileVirtual],
    [1670000, '167', 1, T.UnicomVirtual],
    [1710000, '171', 1, T.UnicomVirtual],
    [1700999, '1700', 2, T.TelecomVirtual],
    [1702000, '1702', 2, T.TelecomVirtual],
    [1703000, '1703', 0, T.MobileVirtual],
    [1704000, '1704', 1, T.UnicomVirtual],
    [1705000, '1705', 0, T.MobileVirtual],
    [1706000, '1706', 0, T.MobileVirtual],
    [1707000, '1707', 1, T.UnicomVirtual],
    [1709999, '1709', 1, T.UnicomVirtual],
    [1740000, '17400', 2, T.Telecom],
    [1740599, '17405', 2, T.Telecom],
    [1410000, '1410', 2, T.Telecom],
    [1440000, '1440', 0, T.Mobile],
    [1460000, '146', 1, T.Unicom],
  ])('puts %i in block %s on carrier %i, type %i', (prefix7, block, carrier, type) => {
    expect(planFor(prefix7)).toMatchObject({ prefix: block, allocated: true, carrier, type });
    expect(plannedType(prefix7)).toBe(type);
  });

  it.each([
    [1540000, '154'],
    [1400000, '140'],
    [1411000, '141'],
    [1420000, '142'],
    [1442000, '144'],
    [1600000, '160'],
    [1690000, '169'],
    [1741300, '174'],
    [1790000, '179'],
    [1940000, '194'],
  ])('leaves %i (block %s) unallocated', (prefix7, block) => {
    expect(planFor(prefix7)).toMatchObject({ prefix: block, allocated: false, carrier: -1, use: 'reserved' });
    expect(plannedType(prefix7)).toBe(NOT_ALLOCATED);
  });

  it('knows blocks held by others than the four carriers, without a carrier', () => {
    for (const prefix7 of [1740600, 1741299, 1749000]) {
      const block = planFor(prefix7);
      expect(block).toMatchObject({ allocated: true, carrier: -1, type: T.Unknown });
      expect(block.holder).not.toBe('');
      expect(plannedType(prefix7)).toBe(T.Unknown);
    }
  });

  it('gives every allocated block of the four carriers a host carrier that matches its type', () => {
    for (const block of NUMBERING_PLAN.filter((b) => b.allocated && b.holder === '')) {
      expect(block.carrier, block.prefix).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(NUMBERING_PLAN.map((block) => block.prefix)).size).toBe(NUMBERING_PLAN.length);
  });

  it('answers every prefix from 1300000 to 1999999 with the longest matching block', () => {
    for (let prefix7 = FIRST_PREFIX; prefix7 <= LAST_PREFIX; prefix7 += 7) {
      const digits = String(prefix7);
      const matching = NUMBERING_PLAN.filter((block) => digits.startsWith(block.prefix));
      const longest = matching.reduce((a, b) => (b.prefix.length > a.prefix.length ? b : a));
      expect(planFor(prefix7)).toBe(longest);
    }
  });

  it('refuses a prefix outside the mobile range; plannedType answers NOT_ALLOCATED', () => {
    for (const bad of [1299999, 2000000, 1397256.5, NaN, -1]) {
      expect(() => planFor(bad)).toThrow(RangeError);
      expect(plannedType(bad)).toBe(NOT_ALLOCATED);
    }
  });

  it('resolves a million prefixes in well under a second (a flat table, not a search)', () => {
    const started = performance.now();
    let sum = 0;
    for (let i = 0; i < 1_000_000; i++) sum += plannedType(FIRST_PREFIX + ((i * 7919) % 700_000));
    expect(sum).not.toBe(0);
    expect(performance.now() - started).toBeLessThan(500);
    expect(carrierOf(1397256)).toBe(0);
  });
});

describe('typeUnderPlan', () => {
  it('takes a resale block’s type from the plan, whatever the file says', () => {
    for (const file of [T.Unknown, T.Mobile, T.Telecom, T.TelecomVirtual, T.UnicomVirtual])
      expect(typeUnderPlan(file, T.MobileVirtual)).toBe(T.MobileVirtual);
  });

  it('reads a virtual or unknown file type in a carrier’s own block as the carrier’s', () => {
    expect(typeUnderPlan(T.TelecomVirtual, T.Telecom)).toBe(T.Telecom);
    expect(typeUnderPlan(T.MobileVirtual, T.Unicom)).toBe(T.Unicom);
    expect(typeUnderPlan(T.BroadnetVirtual, T.Broadnet)).toBe(T.Broadnet);
    expect(typeUnderPlan(T.Unknown, T.Mobile)).toBe(T.Mobile);
    expect(typeUnderPlan(T.TelecomVirtual, T.Unknown)).toBe(T.Unknown);
  });

  it('keeps a plain file type in a plain block, and every type in an unallocated block', () => {
    expect(typeUnderPlan(T.Mobile, T.Unicom)).toBe(T.Mobile);
    expect(typeUnderPlan(T.Telecom, T.Unknown)).toBe(T.Telecom);
    for (let type = 0; type <= 8; type++) expect(typeUnderPlan(type as T, NOT_ALLOCATED)).toBe(type);
  });
});
