import { describe, expect, it } from 'vitest';
import { SegmentTableBuilder, makeLocation } from './segment-table.js';
import {
  type SegmentCorrection,
  applyCorrections,
  correctionAgrees,
  correctionProblem,
} from './segment-overrides.js';

function table() {
  const builder = new SegmentTableBuilder();
  builder.set(1397256, 1, makeLocation('湖北', '宜昌', '443000', '0717'));
  builder.set(1397257, 1, makeLocation('湖北', '宜昌', '443000', '0717'));
  return builder.build('2502', 'test');
}

const none = { province: null, city: null, zip: null, areaCode: null, type: null };
const correction = (fields: Partial<SegmentCorrection>): SegmentCorrection => ({
  firstPrefix: 1397256,
  lastPrefix: 1397256,
  ...none,
  ...fields,
});

describe('segment corrections', () => {
  it('replace the fields they give and keep the rest, later ones winning', () => {
    const fixed = applyCorrections(table(), [
      correction({ lastPrefix: 1397258, city: '武汉' }),
      correction({ firstPrefix: 1397257, lastPrefix: 1397257, zip: '430000' }),
    ]);
    const at = (prefix: number) => fixed.locationOf(fixed.cellAt(prefix));
    expect(at(1397256)).toEqual(makeLocation('湖北', '武汉', '443000', '0717'));
    expect(at(1397257)).toEqual(makeLocation('湖北', '武汉', '430000', '0717'));
    // The data lacked it: the correction's fields, the plan's type (139 is 移动).
    expect(at(1397258)).toEqual(makeLocation('', '武汉', '', ''));
    expect(fixed.cellAt(1397258) & 0xf).toBe(1);
    expect(fixed.size).toBe(3);
    expect(fixed.source).toBe('test + 2 corrections');
    expect(applyCorrections(table(), [])).toBeDefined();
  });

  it('know when the data says the same', () => {
    expect(correctionAgrees(table(), correction({ city: '宜昌', type: 1 }))).toBe(true);
    expect(correctionAgrees(table(), correction({ city: '武汉' }))).toBe(false);
    expect(correctionAgrees(table(), correction({ lastPrefix: 1397258, city: '宜昌' }))).toBe(false);
  });

  it('refuse what cannot be applied', () => {
    expect(correctionProblem(correction({ city: 'x' }))).toBeUndefined();
    expect(correctionProblem(correction({}))).toMatch(/at least one field/);
    expect(correctionProblem(correction({ firstPrefix: 1200000, city: 'x' }))).toMatch(/7 digits/);
    expect(correctionProblem(correction({ lastPrefix: 1397000, city: 'x' }))).toMatch(/after/);
    expect(correctionProblem(correction({ lastPrefix: 1499999, city: 'x' }))).toMatch(/at most/);
    expect(correctionProblem(correction({ type: 9 }))).toMatch(/0..8/);
  });
});
