import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffSegments } from '../core/segment-diff.js';
import { SHARED_DATA_DIR } from '../test-support/phone-dat-image.js';
import { parsePhoneDat } from './phone-dat.js';

const realFile = (name: string) => fileURLToPath(new URL(name, SHARED_DATA_DIR));
const files = ['phone-2018.dat', 'phone-2025-02.dat'].map(realFile);
const haveRealData = files.every((file) => existsSync(file));
if (!haveRealData) console.log(`skipping the 2018 → 2025-02 segment diff: ${files.join(', ')} not both here`);

/** The diff of 415k against 517k segments is one pass over 700k prefixes: well under this. */
const DIFF_BUDGET_MS = 3000;

describe.skipIf(!haveRealData)('diffSegments from phone-2018.dat to phone-2025-02.dat', () => {
  it('reports what changed in seven years of segment data', () => {
    const [before, after] = files.map((file) => parsePhoneDat(readFileSync(file)).table);
    const started = performance.now();
    const diff = diffSegments(before, after);
    expect(performance.now() - started).toBeLessThan(DIFF_BUDGET_MS);

    expect(diff.counts).toEqual({
      added: 101_974,
      removed: 0,
      moved: 16_873,
      details: 10,
      carrier: 4511,
      type: 10_667,
    });
    expect(diff.unchanged + diff.changed + diff.counts.removed).toBe(before.size);
    expect(diff.unchanged + diff.changed + diff.counts.added).toBe(after.size);
    // 192 (中国广电, allocated 2019) is all new; 1349 was typed 移动 in 2018 and is 中国电信's satellite block.
    expect(diff.byCarrier['广电']).toMatchObject({ added: 9388, moved: 0, carrier: 0 });
    expect(diff.carrierChanges).toEqual([
      { from: '移动', to: '电信', count: 4132 },
      { from: '联通', to: '电信', count: 379 },
    ]);
    expect(Object.keys(diff.byProvince)).toHaveLength(31);
    expect(diff.examples.moved).toHaveLength(5);
    expect(diff.examples.moved[0]).toMatchObject({
      prefix: 1300059,
      before: { area: '广西-南宁' },
      after: { area: '广东-广州' },
    });
  });
});
