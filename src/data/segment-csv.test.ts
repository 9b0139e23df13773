import { describe, expect, it } from 'vitest';
import { cellType } from '../core/segment-table.js';
import { DataFileError } from './data-file-error.js';
import { encodeSegmentCsv, parseSegmentCsv } from './segment-csv.js';

const csv = (text: string) => Buffer.from(text, 'utf8');

describe('parseSegmentCsv', () => {
  it('reads rows with a header and a version comment', () => {
    const { table, report } = parseSegmentCsv(
      csv(
        '# mnpd segments version 2502\nprefix,province,city,zip,area_code,isp\n' +
          '1397256,湖北,宜昌,443000,0717,移动\n1700000,北京,北京,100000,010,电信虚拟\n',
      ),
    );
    expect(table.version).toBe('2502');
    expect(table.size).toBe(2);
    expect(table.locationOf(table.cellAt(1397256)).area).toBe('湖北-宜昌');
    expect(cellType(table.cellAt(1700000))).toBe(4);
    expect(report.total).toBe(0);
  });

  it('reads rows without a header, with digits, aliases, quotes and CRLF', () => {
    const { table } = parseSegmentCsv(
      csv(
        '1300000,北京,北京,100000,010,2\r\n"1300001","湖北省","宜昌市","443000","0717",cmcc\r\n1300002,上海,上海,200000,021,中国电信\r\n',
      ),
    );
    expect(table.version).toBe('csv');
    expect(cellType(table.cellAt(1300000))).toBe(2);
    expect(cellType(table.cellAt(1300001))).toBe(1);
    expect(table.locationOf(table.cellAt(1300001)).area).toBe('湖北-宜昌');
    expect(cellType(table.cellAt(1300002))).toBe(3);
  });

  it('reports odd rows and keeps the rest', () => {
    const { table, report } = parseSegmentCsv(
      csv(
        [
          'prefix,province,city,zip,area_code,isp',
          '1300000,北京,北京,100000,010,联通',
          '9999999,作者,x,y,z,移动',
          '130000,北京,北京,100000,010,联通',
          '1300001,北京,北京,100000,010',
          '1300002,北京,北京,100000,010,卫星',
          '1300003,山东,,250000,0531,移动',
          '1300000,天津,天津,300000,022,联通',
        ].join('\n'),
      ),
    );
    expect(table.size).toBe(3);
    expect(table.locationOf(table.cellAt(1300000)).area).toBe('天津-天津');
    expect(cellType(table.cellAt(1300002))).toBe(0);
    expect(new Map(report.countsByProblem)).toEqual(
      new Map([
        ['bad prefix', 2],
        ['wrong column count', 1],
        ['unknown isp', 1],
        ['empty city', 1],
        ['repeated prefix', 1],
      ]),
    );
  });

  it.each([
    ['bad UTF-8', Buffer.from([0x31, 0x33, 0xff, 0xfe]), /not valid UTF-8/],
    ['NUL bytes', csv('1300000,北京\0,北京,100000,010,联通\n'), /NUL bytes/],
    ['no rows', csv('prefix,province,city,zip,area_code,isp\n'), /no segment rows/],
    ['only garbage', csv('hello world\nfoo,bar\n'), /no segment rows/],
    ['an unclosed quote', csv('1300000,"北京,北京,100000,010,联通\n'), /not a readable CSV/],
  ])('rejects %s', (_name, bytes, message) => {
    expect(() => parseSegmentCsv(bytes, 'in.csv')).toThrow(DataFileError);
    expect(() => parseSegmentCsv(bytes, 'in.csv')).toThrow(message);
  });

  it('round-trips through its writer', () => {
    const { table } = parseSegmentCsv(
      csv('1300000,北京,北京,100000,010,广电虚拟\n1999999,"a,b",c,100000,010,移动\n'),
    );
    const again = parseSegmentCsv(csv(encodeSegmentCsv(table))).table;
    expect([...again.rows()]).toEqual([...table.rows()]);
  });
});
