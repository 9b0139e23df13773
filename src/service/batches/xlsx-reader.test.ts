import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../service-error.js';
import { MAX_XLSX_SHARED_STRINGS_BYTES } from './xlsx-archive.js';
import { readXlsxBatchFile } from './xlsx-reader.js';

/** A real workbook of numbers, as Excel saves one. */
async function workbook(rows: string[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('numbers');
  sheet.addRow(['手机号']);
  for (const row of rows) sheet.addRow([row]);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** `workbook` with its shared strings replaced by one string of `length` characters. */
async function withOneHugeString(length: number): Promise<Buffer> {
  const zip = await JSZip.loadAsync(await workbook(['13972565391']));
  const huge = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>${'1'.repeat(length)}</t></si></sst>`;
  zip.file('xl/sharedStrings.xml', huge);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

/** `zip` with the sizes its directory (and local header) states for `name` set to `size`. */
function lyingAbout(zip: Buffer, name: string, size: number): Buffer {
  const lying = Buffer.from(zip);
  const target = Buffer.from(name);
  for (let at = 0; at < lying.length - 46; at++) {
    const signature = lying.readUInt32LE(at);
    if (signature === 0x04034b50 && lying.subarray(at + 30, at + 30 + target.length).equals(target)) {
      lying.writeUInt32LE(size, at + 22);
    }
    if (signature === 0x02014b50 && lying.subarray(at + 46, at + 46 + target.length).equals(target)) {
      lying.writeUInt32LE(size, at + 24);
    }
  }
  return lying;
}

async function refusal(reading: Promise<unknown>): Promise<ServiceError> {
  const error = await reading.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ServiceError);
  return error as ServiceError;
}

describe('reading a workbook in a worker', () => {
  it('reads a real workbook as the batch file parser does', async () => {
    const summary = await readXlsxBatchFile(
      'a.xlsx',
      await workbook(['13972565391', '+86 138 0013 8000', 'x']),
    );
    expect(summary).toMatchObject({ entries: ['13972565391', '13800138000', 'x'], valid: 2, invalid: 1 });
  });

  it('refuses from its zip directory a workbook whose text unpacks past the limit, unread', async () => {
    const bomb = await withOneHugeString(MAX_XLSX_SHARED_STRINGS_BYTES + 1);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const started = performance.now();
    const error = await refusal(readXlsxBatchFile('bomb.xlsx', bomb));
    expect(error.code).toBe('invalid_file');
    expect(error.message).toMatch(/too large once unpacked: its text cells take 96 MB, at most 96 MB/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('refuses a workbook whose directory lies about a size, before any worker reads it', async () => {
    const bomb = lyingAbout(await withOneHugeString(40 * 1024 * 1024), 'xl/sharedStrings.xml', 1024);
    const started = performance.now();
    // A heap far too small to read it: the refusal must come before the worker.
    const error = await refusal(readXlsxBatchFile('lying.xlsx', bomb, 8));
    expect(error.code).toBe('invalid_file');
    expect(error.message).toBe('the workbook is damaged: a part of it unpacks to another size than it says');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('ends the worker, not the server, when a workbook needs more memory than its bound', async () => {
    // Under the directory's limit, over a small heap: the bound the worker runs under holds.
    const heavy = await withOneHugeString(40 * 1024 * 1024);
    const error = await refusal(readXlsxBatchFile('heavy.xlsx', heavy, 32));
    expect(error.code).toBe('invalid_file');
    expect(error.message).toBe('the workbook needs more than 32 MB to read: it is not a batch file');
  });

  it('answers a damaged workbook in words of its own, never the parser’s', async () => {
    const zip = await JSZip.loadAsync(await workbook(['13972565391']));
    zip.file('xl/worksheets/sheet1.xml', '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>99</v></c>');
    const broken = await zip.generateAsync({ type: 'nodebuffer' });
    const error = await refusal(readXlsxBatchFile('broken.xlsx', broken));
    expect(error.code).toBe('invalid_file');
    expect(error.message).not.toMatch(/undefined|TypeError|Cannot read/);
  });
});
