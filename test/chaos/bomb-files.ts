/**
 * Upload bombs: small files that unpack or parse into a great deal. The zip writer is minimal on
 * purpose (stored names, deflate, one disk) so that a directory can be made to lie about sizes.
 */
import { crc32, deflateRawSync } from 'node:zlib';

interface ZipEntry {
  name: string;
  data: Buffer;
  /** zlib's: 1 for a large entry that need not be small (fast), 6 otherwise. */
  level?: number;
  /** The uncompressed size the directory states; the true one when not given. */
  declaredSize?: number;
}

export function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const compressed = deflateRawSync(entry.data, { level: entry.level ?? 6 });
    const crc = crc32(entry.data);
    const size = entry.declaredSize ?? entry.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A one-sheet workbook around `sheetData` (rows XML) and optional shared strings. */
export function workbook(
  sheetData: Buffer,
  sharedStrings?: { data: Buffer; declaredSize?: number },
  level?: number,
): Buffer {
  const text = (name: string, xml: string): ZipEntry => ({ name, data: Buffer.from(xml) });
  return zip([
    text(
      '[Content_Types].xml',
      `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
        `<Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
        `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
        `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` +
        `</Types>`,
    ),
    text(
      '_rels/.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    text(
      'xl/workbook.xml',
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${REL}">` +
        `<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    text(
      'xl/_rels/workbook.xml.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    ),
    {
      name: 'xl/worksheets/sheet1.xml',
      data: Buffer.concat([
        Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData>`),
        sheetData,
        Buffer.from('</sheetData></worksheet>'),
      ]),
      level,
    },
    {
      name: 'xl/sharedStrings.xml',
      data:
        sharedStrings?.data ??
        Buffer.from(
          `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN}" count="0" uniqueCount="0"></sst>`,
        ),
      declaredSize: sharedStrings?.declaredSize,
    },
  ]);
}

/** Shared strings holding one string of `bytes` letters. */
function bigSharedString(bytes: number): Buffer {
  return Buffer.concat([
    Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN}" count="1" uniqueCount="1"><si><t>`,
    ),
    Buffer.alloc(bytes, 'A'),
    Buffer.from('</t></si></sst>'),
  ]);
}

const MIB = 1024 * 1024;
/** A delta row whose number is short and whose carrier is a formula. */
const BAD_DELTA_ROW = '1,port,139725,=cmd|calc,2024-01-01\n';

export interface Bomb {
  name: string;
  route: 'batch' | 'ported';
  fileName: string;
  type: string;
  /** Made when sent, so that only one large bomb is held at a time while they are made. */
  make: () => Buffer;
  /** For the portability upload. */
  kind?: 'full' | 'delta';
}

/** The bombs, made once (a few hundred MB briefly, a few MB kept). */
export function bombs(): Bomb[] {
  const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const oneSharedCell = Buffer.from('<row r="1"><c r="A1" t="s"><v>0</v></c></row>');
  const rows = (count: number) => {
    const parts: string[] = [];
    for (let i = 1; i <= count; i++)
      parts.push(`<row r="${i}"><c r="A${i}"><v>1397256${String(i % 10_000).padStart(4, '0')}</v></c></row>`);
    return Buffer.from(parts.join(''));
  };
  return [
    {
      name: 'xlsx: one shared string of 120 MB (the directory says so)',
      route: 'batch',
      fileName: 'shared-string.xlsx',
      type: xlsx,
      make: () => workbook(oneSharedCell, { data: bigSharedString(120 * MIB) }),
    },
    {
      name: 'xlsx: one shared string of 200 MB (the directory says 1 KB)',
      route: 'batch',
      fileName: 'lying.xlsx',
      type: xlsx,
      make: () => workbook(oneSharedCell, { data: bigSharedString(200 * MIB), declaredSize: 1024 }),
    },
    {
      name: 'xlsx: one inline cell of 40 MB',
      route: 'batch',
      fileName: 'huge-cell.xlsx',
      type: xlsx,
      make: () =>
        workbook(
          Buffer.concat([
            Buffer.from('<row r="1"><c r="A1" t="inlineStr"><is><t>'),
            Buffer.alloc(40 * MIB, '9'),
            Buffer.from('</t></is></c></row>'),
          ]),
        ),
    },
    {
      name: 'xlsx: 1,100,000 rows',
      route: 'batch',
      fileName: 'many-rows.xlsx',
      type: xlsx,
      make: () => workbook(rows(1_100_000), undefined, 1),
    },
    {
      name: 'CSV: 65 MB (over the 64 MB limit)',
      route: 'batch',
      fileName: 'big.csv',
      type: 'text/csv',
      make: () => Buffer.alloc(65 * MIB, '13972565391\n'),
    },
    {
      name: 'CSV: one line of 60 MB',
      route: 'batch',
      fileName: 'one-line.csv',
      type: 'text/csv',
      make: () => Buffer.alloc(60 * MIB, '1'),
    },
    {
      name: 'CSV: 5,100,000 empty-ish rows',
      route: 'batch',
      fileName: 'rows.csv',
      type: 'text/csv',
      make: () => Buffer.alloc(5_100_000 * 2, ',\n'),
    },
    {
      name: 'portability CSV: one line of 100 MB as a full snapshot',
      route: 'ported',
      fileName: 'one-line-full.csv',
      type: 'text/csv',
      kind: 'full',
      make: () => Buffer.alloc(100 * MIB, '1'),
    },
    {
      name: 'portability CSV: a delta of 300,000 invalid rows',
      route: 'ported',
      fileName: 'bad-delta.csv',
      type: 'text/csv',
      kind: 'delta',
      make: () => Buffer.alloc(300_000 * BAD_DELTA_ROW.length, BAD_DELTA_ROW),
    },
  ];
}
