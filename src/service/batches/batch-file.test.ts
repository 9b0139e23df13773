import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../service-error.js';
import {
  MAX_BATCH_FILE_NUMBERS,
  MAX_CELL_CHARS,
  MAX_CSV_LINE_BYTES,
  MAX_INVALID_SAMPLES,
  cellText,
  decodeText,
  readBatchFile,
} from './batch-file.js';

const LENGTH = '查询的手机号码长度不对';
const NOT_MOBILE = '请填写正确的手机号码';

async function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ServiceError);
  return error as ServiceError;
}

async function xlsx(sheets: Record<string, unknown[][]>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = workbook.addWorksheet(name);
    for (const row of rows) sheet.addRow(row);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('readBatchFile: .txt', () => {
  it('reads one number per line, normalised, skipping blank lines and a header', async () => {
    const text = [
      '手机号',
      '13800138000',
      '',
      '  +86 139 7256 5391 ',
      '\t',
      '１５０００００００００',
      '',
    ].join('\r\n');
    const summary = await readBatchFile('numbers.txt', Buffer.from(text));
    expect(summary).toEqual({
      entries: ['13800138000', '13972565391', '15000000000'],
      lines: 3,
      valid: 3,
      invalid: 0,
      duplicates: 0,
      invalidSamples: [],
    });
  });

  it('keeps invalid entries as written, with their line and reason, and drops duplicates', async () => {
    const text = [
      '13800138000',
      '1380013800',
      '138 0013 8000',
      '12345678901',
      '008613800138000',
      '1380013800',
      'call me',
    ].join('\n');
    const summary = await readBatchFile('a.TXT', Buffer.from(text));
    expect(summary.entries).toEqual(['13800138000', '1380013800', '12345678901', 'call me']);
    expect(summary).toMatchObject({ lines: 7, valid: 1, invalid: 3, duplicates: 3 });
    expect(summary.invalidSamples).toEqual([
      { line: 2, text: '1380013800', reason: LENGTH },
      { line: 4, text: '12345678901', reason: NOT_MOBILE },
      { line: 7, text: 'call me', reason: LENGTH },
    ]);
  });

  it('cuts long invalid text to 64 characters so that it stays invalid', async () => {
    const long = '13800138001' + ' '.repeat(60) + 'x';
    const summary = await readBatchFile('a.txt', Buffer.from(`13800138000\n${long}\n`));
    const cut = summary.entries[1];
    expect(cut).toHaveLength(64);
    expect(cut.endsWith('…')).toBe(true);
    expect(summary.invalidSamples[0]).toEqual({ line: 2, text: cut, reason: LENGTH });
  });

  it('reads only the start of an endless line: one invalid line, shown cut', async () => {
    const line = `${' '.repeat(100)}13972565391${'9'.repeat(MAX_CELL_CHARS)}`;
    const summary = await readBatchFile('long.txt', Buffer.from(`13800138000\n${line}\n`));
    expect(summary).toMatchObject({ lines: 2, valid: 1, invalid: 1 });
    expect(summary.invalidSamples[0].text).toHaveLength(64);
  });

  it('lists at most 20 invalid samples but counts every invalid line', async () => {
    const lines = ['13800138000', ...Array.from({ length: 30 }, (_, i) => `bad-${i}`)];
    const summary = await readBatchFile('a.txt', Buffer.from(lines.join('\n')));
    expect(summary.invalid).toBe(30);
    expect(summary.invalidSamples).toHaveLength(MAX_INVALID_SAMPLES);
    expect(summary.invalidSamples[19]).toEqual({ line: 21, text: 'bad-19', reason: LENGTH });
  });

  it('reads UTF-16 with a BOM and GBK', async () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('号码\r\n13800138000\r\n', 'utf16le'),
    ]);
    expect((await readBatchFile('u.txt', utf16)).entries).toEqual(['13800138000']);
    // 手机号 in GBK, then a number and 张三 (invalid) in GBK.
    const gbk = Buffer.concat([
      Buffer.from([0xca, 0xd6, 0xbb, 0xfa, 0xba, 0xc5, 0x0a]),
      Buffer.from('13972565391\n'),
      Buffer.from([0xd5, 0xc5, 0xc8, 0xfd, 0x0a]),
    ]);
    const summary = await readBatchFile('g.txt', gbk);
    expect(summary.entries).toEqual(['13972565391', '张三']);
  });

  it('refuses more than MAX_BATCH_FILE_NUMBERS different numbers', async () => {
    const lines: string[] = [];
    for (let i = 0; i <= MAX_BATCH_FILE_NUMBERS; i++) lines.push(String(13000000000 + i));
    const error = await refusal(readBatchFile('many.txt', Buffer.from(lines.join('\n'))));
    expect(error.code).toBe('too_many_numbers');
    // Exactly the limit is fine, and duplicates do not count against it.
    lines[MAX_BATCH_FILE_NUMBERS] = lines[0];
    const summary = await readBatchFile('many.txt', Buffer.from(lines.join('\n')));
    expect(summary.valid).toBe(MAX_BATCH_FILE_NUMBERS);
    expect(summary.duplicates).toBe(1);
  });
});

