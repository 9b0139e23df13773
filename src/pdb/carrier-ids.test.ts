import { describe, expect, it } from 'vitest';
import type { SegmentType } from '../core/carrier.js';
import { lookupMobile } from '../core/lookup.js';
import { PortedIndexBuilder, dayFromIsoDate } from '../core/ported-index.js';
import { SegmentTableBuilder, makeLocation } from '../core/segment-table.js';
import { PdbCarrierId, nationalMobileOf, pdbCarrierIdOf } from './carrier-ids.js';

const place = makeLocation('湖北', '宜昌', '443000', '0717');
const segments = new SegmentTableBuilder();
// Prefix 1540000 + segment type, one per type; 154 is not allocated, so the file's types stand.
for (let type = 0; type <= 8; type++) segments.set(1540000 + type, type as SegmentType, place);
const ported = new PortedIndexBuilder();
ported.add(1540001, 1234, 2, dayFromIsoDate('2023-05-06')!); // 移动 → 电信
const sources = {
  segments: segments.build('test', 'test'),
  ported: { index: ported.build().index, version: 'v1' },
};
const idOf = (mobile: string) => pdbCarrierIdOf(lookupMobile(mobile, sources));

describe('pdbCarrierIdOf', () => {
  it.each([
    [1, PdbCarrierId.Mobile],
    [2, PdbCarrierId.Unicom],
    [3, PdbCarrierId.Telecom],
    [7, PdbCarrierId.Broadnet],
    [6, PdbCarrierId.MobileVirtual],
    [5, PdbCarrierId.UnicomVirtual],
    [4, PdbCarrierId.TelecomVirtual],
    [8, PdbCarrierId.BroadnetVirtual],
    [0, PdbCarrierId.Unknown],
  ])('answers segment type %i with id %i', (type, id) => {
    expect(idOf(`${1540000 + type}0000`)).toBe(id);
  });

  it('answers the network a ported number is on now', () => {
    expect(idOf('15400011234')).toBe(PdbCarrierId.Telecom);
    expect(idOf('15400011235')).toBe(PdbCarrierId.Mobile);
  });

  it('answers not found for a segment without data or a number that is not mobile', () => {
    expect(idOf('15499990000')).toBe(PdbCarrierId.NotFound);
    expect(idOf('12000000000')).toBe(PdbCarrierId.NotFound);
    expect(idOf('1300001')).toBe(PdbCarrierId.NotFound);
  });

  it('keeps the host network in the last digit of a virtual id', () => {
    expect(PdbCarrierId.MobileVirtual % 10).toBe(PdbCarrierId.Mobile);
    expect(PdbCarrierId.BroadnetVirtual % 10).toBe(PdbCarrierId.Broadnet);
  });
});

describe('nationalMobileOf', () => {
  it('takes the 11 digits after 86, and nothing else', () => {
    expect(nationalMobileOf('8613972565391')).toBe('13972565391');
    expect(nationalMobileOf('13972565391')).toBeUndefined();
    expect(nationalMobileOf('861397256539')).toBeUndefined();
    expect(nationalMobileOf('4913972565391')).toBeUndefined();
    expect(nationalMobileOf('008613972565391')).toBeUndefined();
  });
});
