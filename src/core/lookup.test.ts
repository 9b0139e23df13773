import { describe, expect, it } from 'vitest';
import { type SegmentType } from './carrier.js';
import { lookupMobile, lookupMobiles } from './lookup.js';
import { PortedIndexBuilder, dayFromIsoDate } from './ported-index.js';
import { seedBody } from './seed-body.js';
import { SegmentTableBuilder, makeLocation } from './segment-table.js';

const yichang = makeLocation('湖北', '宜昌', '443000', '0717');
const builder = new SegmentTableBuilder();
// One prefix per segment type, 1300000 + type.
for (let type = 0; type <= 8; type++) builder.set(1300000 + type, type as SegmentType, yichang);
builder.set(1397256, 1, yichang);
const sources = { segments: builder.build('2502', 'test') };

describe('lookupMobile', () => {
  it.each([
    [1, '0', '移动', '移动'],
    [2, '0', '联通', '联通'],
    [3, '0', '电信', '电信'],
    [7, '0', '广电', '广电'],
    [4, '3', '电信', '电信虚拟'],
    [5, '3', '联通', '联通虚拟'],
    [6, '3', '移动', '移动虚拟'],
    [8, '4', '广电', '广电虚拟'],
    [0, '4', '未知', '未知'],
  ])('answers segment type %i with res %s on %s', (type, res, isp, label) => {
    const mobile = `${1300000 + type}1234`;
    const outcome = lookupMobile(mobile, sources);
    expect(outcome).toEqual({
      code: 0,
      answer: {
        seed: { res, Mobile: mobile, Area: '湖北-宜昌', Init_isp: isp, Now_isp: isp },
        ext: {
          province: '湖北',
          city: '宜昌',
          zip: '443000',
          areaCode: '0717',
          type: label,
          virtual: [4, 5, 6, 8].includes(type),
          portedAt: null,
          dataVersion: { segments: '2502', ported: null },
        },
      },
    });
  });

  it('passes number errors through and answers -4 for a segment without data', () => {
    expect(lookupMobile(undefined, sources)).toEqual({ code: 1 });
    expect(lookupMobile('139725653', sources)).toEqual({ code: -2 });
    expect(lookupMobile('12972565391', sources)).toEqual({ code: -3 });
    expect(lookupMobile('13972575391', sources)).toEqual({ code: -4 });
  });

  it('normalises the number it answers with', () => {
    const outcome = lookupMobile('+86 139-7256-5391', sources);
    expect(outcome.code === 0 && outcome.answer.seed.Mobile).toBe('13972565391');
  });
});

describe('seedBody', () => {
  it('has the seed shape with its key order', () => {
    const body = seedBody(lookupMobile('13972565391', sources));
    expect(JSON.stringify(body)).toBe(
      '{"code":0,"reason":"Succ","result":{"res":"0","Mobile":"13972565391","Area":"湖北-宜昌","Init_isp":"移动","Now_isp":"移动"}}',
    );
  });

  it('adds extended fields after the seed ones', () => {
    const body = seedBody(lookupMobile('13972565391', sources), true);
    expect(Object.keys(body.result!)).toEqual([
      'res',
      'Mobile',
      'Area',
      'Init_isp',
      'Now_isp',
      'province',
      'city',
      'zip',
      'areaCode',
      'type',
      'virtual',
      'portedAt',
      'dataVersion',
    ]);
  });

  it('answers errors with code and reason only', () => {
    expect(seedBody(lookupMobile('', sources))).toEqual({ code: 1, reason: '请求参数缺失' });
    expect(seedBody(lookupMobile('123', sources))).toEqual({ code: -2, reason: '查询的手机号码长度不对' });
    expect(seedBody(lookupMobile('12345678901', sources))).toEqual({
      code: -3,
      reason: '请填写正确的手机号码',
    });
    expect(seedBody(lookupMobile('13972575391', sources))).toEqual({ code: -4, reason: '未查询到相关信息' });
  });
});

describe('lookupMobile with the portability database', () => {
  const builder = new PortedIndexBuilder();
  const day = dayFromIsoDate('2023-05-06')!;
  builder.add(1397256, 5391, 2, day); // 移动 → 电信
  builder.add(1397256, 5392, 0, day); // back on 移动, still listed
  builder.add(1300006, 1234, 1, day); // a 移动虚拟 number cannot port
  builder.add(1300000, 1234, 2, 0); // unknown segment type, date unknown
  const ported = { index: builder.build().index, version: 'v7' };
  const withPorted = { ...sources, ported };
  const answer = (mobile: string) => {
    const outcome = lookupMobile(mobile, withPorted);
    if (outcome.code !== 0) throw new Error(`code ${outcome.code}`);
    return outcome.answer;
  };

  it('answers res 1 with the new carrier and the port date', () => {
    const { seed, ext } = answer('13972565391');
    expect(seed).toEqual({
      res: '1',
      Mobile: '13972565391',
      Area: '湖北-宜昌',
      Init_isp: '移动',
      Now_isp: '电信',
    });
    expect(ext.portedAt).toBe('2023-05-06');
    expect(ext.dataVersion).toEqual({ segments: '2502', ported: 'v7' });
  });

  it('answers res 0 for a number listed on its original carrier and for unlisted numbers', () => {
    expect(answer('13972565392').seed).toMatchObject({ res: '0', Init_isp: '移动', Now_isp: '移动' });
    expect(answer('13972565393').seed).toMatchObject({ res: '0', Now_isp: '移动' });
    expect(answer('13972565393').ext.portedAt).toBeNull();
  });

  it('keeps virtual-operator numbers on their host network', () => {
    expect(answer('13000061234').seed).toMatchObject({ res: '3', Init_isp: '移动', Now_isp: '移动' });
  });

  it('gives the current carrier of a number on an unknown segment type, res staying 4', () => {
    const { seed, ext } = answer('13000001234');
    expect(seed).toMatchObject({ res: '4', Init_isp: '未知', Now_isp: '电信' });
    expect(ext.portedAt).toBeNull();
  });
});

describe('lookupMobiles', () => {
  const builder = new PortedIndexBuilder();
  const day = dayFromIsoDate('2024-01-02')!;
  // Every other number of 1397256xxxx ported, alternating 联通 and 电信; one virtual number listed.
  for (let suffix = 0; suffix < 10_000; suffix += 2)
    builder.add(1397256, suffix, suffix % 4 === 0 ? 1 : 2, day);
  builder.add(1300006, 1234, 1, day);
  const withPorted = { ...sources, ported: { index: builder.build().index, version: 'v9' } };
  const inputs: unknown[] = [
    '13972565391',
    '13972565390',
    '13972560000',
    '13000061234',
    '+86 139-7256-5392',
    '',
    '1397256539',
    '23972565391',
    '19999999999',
    undefined,
    42,
    ...Array.from({ length: 300 }, (_, i) => `1397256${String((i * 37) % 10_000).padStart(4, '0')}`),
  ];

  it('answers each number as lookupMobile does, in order, with and without the portability index', () => {
    for (const data of [sources, withPorted]) {
      const many = lookupMobiles(inputs, data);
      expect(many).toHaveLength(inputs.length);
      expect(many).toEqual(inputs.map((input) => lookupMobile(input, data)));
    }
    const ported = lookupMobiles(inputs, withPorted).filter(
      (outcome) => outcome.code === 0 && outcome.answer.seed.res === '1',
    );
    expect(ported.length).toBeGreaterThan(100);
  });

  it('answers an empty list with an empty list', () => {
    expect(lookupMobiles([], withPorted)).toEqual([]);
  });
});
