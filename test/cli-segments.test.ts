/**
 * `mnpd data update-segments`, `data segments list|rollback`, `data override set|unset|list` and
 * `data info` on the data directory's SQLite store, as an operator runs them beside a server.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mnpd-cli-segments-'));
const dataDir = join(dir, 'var');
const base = join(dir, 'base.csv');
const newer = join(dir, 'newer.csv');
const broken = join(dir, 'broken.dat');
writeFileSync(base, '# mnpd segments version 2401\n1397256,湖北,宜昌,443000,0717,移动\n');
writeFileSync(
  newer,
  '# mnpd segments version 2502\n1397256,湖北,武汉,430000,027,移动\n1983170,河北,沧州,061000,0317,移动\n',
);
writeFileSync(broken, Buffer.from('2502\xff\xff\xff\x7fbroken', 'latin1'));

const mnpd = (...args: string[]) =>
  runCli([...args], { env: { MNPD_DATA_DIR: dataDir, MNPD_SEGMENTS: base } });
const json = async (...args: string[]) => {
  const run = await mnpd(...args, '--json');
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout);
};

// Each command is a process of its own: a loaded CI machine takes seconds to start one.
describe('mnpd data segments', { timeout: 180_000 }, () => {
  // One data directory through the tests below, in order, as an operator would go.
  it('updates with a report, and refuses a broken file', async () => {
    const checked = await json('data', 'update-segments', '--check', newer);
    expect(checked.applied).toBeUndefined();
    expect(checked.diff.counts).toMatchObject({ added: 1, moved: 1 });

    const update = await mnpd('data', 'update-segments', newer);
    expect(update.status).toBe(0);
    expect(update.stdout).toMatch(/added\s+1/);
    expect(update.stdout).toMatch(/applied: version 1 in use/);

    const refused = await mnpd('data', 'update-segments', broken);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/broken.dat: index offset/);
    expect((await json('data', 'segments', 'list')).versions).toHaveLength(1);
  });

  it('corrects a prefix, and data info shows the version in use and its coverage', async () => {
    const set = await mnpd('data', 'override', 'set', '1397256', '--city', '黄石', '--note', 'ticket 12');
    expect(set.status).toBe(0);
    const overrides = await json('data', 'override', 'list');
    expect(overrides).toMatchObject([
      { id: 1, firstPrefix: 1397256, city: '黄石', note: 'ticket 12', createdBy: /^cli:/ },
    ]);
    expect((await mnpd('data', 'override', 'set', '139', '--city', 'x')).stderr).toMatch(/7-digit prefix/);

    // Offline lookups answer from what the servers use: the version and its corrections.
    const lookup = await mnpd('lookup', '--json', '13972565391');
    expect(JSON.parse(lookup.stdout).result).toMatchObject({ Area: '湖北-黄石' });

    const info = await json('data', 'info');
    expect(info).toMatchObject({ version: '2502', segments: 2, inUse: { versionId: 1, overrides: 1 } });
    const block198 = info.coverage.blocks.find((b: { block: string }) => b.block === '198');
    expect(block198).toMatchObject({ allocated: 10_000, present: 1, missing: 9_999 });
    expect((await mnpd('data', 'info')).stdout).toMatch(/in use\s+version 1, 1 override/);
  });

  it('rolls back and forth, and removes the correction', async () => {
    const back = await mnpd('data', 'segments', 'rollback');
    expect(back.stdout).toMatch(/in use: default \(2401, 1 segments?, 1 override\)/);
    expect((await mnpd('data', 'segments', 'rollback', '7')).stderr).toMatch(/no segment version 7/);
    expect((await mnpd('data', 'segments', 'rollback', '1')).stdout).toMatch(/in use: version 1/);
    expect((await mnpd('data', 'override', 'unset', '1')).stdout).toMatch(/override 1 removed/);
    expect(await json('data', 'override', 'list')).toEqual([]);
  });

  it('answers -4 for a number the data lacks when MNPD_PLAN_FALLBACK is off', async () => {
    const env = { MNPD_DATA_DIR: dataDir, MNPD_SEGMENTS: base };
    const on = await runCli(['lookup', '--json', '19000001234'], { env });
    expect(JSON.parse(on.stdout)).toMatchObject({ code: 0, result: { Area: '', Init_isp: '电信' } });
    const off = await runCli(['lookup', '--json', '19000001234'], {
      env: { ...env, MNPD_PLAN_FALLBACK: 'off' },
    });
    expect(JSON.parse(off.stdout)).toEqual({ code: -4, reason: '未查询到相关信息' });
  });
});
