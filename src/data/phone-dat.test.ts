import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cellType } from '../core/segment-table.js';
import { SHARED_DATA_DIR, phoneDatImage } from '../test-support/phone-dat-image.js';
import { encodePhoneDat, parsePhoneDat } from './phone-dat.js';
import { DataFileError } from './data-file-error.js';
import { encodeSegmentCsv, parseSegmentCsv } from './segment-csv.js';

const RECORDS = ['湖北|宜昌|443000|0717', '北京|北京|100000|010', '内蒙古|锡林郭勒盟|26000|0479'];

function valid() {
  return phoneDatImage(RECORDS, [
    [1300000, 1, 2],
    [1397256, 0, 1],
    [1700000, 1, 4],
    [1999999, 2, 7],
  ]);
}

function problem(bytes: Uint8Array): string {
  try {
    parsePhoneDat(bytes, 'x.dat');
  } catch (error) {
    expect(error).toBeInstanceOf(DataFileError);
    return (error as Error).message;
  }
  throw new Error('the file was accepted');
}

describe('parsePhoneDat on hand-built files', () => {
  it('reads version, records and index', () => {
    const { table, report } = parsePhoneDat(valid().bytes);
    expect(table.version).toBe('2502');
    expect(table.size).toBe(4);
    const cell = table.cellAt(1397256);
    expect(cellType(cell)).toBe(1);
    expect(table.locationOf(cell)).toEqual({
      province: '湖北',
      city: '宜昌',
      zip: '443000',
      areaCode: '0717',
      area: '湖北-宜昌',
    });
    expect(table.cellAt(1397257)).toBe(0);
    expect(table.locationOf(table.cellAt(1999999)).area).toBe('内蒙古-锡林郭勒');
    // The 5-digit zip lost its leading zero when stored as an integer somewhere upstream.
    expect(table.locationOf(table.cellAt(1999999)).zip).toBe('026000');
    expect(report.summary()).toEqual(['1 × malformed zip']);
  });

  it('reports odd rows without failing', () => {
    const { bytes } = phoneDatImage(
      ['广东|深圳|518000|0755', '山东||250000|0531', '9999999|作者|x|y', '湖北|江汉|433000/433100|0728'],
      [
        [0, 0, 1], // older copies store 0 for 1300000
        [1300001, 1, 0], // card type 0
        [1300002, 0, 12], // card type out of range
        [1300003, 3, 3],
        [9999999, 2, 1], // watermark
      ],
    );
    const { table, report } = parsePhoneDat(bytes);
    expect(table.size).toBe(4);
    expect(table.locationOf(table.cellAt(1300000)).area).toBe('广东-深圳');
    expect(table.locationOf(table.cellAt(1300001)).area).toBe('山东');
    expect(cellType(table.cellAt(1300001))).toBe(0);
    expect(cellType(table.cellAt(1300002))).toBe(0);
    expect(table.locationOf(table.cellAt(1300003)).zip).toBe('433000');
    expect(table.cellAt(9999999)).toBe(0);
    expect(new Map(report.countsByProblem)).toEqual(
      new Map([
        ['first prefix stored as 0', 1],
        ['empty city', 1],
        ['card type 0', 1],
        ['card type 12', 1],
        ['malformed zip', 2],
        ['malformed area code', 1],
        ['prefix out of range', 1],
      ]),
    );
    expect(report.rows.some((row) => row.where.includes('9999999'))).toBe(true);
  });

  it('rejects a truncated header', () => {
    expect(problem(Buffer.from('2502'))).toMatch(/truncated header: 4 bytes/);
    expect(problem(Buffer.alloc(0))).toMatch(/truncated header/);
  });

  it('rejects a version that is not 4 digits', () => {
    const { bytes } = valid();
    bytes.write('v1.0', 0, 'latin1');
    expect(problem(bytes)).toMatch(/version header "v1.0"/);
  });

  it('rejects an index offset past the end or inside the header', () => {
    const { bytes } = valid();
    bytes.writeInt32LE(bytes.length + 1, 4);
    expect(problem(bytes)).toMatch(/index offset \d+ is past the end/);
    bytes.writeInt32LE(3, 4);
    expect(problem(bytes)).toMatch(/index offset 3/);
  });

  it('rejects an index that is not a multiple of 9 bytes', () => {
    const { bytes } = valid();
    expect(problem(bytes.subarray(0, bytes.length - 4))).toMatch(/index is 32 bytes, not a multiple of 9/);
  });

  it('rejects an empty index', () => {
    const { bytes } = phoneDatImage(RECORDS, []);
    expect(problem(bytes)).toMatch(/index is empty/);
  });

  it('rejects an unsorted index', () => {
    const { bytes } = phoneDatImage(RECORDS, [
      [1397256, 0, 1],
      [1300000, 1, 2],
    ]);
    expect(problem(bytes)).toMatch(/not sorted: entry 1 has prefix 1300000 after 1397256/);
    const repeated = phoneDatImage(RECORDS, [
      [1300000, 0, 1],
      [1300000, 1, 2],
    ]);
    expect(problem(repeated.bytes)).toMatch(/not sorted/);
  });

  it('rejects record offsets outside the records area or inside a record', () => {
    const outside = phoneDatImage(RECORDS, [[1300000, 9_999, 1]]);
    expect(problem(outside.bytes)).toMatch(/points at byte 9999, outside the records area/);
    const image = phoneDatImage(RECORDS, [[1300000, 0, 1]]);
    image.bytes.writeInt32LE(image.recordOffsets[0] + 3, image.indexStart + 4);
    expect(problem(image.bytes)).toMatch(/in the middle of a record/);
  });

  it('rejects a record without its NUL terminator', () => {
    const image = valid();
    image.bytes[image.indexStart - 1] = 0x41;
    expect(problem(image.bytes)).toMatch(/missing its NUL terminator/);
  });

  it('rejects bad UTF-8', () => {
    const image = phoneDatImage(['ab|cd|123456|010'], [[1300000, 0, 1]]);
    image.bytes[image.recordOffsets[0]] = 0xff;
    expect(problem(image.bytes)).toMatch(/record at byte 8 is not valid UTF-8/);
  });

  it('round-trips through its own writer', () => {
    const { table } = parsePhoneDat(valid().bytes);
    const again = parsePhoneDat(encodePhoneDat(table, '2502')).table;
    expect([...again.rows()]).toEqual([...table.rows()]);
    expect(() => encodePhoneDat(table, 'abcd')).toThrow(/4 digits/);
  });
});

