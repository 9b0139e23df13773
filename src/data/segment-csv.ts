import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SEGMENT_TYPE_LABELS, type SegmentType, parseCarrier } from '../core/carrier.js';
import { FIRST_PREFIX, LAST_PREFIX } from '../core/prefix.js';
import { type SegmentTable, SegmentTableBuilder } from '../core/segment-table.js';
import type { SegmentFileRead } from './phone-dat.js';
import { DataFileError } from './data-file-error.js';
import { ReadReport } from './read-report.js';
import { readLocation } from './location-fields.js';

/** Segment CSV: `prefix,province,city,zip,area_code,isp`, header optional, `isp` as a type label. */
export const SEGMENT_CSV_COLUMNS = ['prefix', 'province', 'city', 'zip', 'area_code', 'isp'] as const;

/** A first comment line carries the data version, which CSV has no other place for. */
const VERSION_COMMENT = /^#\s*mnpd segments version\s+(\S+)/;

const TYPE_BY_LABEL = new Map<string, SegmentType>(
  SEGMENT_TYPE_LABELS.map((label, type) => [label, type as SegmentType]),
);

function readType(text: string): SegmentType | undefined {
  const value = text.trim();
  if (/^[0-8]$/.test(value)) return Number(value) as SegmentType;
  const labelled = TYPE_BY_LABEL.get(value);
  if (labelled !== undefined) return labelled;
  // A bare carrier (`移动`, `cmcc`, `中国移动`) is that carrier's own, non-virtual segment.
  const carrier = parseCarrier(value);
  return carrier === undefined ? undefined : (([1, 2, 3, 7] as const)[carrier] as SegmentType);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseSegmentCsv(bytes: Uint8Array, file = 'segments.csv'): SegmentFileRead {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new DataFileError(file, 'not valid UTF-8 text');
  }
  if (text.includes('\0')) throw new DataFileError(file, 'contains NUL bytes: not a CSV text file');
  const version = VERSION_COMMENT.exec(text)?.[1] ?? 'csv';

  let rows: string[][];
  try {
    rows = parse(text, {
      bom: true,
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: false,
    }) as string[][];
  } catch (error) {
    throw new DataFileError(file, `not a readable CSV: ${(error as Error).message}`);
  }

  const report = new ReadReport();
  const builder = new SegmentTableBuilder();
  let accepted = 0;
  rows.forEach((row, i) => {
    if (i === 0 && row[0]?.toLowerCase() === 'prefix') return;
    const where = `row ${i + 1} ${JSON.stringify(row.join(','))}`.slice(0, 120);
    if (row.length !== SEGMENT_CSV_COLUMNS.length) {
      report.add(
        where,
        `has ${row.length} columns, expected ${SEGMENT_CSV_COLUMNS.length}; skipped`,
        'wrong column count',
      );
      return;
    }
    const [prefixText, province, city, zip, areaCode, isp] = row;
    const prefix = /^\d{7}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= FIRST_PREFIX && prefix <= LAST_PREFIX)) {
      report.add(
        where,
        `prefix ${JSON.stringify(prefixText)} is not a 7-digit mobile prefix; skipped`,
        'bad prefix',
      );
      return;
    }
    let type = readType(isp);
    if (type === undefined || type === 0) {
      report.add(where, `isp ${JSON.stringify(isp)} (unknown carrier)`, 'unknown isp');
      type = 0;
    }
    const location = readLocation({ province, city, zip, areaCode }, report, where);
    if (!builder.set(prefix, type, location))
      report.add(where, `prefix ${prefix} repeated; the later row wins`, 'repeated prefix');
    accepted++;
  });
  if (accepted === 0)
    throw new DataFileError(file, 'no segment rows (expected prefix,province,city,zip,area_code,isp)');
  return { table: builder.build(version, `csv ${version}`), report };
}

export function encodeSegmentCsv(table: SegmentTable): string {
  const rows: string[][] = [];
  for (const { prefix, type, location } of table.rows()) {
    rows.push([
      String(prefix),
      location.province,
      location.city,
      location.zip,
      location.areaCode,
      SEGMENT_TYPE_LABELS[type],
    ]);
  }
  return (
    `# mnpd segments version ${table.version}\n` +
    stringify(rows, { header: true, columns: [...SEGMENT_CSV_COLUMNS] })
  );
}