describe('readBatchFile: .csv', () => {
  it('takes the column named 手机号 after a UTF-8 BOM, with quoted fields', async () => {
    const csv =
      '\uFEFF姓名,手机号,备注\r\n"张三, 先生",13800138000,x\r\n李四,"139-7256-5391",\r\n王五,,y\r\n';
    const summary = await readBatchFile('list.csv', Buffer.from(csv));
    expect(summary.entries).toEqual(['13800138000', '13972565391']);
    expect(summary.lines).toBe(2);
  });

  it('finds the number column of a file without a header', async () => {
    const csv = ['1,张三,13800138000', '2,李四,13972565391', '3,王五,139'].join('\n');
    const summary = await readBatchFile('list.csv', Buffer.from(csv));
    expect(summary.entries).toEqual(['13800138000', '13972565391', '139']);
    expect(summary.invalidSamples).toEqual([{ line: 3, text: '139', reason: LENGTH }]);
  });

  it('skips a header that names no known column', async () => {
    const csv = ['name,contact', 'a,13800138000', 'b,13972565391'].join('\n');
    const summary = await readBatchFile('list.csv', Buffer.from(csv));
    expect(summary).toMatchObject({ entries: ['13800138000', '13972565391'], lines: 2 });
  });

  it('reads tab-separated GBK', async () => {
    // 联系人\t电话号码 / 张三\t13800138000 in GBK.
    const gbk = Buffer.concat([
      Buffer.from([
        0xc1, 0xaa, 0xcf, 0xb5, 0xc8, 0xcb, 0x09, 0xb5, 0xe7, 0xbb, 0xb0, 0xba, 0xc5, 0xc2, 0xeb, 0x0a,
      ]),
      Buffer.from([0xd5, 0xc5, 0xc8, 0xfd, 0x09]),
      Buffer.from('13800138000\n'),
    ]);
    expect(decodeText(gbk).split('\n')[0]).toBe('联系人\t电话号码');
    const summary = await readBatchFile('gbk.csv', gbk);
    expect(summary.entries).toEqual(['13800138000']);
  });

  it('refuses a CSV that is a workbook, or broken', async () => {
    const workbook = await xlsx({ S: [['13800138000']] });
    expect((await refusal(readBatchFile('x.csv', workbook))).message).toMatch(/xlsx/);
    const broken = await refusal(readBatchFile('b.csv', Buffer.from('13800138000\n"unclosed,13972565391\n')));
    expect(broken.code).toBe('invalid_file');
  });

  it('refuses a line longer than MAX_CSV_LINE_BYTES at once, not after reading it all', async () => {
    const started = Date.now();
    const endless = await refusal(readBatchFile('one-line.csv', Buffer.alloc(20 * 1024 * 1024, '1')));
    expect(endless.code).toBe('invalid_file');
    expect(endless.message).toMatch(/cannot be read/);
    // It took 8 s and more before (csv-parse grew one field as long as the line).
    expect(Date.now() - started).toBeLessThan(3000);
    const wide = `13972565391,${'x'.repeat(MAX_CSV_LINE_BYTES / 2)}\n`;
    expect((await readBatchFile('wide.csv', Buffer.from(wide))).entries).toEqual(['13972565391']);
  });
});

