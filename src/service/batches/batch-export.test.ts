import { buffer } from 'node:stream/consumers';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { RESULT_COLUMNS, type ResultRow, chunkRows, resultsCsv, resultsXlsx } from './batch-export.js';
import { type BatchAnswer, encodeChunkOutput } from './chunk-output.js';

const YICHANG = (mobile: string): BatchAnswer => [
  mobile,
  0,
  '1',
  '湖北-宜昌',
  '移动',
  '电信',
  '湖北',
  '宜昌',
  '443000',
  '0717',
  '移动',
  '2024-03-01',
];

/** The answer columns of a row that has no answer. */
const empty = Array.from({ length: RESULT_COLUMNS.length - 3 }, () => '');

async function* pagesOf(...pages: ResultRow[][]): AsyncGenerator<ResultRow[]> {
  yield* pages;
}

describe('batch results', () => {
  it('turns code-0 answers past the count charged into -5 rows without carrier data', () => {
    const output = encodeChunkOutput([
      YICHANG('13972560000'),
      ['123', -2],
      YICHANG('13972560001'),
      YICHANG('13972560002'),
    ]);
    const rows = chunkRows({ chunkNo: 0, output, charged: 1 });
    expect(rows).toEqual([
      [
        '13972560000',
        0,
        'Succ',
        '1',
        '湖北-宜昌',
        '移动',
        '电信',
        '湖北',
        '宜昌',
        '443000',
        '0717',
        '移动',
        '2024-03-01',
      ],
      ['123', -2, '查询的手机号码长度不对', ...empty],
      ['13972560001', -5, '当前余额不足', ...empty],
      ['13972560002', -5, '当前余额不足', ...empty],
    ]);
    expect(chunkRows({ chunkNo: 0, output, charged: 3 }).map((row) => row[1])).toEqual([0, -2, 0, 0]);
  });

  it('reads chunks stored by the format before zip and area code were kept, with those empty', () => {
    const v1 = JSON.stringify({
      v: 1,
      answers: [
        ['13972560000', 0, '1', '湖北-宜昌', '移动', '电信', '湖北', '宜昌', '移动', '2024-03-01'],
        ['1', -2],
      ],
    });
    expect(chunkRows({ chunkNo: 0, output: v1, charged: 1 })).toEqual([
      [
        '13972560000',
        0,
        'Succ',
        '1',
        '湖北-宜昌',
        '移动',
        '电信',
        '湖北',
        '宜昌',
        '',
        '',
        '移动',
        '2024-03-01',
      ],
      ['1', -2, '查询的手机号码长度不对', ...empty],
    ]);
  });

  it('writes CSV with a BOM and XLSX that reads back the same, page after page', async () => {
    const first = chunkRows({ chunkNo: 0, output: encodeChunkOutput([YICHANG('13972560000')]), charged: 1 });
    const second: ResultRow[] = [['a,"b"', -2, '查询的手机号码长度不对', ...empty]];
    const csv = await buffer(resultsCsv(pagesOf(first, second)));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const parsed = parse(csv.toString('utf8').slice(1)) as string[][];
    const expected = [[...RESULT_COLUMNS], ...[...first, ...second].map((row) => row.map(String))];
    expect(parsed).toEqual(expected);

    const xlsx = await buffer(resultsXlsx(pagesOf(first, second)));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx as unknown as ArrayBuffer);
    const rows: string[][] = [];
    workbook.worksheets[0].eachRow((row) =>
      rows.push(
        Array.from(RESULT_COLUMNS, (_, i) => (row.values as unknown[])[i + 1] ?? '').map((cell) =>
          String(cell),
        ),
      ),
    );
    expect(rows).toEqual(expected);
  });

  it('ends the XLSX stream with an error when the results cannot be read', async () => {
    async function* broken(): AsyncGenerator<ResultRow[]> {
      yield [];
      throw new Error('store gone');
    }
    await expect(buffer(resultsXlsx(broken()))).rejects.toThrow('store gone');
  });
});
