import { describe, expect, it } from 'vitest';
import type { SegmentType } from './carrier.js';
import { diffSegments } from './segment-diff.js';
import { type Location, SegmentTableBuilder, makeLocation } from './segment-table.js';

const yichang = makeLocation('湖北', '宜昌', '443000', '0717');
const wuhan = makeLocation('湖北', '武汉', '430000', '027');
const beijing = makeLocation('北京', '北京', '100000', '010');

function table(version: string, rows: [number, SegmentType, Location][]) {
  const builder = new SegmentTableBuilder();
  for (const [prefix, type, location] of rows) builder.set(prefix, type, location);
  return builder.build(version, 'test');
}

describe('diffSegments', () => {
  const before = table('1810', [
    [1300000, 2, yichang], // unchanged
    [1300001, 2, yichang], // removed
    [1300002, 2, yichang], // moved to 武汉
    [1300003, 2, yichang], // zip only
    [1349000, 1, beijing], // carrier 移动 → 电信
    [1700000, 3, beijing], // type 电信 → 电信虚拟
    [1380000, 1, yichang], // moved and carrier 移动 → 联通
  ]);
  const after = table('2502', [
    [1300000, 2, makeLocation('湖北', '宜昌', '443000', '0717')],
    [1300002, 2, wuhan],
    [1300003, 2, makeLocation('湖北', '宜昌', '443100', '0717')],
    [1349000, 4, beijing],
    [1700000, 4, beijing],
    [1380000, 2, wuhan],
    [1920000, 7, beijing], // added
    [1920001, 7, beijing], // added
  ]);
  const diff = diffSegments(before, after);

  it('counts each kind of change, a segment that changed twice under both', () => {
    expect(diff.before).toEqual({ version: '1810', size: 7 });
    expect(diff.after).toEqual({ version: '2502', size: 8 });
    expect(diff.counts).toEqual({ added: 2, removed: 1, moved: 2, details: 1, carrier: 2, type: 1 });
    expect(diff.unchanged).toBe(1);
    expect(diff.changed).toBe(5);
  });

  it('attributes changes to the later carrier and province, a removal to the earlier', () => {
    expect(diff.byCarrier['广电']).toMatchObject({ added: 2 });
    expect(diff.byCarrier['联通']).toMatchObject({ removed: 1, moved: 2, details: 1, carrier: 1 });
    expect(diff.byCarrier['电信']).toMatchObject({ carrier: 1, type: 1 });
    expect(diff.byProvince['北京']).toMatchObject({ added: 2, carrier: 1, type: 1 });
    expect(diff.byProvince['湖北']).toMatchObject({ removed: 1, moved: 2, details: 1, carrier: 1 });
    expect(diff.carrierChanges).toEqual([
      { from: '移动', to: '电信', count: 1 },
      { from: '移动', to: '联通', count: 1 },
    ]);
  });

  it('gives examples with the state before and after', () => {
    expect(diff.examples.added.map((change) => change.prefix)).toEqual([1920000, 1920001]);
    expect(diff.examples.added[0]).toEqual({
      prefix: 1920000,
      after: { type: '广电', carrier: '广电', area: '北京-北京', zip: '100000', areaCode: '010' },
    });
    expect(diff.examples.removed).toEqual([
      {
        prefix: 1300001,
        before: { type: '联通', carrier: '联通', area: '湖北-宜昌', zip: '443000', areaCode: '0717' },
      },
    ]);
    expect(diff.examples.moved.map((change) => [change.before!.area, change.after!.area])).toEqual([
      ['湖北-宜昌', '湖北-武汉'],
      ['湖北-宜昌', '湖北-武汉'],
    ]);
    expect(diff.examples.details[0].after!.zip).toBe('443100');
    expect(diff.examples.type[0]).toMatchObject({ before: { type: '电信' }, after: { type: '电信虚拟' } });
  });

  it('spreads a few examples over the whole range and finds no change between equal tables', () => {
    const many = table(
      'a',
      Array.from({ length: 1000 }, (_, i) => [1300000 + i * 500, 1 as SegmentType, yichang]),
    );
    const spread = diffSegments(table('empty', []), many, 3).examples.added.map((change) => change.prefix);
    expect(spread).toEqual([1300000, 1300000 + 500 * 500, 1300000 + 999 * 500]);
    const same = diffSegments(many, many);
    expect(same.changed + same.counts.added + same.counts.removed).toBe(0);
    expect(same.unchanged).toBe(1000);
  });
});
