import { describe, expect, it } from 'vitest';
import { type SegmentType } from './carrier.js';
import { type LookupSources, lookupMobile, lookupMobiles } from './lookup.js';
import { PortedIndexBuilder, dayFromIsoDate } from './ported-index.js';
import { seedBody } from './seed-body.js';
import { SegmentTableBuilder, makeLocation } from './segment-table.js';

const yichang = makeLocation('湖北', '宜昌', '443000', '0717');
const builder = new SegmentTableBuilder();
// One prefix per segment type, 1540000 + type: no one holds 154, so the numbering plan leaves the
// file's types as they are.
const FILE_TYPES_AT = 1540000;
for (let type = 0; type <= 8; type++) builder.set(FILE_TYPES_AT + type, type as SegmentType, yichang);
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
    const mobile = `${FILE_TYPES_AT + type}1234`;
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
          areaKnown: true,
          source: 'segment',
          checkedAt: null,
        },
      },
    });
  });

  it('passes number errors through and answers -4 for a segment of an unallocated block without data', () => {
    expect(lookupMobile(undefined, sources)).toEqual({ code: 1 });
    expect(lookupMobile('139725653', sources)).toEqual({ code: -2 });
    expect(lookupMobile('12972565391', sources)).toEqual({ code: -3 });
    expect(lookupMobile('15400095391', sources)).toEqual({ code: -4 });
    expect(lookupMobile('14200001234', sources)).toEqual({ code: -4 });
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
      'areaKnown',
      'source',
      'checkedAt',
    ]);
  });

  it('answers errors with code and reason only', () => {
    expect(seedBody(lookupMobile('', sources))).toEqual({ code: 1, reason: '请求参数缺失' });
    expect(seedBody(lookupMobile('123', sources))).toEqual({ code: -2, reason: '查询的手机号码长度不对' });
    expect(seedBody(lookupMobile('12345678901', sources))).toEqual({
      code: -3,
      reason: '请填写正确的手机号码',
    });
    expect(seedBody(lookupMobile('15400095391', sources))).toEqual({ code: -4, reason: '未查询到相关信息' });
  });
});

