import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { lookupMobile } from '../core/lookup.js';
import { cellType } from '../core/segment-table.js';
import { phoneDatImage } from '../test-support/phone-dat-image.js';
import { DataFileError } from './data-file-error.js';
import {
  DEFAULT_SEGMENTS_FILE,
  buildDefaultSegments,
  loadDefaultSegments,
  readPrebuiltDefault,
  writePrebuiltDefault,
} from './default-segments.js';
import type { SegmentFileRead } from './phone-dat.js';

/** The repository keeps the default compact; a few MB at most. */
const MAX_SHIPPED_BYTES = 1_000_000;

let built: SegmentFileRead;
beforeAll(() => {
  built = buildDefaultSegments();
});

describe('the embedded default segments', () => {
  it('is the 2025-02 data: 517,258 segments, version 2502, saying where it comes from', () => {
    expect(built.table.size).toBe(517_258);
    expect(built.table.version).toBe('2502');
    expect(built.table.source).toMatch(
      /^embedded default: phone.dat 2502 \(phone2region 20250201, Apache-2.0\)$/,
    );
    expect(built.report.countsByProblem.get('card type 0')).toBe(9);
  });

  it('answers 139 7256 as 湖北-宜昌 on 移动 with zip and 区号, and 198 3170 as 河北-沧州', () => {
    const cell = built.table.cellAt(1397256);
    expect(cellType(cell)).toBe(1);
    expect(built.table.locationOf(cell)).toMatchObject({
      area: '湖北-宜昌',
      areaCode: '0717',
      zip: '443000',
    });
    const outcome = lookupMobile('19831706690', { segments: built.table });
    expect(outcome.code === 0 && outcome.answer.seed).toMatchObject({ Area: '河北-沧州', Init_isp: '移动' });
  });

  it('ships compressed, and is the file its notice describes', () => {
    expect(statSync(DEFAULT_SEGMENTS_FILE).size).toBeLessThan(MAX_SHIPPED_BYTES);
    const notice = readFileSync(new URL('../../data/NOTICE.md', import.meta.url), 'utf8');
    const recorded = /sha256 of the unpacked bytes: `([0-9a-f]{64})`/.exec(notice)?.[1];
    const unpacked = brotliDecompressSync(readFileSync(DEFAULT_SEGMENTS_FILE));
    expect(createHash('sha256').update(unpacked).digest('hex')).toBe(recorded);
    expect(notice).toContain('Apache License 2.0');
    expect(readFileSync(new URL('../../data/LICENSE.phone2region.txt', import.meta.url), 'utf8')).toContain(
      'Apache License',
    );
  });

  it('prebuilds to a flat table that loads to the same table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnpd-default-'));
    expect(readPrebuiltDefault(dir)).toBeUndefined();
    writePrebuiltDefault(built, dir);
    expect(readdirSync(dir).sort()).toEqual(['default-segments.cells', 'default-segments.json']);
    const loaded = readPrebuiltDefault(dir)!;
    expect(loaded.table.version).toBe(built.table.version);
    expect(loaded.table.source).toBe(built.table.source);
    expect(loaded.report.summary()).toEqual(built.report.summary());
    expect([...loaded.table.rows()]).toEqual([...built.table.rows()]);
  });
});

describe('the prebuilt copy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnpd-prebuilt-'));
  const shipped = join(dir, 'shipped.dat.br');
  const ship = (records: string[], entries: [number, number, number][]) =>
    writeFileSync(shipped, brotliCompressSync(phoneDatImage(records, entries).bytes));

  it('is rebuilt when the shipped file changes', () => {
    ship(['湖北|宜昌|443000|0717'], [[1397256, 0, 1]]);
    writePrebuiltDefault(buildDefaultSegments(shipped), dir, shipped);
    expect(readPrebuiltDefault(dir, shipped)!.table.size).toBe(1);
    ship(
      ['湖北|宜昌|443000|0717'],
      [
        [1397256, 0, 1],
        [1397257, 0, 1],
      ],
    );
    expect(readPrebuiltDefault(dir, shipped)).toBeUndefined();
    expect(loadDefaultSegments(dir, shipped).table.size).toBe(2);
  });

  it('is ignored when damaged', () => {
    ship(['湖北|宜昌|443000|0717'], [[1397256, 0, 1]]);
    writePrebuiltDefault(buildDefaultSegments(shipped), dir, shipped);
    const cells = readFileSync(join(dir, 'default-segments.cells'));
    writeFileSync(join(dir, 'default-segments.cells'), cells.subarray(1));
    expect(readPrebuiltDefault(dir, shipped)).toBeUndefined();
    cells.writeUInt32LE((7 << 4) | 1, 0); // a location the copy does not have
    writeFileSync(join(dir, 'default-segments.cells'), cells);
    expect(readPrebuiltDefault(dir, shipped)).toBeUndefined();
    expect(loadDefaultSegments(dir, shipped).table.size).toBe(1);
  });

  it('reports a missing or broken shipped file clearly', () => {
    expect(() => buildDefaultSegments(join(dir, 'absent.br'))).toThrow(DataFileError);
    expect(() => buildDefaultSegments(join(dir, 'absent.br'))).toThrow(/cannot be read \(ENOENT\)/);
    writeFileSync(shipped, 'not brotli at all');
    expect(() => buildDefaultSegments(shipped)).toThrow(/not a brotli-compressed file/);
  });
});