describe('readBatchFile: .xlsx', () => {
  it('reads the named column of the first sheet, numbers and text alike', async () => {
    const workbook = await xlsx({
      客户: [
        ['姓名', '手机号码'],
        ['张三', 13800138000],
        ['李四', '13972565391'],
        [],
        ['王五', { richText: [{ text: '1500' }, { text: '0000000' }] }],
        ['赵六', { formula: '18600000000', result: 18600000000 }],
        ['钱七', 13800138000],
        ['孙八', 'n/a'],
      ],
      Other: [['手机号'], ['18900000000']],
    });
    const summary = await readBatchFile('客户.xlsx', workbook);
    expect(summary.entries).toEqual(['13800138000', '13972565391', '15000000000', '18600000000', 'n/a']);
    expect(summary).toMatchObject({ lines: 6, valid: 4, invalid: 1, duplicates: 1 });
    expect(summary.invalidSamples).toEqual([{ line: 8, text: 'n/a', reason: LENGTH }]);
  });

  it('finds the number column of a sheet without a header', async () => {
    const workbook = await xlsx({
      S: [
        [1, 'a', '13800138000'],
        [2, 'b', '+8613972565391'],
      ],
    });
    expect((await readBatchFile('s.xlsx', workbook)).entries).toEqual(['13800138000', '13972565391']);
  });

  it('refuses .xls and files that are not workbooks', async () => {
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    expect((await refusal(readBatchFile('old.xlsx', xls))).message).toMatch(/\.xls/);
    expect((await refusal(readBatchFile('old.xls', xls))).code).toBe('invalid_file');
    expect((await refusal(readBatchFile('t.xlsx', Buffer.from('13800138000')))).code).toBe('invalid_file');
    const torn = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100, 7)]);
    expect((await refusal(readBatchFile('torn.xlsx', torn))).code).toBe('invalid_file');
  });

  it('shows cells as text', () => {
    expect(cellText(13800138000)).toBe('13800138000');
    expect(cellText({ text: '13800138000', hyperlink: 'tel:13800138000' })).toBe('13800138000');
    expect(cellText({ error: '#N/A' })).toBe('');
    expect(cellText(null)).toBe('');
  });
});

describe('readBatchFile: refusals', () => {
  it('refuses a wrong type, an empty file and a file without a valid number', async () => {
    const wrongType = await refusal(readBatchFile('numbers.pdf', Buffer.from('13800138000')));
    expect(wrongType.code).toBe('invalid_file');
    expect(wrongType.message).toMatch(/\.txt, \.csv or \.xlsx/);
    expect((await refusal(readBatchFile('numbers', Buffer.from('13800138000')))).code).toBe('invalid_file');
    const empty = await refusal(readBatchFile('e.txt', Buffer.alloc(0)));
    expect(empty.message).toMatch(/empty/);
    const blank = await refusal(readBatchFile('b.txt', Buffer.from('手机号\n\n  \n')));
    expect(blank.message).toMatch(/no numbers/);
    const invalid = await refusal(readBatchFile('i.txt', Buffer.from('123\n456\n')));
    expect(invalid.message).toMatch(/none of the file's 2 lines/);
    const binary = await refusal(readBatchFile('bin.txt', Buffer.from([0x31, 0x00, 0x32, 0xff, 0x00])));
    expect(binary.code).toBe('invalid_file');
  });
});
