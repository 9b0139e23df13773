import { describe, expect, it } from 'vitest';
import type { Carrier } from '../core/carrier.js';
import { PortedIndex } from '../core/ported-index.js';
import {
  SYNTHETIC_FIRST_DAY,
  SYNTHETIC_LAST_DAY,
  SeededRandom,
  generatePortedIndex,
  generatePortedRows,
} from './ported-generator.js';

describe('synthetic ported numbers', () => {
  it('gives the same data for the same seed, other data for another seed', () => {
    const a = [...generatePortedRows({ count: 2000, seed: 7 })];
    const b = [...generatePortedRows({ count: 2000, seed: 7 })];
    const c = [...generatePortedRows({ count: 2000, seed: 8 })];
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('makes exactly count unique, valid, sorted numbers with dates in range', () => {
    for (const count of [0, 1, 17, 5000]) {
      const rows = [...generatePortedRows({ count, seed: 3 })];
      expect(rows.length).toBe(count);
      for (let i = 0; i < rows.length; i++) {
        const { mobile, carrier, day } = rows[i];
        expect(mobile).toMatch(/^1[3-9]\d{9}$/);
        if (i > 0) expect(mobile > rows[i - 1].mobile).toBe(true);
        expect([0, 1, 2, 3]).toContain(carrier);
        expect(day).toBeGreaterThanOrEqual(SYNTHETIC_FIRST_DAY);
        expect(day).toBeLessThanOrEqual(SYNTHETIC_LAST_DAY);
      }
    }
  });

  it('builds the index of exactly the rows', () => {
    const options = { count: 20_000, seed: 11 };
    const { index, populatedPrefixes } = generatePortedIndex(options);
    expect(() => PortedIndex.fromArrays(index.arrays(), { validate: true })).not.toThrow();
    const rows = [...generatePortedRows(options)];
    expect(index.size).toBe(rows.length);
    expect(new Set(rows.map((row) => row.mobile.slice(0, 7))).size).toBe(populatedPrefixes);
    for (const { mobile, carrier, day } of rows) {
      expect(index.find(Number(mobile.slice(0, 7)), Number(mobile.slice(7)))).toBe(day * 4 + carrier);
    }
  });

  it('never gives a number its initial carrier', () => {
    const initialCarrierOf = (prefix7: number): Carrier | -1 | undefined =>
      prefix7 % 5 === 0 ? undefined : prefix7 % 5 === 1 ? -1 : ((prefix7 % 4) as Carrier);
    const rows = [...generatePortedRows({ count: 20_000, seed: 5, initialCarrierOf })];
    const seen = [0, 0, 0, 0];
    for (const { mobile, carrier } of rows) {
      expect(carrier).not.toBe(initialCarrierOf(Number(mobile.slice(0, 7))));
      seen[carrier]++;
    }
    // All four carriers occur as destinations.
    expect(seen.every((n) => n > 0)).toBe(true);
    // Without a callback the segment head's owner is used: 139 belongs to 移动 (0).
    for (const { mobile, carrier } of generatePortedRows({ count: 20_000, seed: 5 })) {
      if (mobile.startsWith('139')) expect(carrier).not.toBe(0);
    }
  });

  it('refuses impossible counts', () => {
    expect(() => generatePortedIndex({ count: -1, seed: 1 })).toThrow(RangeError);
    expect(() => generatePortedIndex({ count: 1.5, seed: 1 })).toThrow(RangeError);
    expect(() => generatePortedIndex({ count: 10, seed: 0.5 })).toThrow(RangeError);
  });

  it('has a deterministic random source', () => {
    const a = new SeededRandom(123);
    const b = new SeededRandom(123);
    const draws = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(draws);
    expect(new Set(draws).size).toBe(100);
    for (let i = 0; i < 1000; i++) {
      const value = a.nextInt(10);
      expect(value >= 0 && value < 10 && Number.isInteger(value)).toBe(true);
    }
  });
});