const realFile = (name: string) => fileURLToPath(new URL(name, SHARED_DATA_DIR));
const haveRealData = existsSync(realFile('phone-2025-02.dat'));
if (!haveRealData) console.log(`skipping real phone.dat tests: ${realFile('phone-2025-02.dat')} is not here`);

describe.skipIf(!haveRealData)('the real phone.dat files of ../shared/data', () => {
  it('resolves every one of the 517,258 prefixes of phone-2025-02.dat', () => {
    const bytes = readFileSync(realFile('phone-2025-02.dat'));
    const { table, report } = parsePhoneDat(bytes);
    expect(table.version).toBe('2502');
    expect(table.size).toBe(517_258);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const indexStart = view.getInt32(4, true);
    const unresolved: number[] = [];
    const wrongType: number[] = [];
    for (let at = indexStart; at < bytes.length; at += 9) {
      const prefix = view.getInt32(at, true);
      const cell = table.cellAt(prefix);
      if (cell === 0) unresolved.push(prefix);
      else if (cellType(cell) !== bytes[at + 8]) wrongType.push(prefix);
    }
    expect(unresolved).toEqual([]);
    expect(wrongType).toEqual([]);
    expect(report.countsByProblem.get('card type 0')).toBe(9);
  });

  it('round-trips phone-2025-02.dat through CSV to an identical index', () => {
    const { table } = parsePhoneDat(readFileSync(realFile('phone-2025-02.dat')));
    const dat = encodePhoneDat(table, table.version);
    const csv = parseSegmentCsv(Buffer.from(encodeSegmentCsv(table))).table;
    expect(csv.version).toBe('2502');
    expect(encodePhoneDat(csv, csv.version).equals(dat)).toBe(true);
  });

  it('reads the 2018 file with its prefix-0 first entry', () => {
    const { table, report } = parsePhoneDat(readFileSync(realFile('phone-2018.dat')));
    expect(table.size).toBe(415_284);
    expect(table.cellAt(1300000)).not.toBe(0);
    expect(report.countsByProblem.get('first prefix stored as 0')).toBe(1);
  });
});