describe('lookupMobile with the portability database', () => {
  const builder = new PortedIndexBuilder();
  const day = dayFromIsoDate('2023-05-06')!;
  builder.add(1397256, 5391, 2, day); // 移动 → 电信
  builder.add(1397256, 5392, 0, day); // back on 移动, still listed
  builder.add(1540006, 1234, 1, day); // a 移动虚拟 number cannot port
  builder.add(1540000, 1234, 2, 0); // unknown segment type, date unknown
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
    expect(ext.source).toBe('feed');
    expect(ext.dataVersion).toEqual({ segments: '2502', ported: 'v7' });
  });

  it('answers res 0 for a number listed on its original carrier and for unlisted numbers', () => {
    expect(answer('13972565392').seed).toMatchObject({ res: '0', Init_isp: '移动', Now_isp: '移动' });
    expect(answer('13972565393').seed).toMatchObject({ res: '0', Now_isp: '移动' });
    expect(answer('13972565393').ext.portedAt).toBeNull();
  });

  it('keeps virtual-operator numbers on their host network', () => {
    expect(answer('15400061234').seed).toMatchObject({ res: '3', Init_isp: '移动', Now_isp: '移动' });
  });

  it('gives the current carrier of a number on an unknown segment type, res staying 4', () => {
    const { seed, ext } = answer('15400001234');
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
  builder.add(1540006, 1234, 1, day);
  builder.add(1310000, 1234, 0, day); // a number of a segment the data lacks
  const withPorted = { ...sources, ported: { index: builder.build().index, version: 'v9' } };
  const inputs: unknown[] = [
    '13972565391',
    '13972565390',
    '13972560000',
    '15400061234',
    '13100001234',
    '13100001235',
    '15400091234',
    '17030001234',
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
    for (const data of [sources, withPorted, { ...withPorted, planFallback: false }]) {
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

describe('lookupMobile with the numbering plan', () => {
  const plain = makeLocation('北京', '北京', '100000', '010');
  const fileBuilder = new SegmentTableBuilder();
  // As real files type them: 1703 (移动's resale block) as 电信虚拟, 1700 (电信's) as plain 电信,
  // 1349 (satellite) as 电信虚拟, one 138 segment as unknown, one 130 (联通's) segment as 移动.
  fileBuilder.set(1703000, 4, plain);
  fileBuilder.set(1700000, 3, plain);
  fileBuilder.set(1349000, 4, plain);
  fileBuilder.set(1380000, 0, plain);
  fileBuilder.set(1300000, 1, plain);
  const file = { segments: fileBuilder.build('2502', 'test') };
  const answer = (mobile: string, data: LookupSources = file) => {
    const outcome = lookupMobile(mobile, data);
    if (outcome.code !== 0) throw new Error(`code ${outcome.code}`);
    return outcome.answer;
  };

  it('answers a number of an allocated block without data with its carrier and an empty Area', () => {
    expect(lookupMobile('13100001234', file)).toEqual({
      code: 0,
      answer: {
        seed: { res: '0', Mobile: '13100001234', Area: '', Init_isp: '联通', Now_isp: '联通' },
        ext: {
          province: '',
          city: '',
          zip: '',
          areaCode: '',
          type: '联通',
          virtual: false,
          portedAt: null,
          dataVersion: { segments: '2502', ported: null },
          areaKnown: false,
          source: 'segment',
          checkedAt: null,
        },
      },
    });
    expect(JSON.stringify(seedBody(lookupMobile('19831706690', file)))).toBe(
      '{"code":0,"reason":"Succ","result":{"res":"0","Mobile":"19831706690","Area":"","Init_isp":"移动","Now_isp":"移动"}}',
    );
  });

  it.each([
    ['19212345678', '0', '广电', '广电'],
    ['16212345678', '3', '电信', '电信虚拟'],
    ['16512345678', '3', '移动', '移动虚拟'],
    ['16712345678', '3', '联通', '联通虚拟'],
    ['17112345678', '3', '联通', '联通虚拟'],
    ['17051234567', '3', '移动', '移动虚拟'],
    ['17400123456', '0', '电信', '电信'],
    ['17406123456', '4', '未知', '未知'],
  ])('answers %s from the plan: res %s on %s (%s)', (mobile, res, isp, type) => {
    const { seed, ext } = answer(mobile);
    expect(seed).toEqual({ res, Mobile: mobile, Area: '', Init_isp: isp, Now_isp: isp });
    expect(ext).toMatchObject({ type, areaKnown: false });
  });

  it('answers -4 for an unallocated block, and for every missing segment with planFallback false', () => {
    for (const mobile of ['15412345678', '14012345678', '17991234567', '17413123456'])
      expect(lookupMobile(mobile, file)).toEqual({ code: -4 });
    const strict = { ...file, planFallback: false };
    expect(lookupMobile('13100001234', strict)).toEqual({ code: -4 });
    expect(lookupMobiles(['13100001234', '17030001234'], strict).map((outcome) => outcome.code)).toEqual([
      -4, 0,
    ]);
  });

  it('applies the portability index to a number answered from the plan', () => {
    const ported = new PortedIndexBuilder();
    ported.add(1310000, 1234, 2, dayFromIsoDate('2022-02-03')!);
    const data = { ...file, ported: { index: ported.build().index, version: 'v1' } };
    const { seed, ext } = answer('13100001234', data);
    expect(seed).toEqual({ res: '1', Mobile: '13100001234', Area: '', Init_isp: '联通', Now_isp: '电信' });
    expect(ext).toMatchObject({ portedAt: '2022-02-03', areaKnown: false });
  });

  it('takes a resale block’s host and virtual type from the plan whatever the file says', () => {
    expect(answer('17030001234').seed).toMatchObject({ res: '3', Init_isp: '移动', Now_isp: '移动' });
    expect(answer('17030001234').ext).toMatchObject({ type: '移动虚拟', virtual: true, areaKnown: true });
    expect(answer('17000001234').seed).toMatchObject({ res: '3', Init_isp: '电信', Area: '北京-北京' });
    expect(answer('17000001234').ext).toMatchObject({ type: '电信虚拟', virtual: true });
  });

  it('reads a virtual or unknown file type in a carrier’s own block as that carrier’s', () => {
    expect(answer('13490001234').seed).toMatchObject({ res: '0', Init_isp: '电信' });
    expect(answer('13490001234').ext).toMatchObject({ type: '电信', virtual: false });
    expect(answer('13800001234').seed).toMatchObject({ res: '0', Init_isp: '移动' });
  });

  it('keeps the file’s plain carrier where it contradicts the plan’s', () => {
    expect(answer('13000001234').seed).toMatchObject({ res: '0', Init_isp: '移动' });
  });
});
