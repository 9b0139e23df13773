import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { loadDefaultSegments } from './default-segments.js';
import { type SegmentFileRead, parsePhoneDat } from './phone-dat.js';
import { DataFileError } from './data-file-error.js';
import { parseSegmentCsv } from './segment-csv.js';

export type SegmentFormat = 'dat' | 'csv';

/** By extension, else by content: a phone.dat starts with four ASCII digits and a sane offset. */
export function detectSegmentFormat(file: string, bytes: Uint8Array): SegmentFormat {
  const extension = extname(file).toLowerCase();
  if (extension === '.csv' || extension === '.txt') return 'csv';
  if (extension === '.dat') return 'dat';
  const digits = bytes.length >= 8 && [0, 1, 2, 3].every((i) => bytes[i] >= 0x30 && bytes[i] <= 0x39);
  if (digits) {
    const offset = new DataView(bytes.buffer, bytes.byteOffset, 8).getInt32(4, true);
    if (offset >= 8 && offset <= bytes.length) return 'dat';
  }
  return 'csv';
}

export function parseSegmentFile(file: string, bytes: Uint8Array): SegmentFileRead {
  return detectSegmentFormat(file, bytes) === 'dat'
    ? parsePhoneDat(bytes, file)
    : parseSegmentCsv(bytes, file);
}

/** Reads a phone.dat or CSV file, or the embedded default when no file is given. */
export async function loadSegments(file?: string): Promise<SegmentFileRead> {
  if (file === undefined || file === '') return loadDefaultSegments();
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataFileError(
      file,
      code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(error)})`,
    );
  }
  return parseSegmentFile(file, bytes);
}
