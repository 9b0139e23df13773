/**
 * Builds phone.dat images byte by byte, independently of the project's writer, so reader tests
 * check the layout itself and can break it on purpose.
 */
export interface DatImage {
  bytes: Buffer;
  /** Absolute offset of each record, by position in `records`. */
  recordOffsets: number[];
  indexStart: number;
}

export function phoneDatImage(
  records: string[],
  entries: [prefix: number, record: number, type: number][],
  version = '2502',
): DatImage {
  const recordOffsets: number[] = [];
  const parts: Buffer[] = [];
  let offset = 8;
  for (const record of records) {
    recordOffsets.push(offset);
    const bytes = Buffer.from(record + '\0', 'utf8');
    parts.push(bytes);
    offset += bytes.length;
  }
  const header = Buffer.alloc(8);
  header.write(version, 0, 'latin1');
  header.writeInt32LE(offset, 4);
  const index = Buffer.alloc(entries.length * 9);
  entries.forEach(([prefix, record, type], i) => {
    index.writeInt32LE(prefix, i * 9);
    index.writeInt32LE(recordOffsets[record] ?? record, i * 9 + 4);
    index.writeUInt8(type, i * 9 + 8);
  });
  return { bytes: Buffer.concat([header, ...parts, index]), recordOffsets, indexStart: offset };
}

/** The reference data files of ../shared/data, when this checkout has them beside it. */
export const SHARED_DATA_DIR = new URL('../../../shared/data/', import.meta.url);
