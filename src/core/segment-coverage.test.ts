import { describe, expect, it } from 'vitest';
import { segmentCoverage } from './segment-coverage.js';
import { SegmentTableBuilder, makeLocation } from './segment-table.js';

const somewhere = makeLocation('湖北', '宜昌', '443000', '0717');

describe('segmentCoverage', () => {
  const builder = new SegmentTableBuilder();
  for (let prefix = 1390000; prefix < 1392500; prefix++) builder.set(prefix, 1, somewhere);
  builder.set(1349000, 3, somewhere);
  builder.set(1540001, 3, somewhere); // 154 is allocated to no one
  builder.set(1441000, 1, somewhere); // 1441 is; the rest of 144 is not
  builder.set(1442000, 1, somewhere);
  const coverage = segmentCoverage(builder.build('v', 'test'));
  const block = (name: string) => coverage.blocks.find((entry) => entry.block === name)!;

  it('lists every 3-digit block from 130 to 199 once, in order', () => {
    expect(coverage.blocks.map((entry) => entry.block)).toEqual(
      Array.from({ length: 70 }, (_, i) => String(130 + i)),
    );
  });

  it('counts present, allocated and missing segments per block', () => {
    expect(block('139')).toEqual({
      block: '139',
      carriers: '移动',
      allocated: 10_000,
      present: 2500,
      missing: 7500,
      outsidePlan: 0,
    });
    expect(block('134')).toMatchObject({
      carriers: '移动, 电信',
      allocated: 10_000,
      present: 1,
      missing: 9999,
    });
    expect(block('154')).toEqual({
      block: '154',
      carriers: '',
      allocated: 0,
      present: 1,
      missing: 0,
      outsidePlan: 1,
    });
    expect(block('144')).toMatchObject({
      carriers: '移动',
      allocated: 2000,
      present: 2,
      missing: 1999,
      outsidePlan: 1,
    });
    expect(block('170')).toMatchObject({ carriers: '电信, 移动, 联通', allocated: 10_000, present: 0 });
    expect(block('174')).toMatchObject({ carriers: '电信, 未知', allocated: 1300 + 1000 });
  });

  it('sums the blocks', () => {
    const { totals } = coverage;
    expect(totals.present).toBe(2504);
    expect(totals.outsidePlan).toBe(2);
    expect(totals.allocated).toBe(coverage.blocks.reduce((sum, entry) => sum + entry.allocated, 0));
    expect(totals.missing).toBe(totals.allocated - (totals.present - totals.outsidePlan));
  });
});
