import { type SegmentType, isSegmentType } from '../core/carrier.js';
import { FIRST_PREFIX, LAST_PREFIX } from '../core/prefix.js';
import type { SegmentTable } from '../core/segment-table.js';
import { type Location, SegmentTableBuilder } from '../core/segment-table.js';
import { readLocation } from './location-fields.js';
import { DataFileError } from './data-file-error.js';
import { ReadReport } from './read-report.js';

/**
 * The community `phone.dat` layout (little-endian):
 *   [0,4)   version, 4 ASCII digits YYMM
 *   [4,8)   int32 absolute offset of the first index entry
 *   [8,off) records "province|city|zip|areacode" each ending with NUL
 *   [off,…) 9-byte index entries sorted by prefix: int32 prefix, int32 record offset, uint8 type
 */
const HEADER_BYTES = 8;
const ENTRY_BYTES = 9;
const VERSION = /^\d{4}$/;

export interface SegmentFileRead {
  table: SegmentTable;
  report: ReadReport;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeRecord(bytes: Uint8Array, start: number, end: number, file: string): string {
  try {
    return utf8.decode(bytes.subarray(start, end));
  } catch {
    throw new DataFileError(file, `record at byte ${start} is not valid UTF-8`);
  }
}

/** Parses a whole phone.dat image; throws DataFileError for a broken structure. */
export function parsePhoneDat(bytes: Uint8Array, file = 'phone.dat'): SegmentFileRead {
  const fail = (problem: string): never => {
    throw new DataFileError(file, problem);
  };
  if (bytes.length < HEADER_BYTES)
    fail(`truncated header: ${bytes.length} bytes, a phone.dat has at least 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = String.fromCharCode(...bytes.subarray(0, 4));
  if (!VERSION.test(version)) fail(`version header ${JSON.stringify(version)} is not 4 ASCII digits (YYMM)`);
  const indexStart = view.getInt32(4, true);
  if (indexStart < HEADER_BYTES || indexStart > bytes.length) {
    fail(`index offset ${indexStart} is past the end of the file (${bytes.length} bytes)`);
  }
  const indexBytes = bytes.length - indexStart;
  if (indexBytes === 0) fail('the index is empty');
  if (indexBytes % ENTRY_BYTES !== 0) fail(`index is ${indexBytes} bytes, not a multiple of ${ENTRY_BYTES}`);
  if (indexStart > HEADER_BYTES && bytes[indexStart - 1] !== 0) {
    fail(`the last record (ending at byte ${indexStart}) is missing its NUL terminator`);
  }

  const report = new ReadReport();
  const builder = new SegmentTableBuilder();
  const records = new Map<number, Location>();
  const entries = indexBytes / ENTRY_BYTES;
  let previous = -1;

  for (let i = 0; i < entries; i++) {
    const at = indexStart + i * ENTRY_BYTES;
    let prefix = view.getInt32(at, true);
    const recordAt = view.getInt32(at + 4, true);
    const rawType = bytes[at + 8];
    const where = `index entry ${i} (prefix ${prefix})`;

    // Older copies store 0 instead of 1300000 in their first entry.
    if (i === 0 && prefix === 0) {
      prefix = FIRST_PREFIX;
      report.add(where, 'first index entry stores prefix 0; read as 1300000', 'first prefix stored as 0');
    }
    if (prefix <= previous) fail(`index is not sorted: entry ${i} has prefix ${prefix} after ${previous}`);
    previous = prefix;
    if (recordAt < HEADER_BYTES || recordAt >= indexStart) {
      fail(`${where} points at byte ${recordAt}, outside the records area [8, ${indexStart})`);
    }
    if (recordAt > HEADER_BYTES && bytes[recordAt - 1] !== 0) {
      fail(`${where} points at byte ${recordAt}, in the middle of a record`);
    }

    let location = records.get(recordAt);
    if (!location) {
      const end = bytes.indexOf(0, recordAt);
      if (end < 0 || end >= indexStart) fail(`record at byte ${recordAt} has no NUL terminator`);
      const text = decodeRecord(bytes, recordAt, end, file);
      const recordWhere = `record at byte ${recordAt} ${JSON.stringify(text)}`;
      const [province = '', city = '', zip = '', areaCode = '', ...extra] = text.split('|');
      if (extra.length > 0 || text.split('|').length < 4) {
        report.add(recordWhere, `has ${text.split('|').length} fields, expected 4`, 'wrong field count');
      }
      location = readLocation({ province, city, zip, areaCode }, report, recordWhere);
      records.set(recordAt, location);
    }

    if (prefix < FIRST_PREFIX || prefix > LAST_PREFIX) {
      // Watermark rows such as 9999999|作者|… are not segments.
      report.add(where, `prefix outside ${FIRST_PREFIX}–${LAST_PREFIX}, skipped`, 'prefix out of range');
      continue;
    }
    let type: SegmentType = 0;
    if (rawType >= 1 && isSegmentType(rawType)) type = rawType;
    else report.add(where, `card type ${rawType} (unknown carrier)`, `card type ${rawType}`);
    builder.set(prefix, type, location);
  }
  return { table: builder.build(version, `phone.dat ${version}`), report };
}

/** Writes a table in the phone.dat layout; `version` must be 4 ASCII digits. */
export function encodePhoneDat(table: SegmentTable, version: string): Buffer {
  if (!VERSION.test(version)) throw new Error(`phone.dat version must be 4 digits (YYMM), got ${version}`);
  const recordAt = new Map<Location, number>();
  const chunks: Buffer[] = [Buffer.alloc(HEADER_BYTES)];
  let offset = HEADER_BYTES;
  let count = 0;
  for (const row of table.rows()) {
    count++;
    if (recordAt.has(row.location)) continue;
    const { province, city, zip, areaCode } = row.location;
    const record = Buffer.from(`${province}|${city}|${zip}|${areaCode}\0`, 'utf8');
    recordAt.set(row.location, offset);
    chunks.push(record);
    offset += record.length;
  }
  const index = Buffer.alloc(count * ENTRY_BYTES);
  let at = 0;
  for (const row of table.rows()) {
    index.writeInt32LE(row.prefix, at);
    index.writeInt32LE(recordAt.get(row.location)!, at + 4);
    index.writeUInt8(row.type, at + 8);
    at += ENTRY_BYTES;
  }
  chunks[0].write(version, 0, 'ascii');
  chunks[0].writeInt32LE(offset, 4);
  chunks.push(index);
  return Buffer.concat(chunks);
}
