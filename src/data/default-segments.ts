import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { FIRST_PREFIX, PREFIX_COUNT } from '../core/prefix.js';
import { type Location, SegmentTable, makeLocation } from '../core/segment-table.js';
import { DataFileError } from './data-file-error.js';
import { type SegmentFileRead, parsePhoneDat } from './phone-dat.js';
import { ReadReport } from './read-report.js';

/**
 * The embedded default: the 2025-02 segment database (517,258 segments, phone2region 20250201,
 * Apache-2.0), shipped brotli-compressed at data/phone-2025-02.dat.br; data/NOTICE.md records its
 * provenance and licence.
 *
 * Google libphonenumber, the default before it, is no longer a source. Measured against this file:
 * it adds 146 prefixes (184: 58, 177: 45, 147: 30, 185: 13), every one in a block the numbering
 * plan allocates, so they answer their carrier anyway and libphonenumber would add only an Area,
 * which matches the Area of the file's nearest segments for 60 of the 146; on the 319,971 prefixes both
 * know, its Area differs for 3.6 % (old names such as 襄樊 for 襄阳, 重庆's districts folded into
 * 重庆), it has no zip codes, and the file adds 197,287 prefixes it lacks.
 */
export const DEFAULT_SEGMENTS_FILE = fileURLToPath(
  new URL('../../data/phone-2025-02.dat.br', import.meta.url),
);

export const DEFAULT_SEGMENTS_NAME = 'embedded default';
const PROVENANCE = 'phone2region 20250201, Apache-2.0';

function readShipped(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataFileError(
      file,
      `the embedded default cannot be read (${code ?? String(error)}); reinstall mnpd`,
    );
  }
}

/** Unpacks and reads the shipped file; throws DataFileError when it is not a brotli phone.dat. */
export function buildDefaultSegments(file = DEFAULT_SEGMENTS_FILE): SegmentFileRead {
  let bytes: Buffer;
  try {
    bytes = brotliDecompressSync(readShipped(file));
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    throw new DataFileError(file, 'is not a brotli-compressed file');
  }
  const { table, report } = parsePhoneDat(bytes, file);
  const source = `${DEFAULT_SEGMENTS_NAME}: phone.dat ${table.version} (${PROVENANCE})`;
  return { table: table.relabel(table.version, source), report };
}

/**
 * `npm run build` keeps the default's flat table beside the compiled module (its cells as they are
 * in memory, its locations and report in JSON), so a start-up reads 2.8 MB instead of parsing
 * 517k index entries (a few ms instead of about 300).
 */
export const PREBUILT_DIR = fileURLToPath(new URL('.', import.meta.url));
const PREBUILT_CELLS = 'default-segments.cells';
const PREBUILT_META = 'default-segments.json';
const CELL_BYTES = 4;

interface PrebuiltMeta {
  /** sha256 of the shipped file the copy was built from: another file makes the copy stale. */
  shippedSha256: string;
  version: string;
  source: string;
  locations: [province: string, city: string, zip: string, areaCode: string][];
  report: { where: string; problem: string }[];
  counts: [string, number][];
}

function sha256Of(file: string): string {
  return createHash('sha256').update(readShipped(file)).digest('hex');
}

export function writePrebuiltDefault(
  read: SegmentFileRead,
  dir = PREBUILT_DIR,
  shipped = DEFAULT_SEGMENTS_FILE,
): void {
  const { table, report } = read;
  const ids = new Map<Location, number>(table.locations.map((location, id) => [location, id]));
  const cells = Buffer.alloc(PREFIX_COUNT * CELL_BYTES);
  for (const row of table.rows()) {
    const slot = row.prefix - FIRST_PREFIX;
    cells.writeUInt32LE(((ids.get(row.location)! + 1) << 4) | row.type, slot * CELL_BYTES);
  }
  const meta: PrebuiltMeta = {
    shippedSha256: sha256Of(shipped),
    version: table.version,
    source: table.source,
    locations: table.locations.map(({ province, city, zip, areaCode }) => [province, city, zip, areaCode]),
    report: report.rows,
    counts: [...report.countsByProblem],
  };
  writeFileSync(join(dir, PREBUILT_CELLS), cells);
  writeFileSync(join(dir, PREBUILT_META), JSON.stringify(meta));
}

/** The prebuilt table, or undefined when there is none, it is damaged, or the shipped file changed. */
export function readPrebuiltDefault(
  dir = PREBUILT_DIR,
  shipped = DEFAULT_SEGMENTS_FILE,
): SegmentFileRead | undefined {
  let meta: PrebuiltMeta;
  let bytes: Buffer;
  try {
    meta = JSON.parse(readFileSync(join(dir, PREBUILT_META), 'utf8')) as PrebuiltMeta;
    bytes = readFileSync(join(dir, PREBUILT_CELLS));
  } catch {
    return undefined;
  }
  if (meta.shippedSha256 !== sha256Of(shipped) || bytes.length !== PREFIX_COUNT * CELL_BYTES)
    return undefined;
  const cells = new Uint32Array(PREFIX_COUNT);
  for (let slot = 0; slot < PREFIX_COUNT; slot++) cells[slot] = bytes.readUInt32LE(slot * CELL_BYTES);
  const locations = meta.locations.map(([province, city, zip, areaCode]) =>
    makeLocation(province, city, zip, areaCode),
  );
  let table: SegmentTable;
  try {
    // The constructor checks every cell against the locations and types.
    table = new SegmentTable(meta.version, meta.source, locations, cells);
  } catch {
    return undefined;
  }
  const report = new ReadReport();
  for (const [kind, count] of meta.counts) report.countsByProblem.set(kind, count);
  report.total = meta.counts.reduce((sum, [, count]) => sum + count, 0);
  report.rows.push(...meta.report);
  return { table, report };
}

/** The embedded default: the prebuilt table when it is current, else unpacked from the shipped file. */
export function loadDefaultSegments(dir = PREBUILT_DIR, shipped = DEFAULT_SEGMENTS_FILE): SegmentFileRead {
  return readPrebuiltDefault(dir, shipped) ?? buildDefaultSegments(shipped);
}
