import { describe, expect, it } from 'vitest';
import type { SegmentType } from './carrier.js';
import { PREFIX_COUNT } from './prefix.js';
import { SegmentTable, SegmentTableBuilder, cellType, formatArea, makeLocation } from './segment-table.js';

describe('SegmentTable', () => {
  it('answers every prefix in O(1) and nothing outside 1300000–1999999', () => {
    const builder = new SegmentTableBuilder();
    const wuhan = makeLocation('湖北', '武汉', '430000', '027');
    expect(builder.set(1300000, 2, wuhan)).toBe(true);
    expect(builder.set(1999999, 7, makeLocation('北京', '北京', '100000', '010'))).toBe(true);
    expect(builder.set(1300000, 1, wuhan)).toBe(false);
    const table = builder.build('2502', 'test');
    expect(table.size).toBe(2);
    expect(table.locations).toHaveLength(2);
    expect(cellType(table.cellAt(1300000))).toBe(1);
    expect(table.locationOf(table.cellAt(1999999)).area).toBe('北京-北京');
    for (const prefix of [0, 1299999, 1300001, 2000000, -1, 1.5, NaN]) expect(table.cellAt(prefix)).toBe(0);
    expect([...table.rows()].map((row) => row.prefix)).toEqual([1300000, 1999999]);
  });

  it('shares one location between prefixes with the same fields', () => {
    const builder = new SegmentTableBuilder();
    builder.set(1300000, 1, makeLocation('湖北', '武汉', '430000', '027'));
    builder.set(1300001, 1, makeLocation('湖北', '武汉', '430000', '027'));
    expect(builder.build('v', 's').locations).toHaveLength(1);
  });

  it('answers no segment for a fractional or non-numeric prefix, never a slot next to it', () => {
    const builder = new SegmentTableBuilder();
    builder.set(1300000, 1, makeLocation('湖北', '武汉', '430000', '027'));
    builder.set(1300001, 2, makeLocation('湖北', '武汉', '430000', '027'));
    const table = builder.build('v', 's');
    for (const prefix of [1300000.5, 1300001 - 1e-9, 1300000 + Number.EPSILON * 1e6, Infinity, -Infinity])
      expect(table.cellAt(prefix)).toBe(0);
    expect(table.cellAt(1300001)).not.toBe(0);
    expect(builder.has(1300000.5)).toBe(false);
    expect(builder.has(1300000)).toBe(true);
  });

  it('refuses prefixes out of range and inconsistent cells', () => {
    const nowhere = makeLocation('', '', '', '');
    for (const prefix of [2000000, 1299999, 1300000.5, NaN, Infinity, -1300000]) {
      expect(() => new SegmentTableBuilder().set(prefix, 1, nowhere)).toThrow(RangeError);
    }
    expect(() => new SegmentTableBuilder().set(1300000, 9 as SegmentType, nowhere)).toThrow(/type 9/);
    expect(() => new SegmentTable('v', 's', [], new Uint32Array(10))).toThrow(/700000 cells/);
    const cells = new Uint32Array(PREFIX_COUNT);
    cells[5] = (3 << 4) | 1;
    expect(() => new SegmentTable('v', 's', [makeLocation('a', 'b', '', '')], cells)).toThrow(/outside/);
  });

  it('formats Area as 省-市, or the province alone without a city', () => {
    expect(formatArea('湖北', '宜昌')).toBe('湖北-宜昌');
    expect(formatArea('山东', '')).toBe('山东');
    expect(formatArea('', '')).toBe('');
  });
});
