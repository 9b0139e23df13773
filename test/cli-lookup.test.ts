import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA_DIR, phoneDatImage } from '../src/test-support/phone-dat-image.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mnpd-cli-'));
const fixture = join(dir, 'fixture.dat');
writeFileSync(
  fixture,
  phoneDatImage(
    ['广东|深圳|518000|0755', '湖北|宜昌|443000|0717'],
    [
      [1397256, 0, 3],
      [1700000, 1, 4],
    ],
  ).bytes,
);

describe('mnpd lookup', () => {
  it('answers from the embedded default on a fresh install', async () => {
    const run = await runCli(['lookup', '13972565391']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('13972565391');
    expect(run.stdout).toContain('湖北-宜昌');
    expect(run.stdout).toMatch(/│ 移动\s+│ 移动\s+│/);
  });

  it('answers a fresh install from the 2025-02 data, then the numbering plan, then -4', async () => {
    const run = await runCli(['lookup', '--json', '--ext', '19831706690', '19000001234', '15400001234']);
    expect(run.status).toBe(0);
    const [data, plan, none] = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(data.result).toMatchObject({
      Area: '河北-沧州',
      Init_isp: '移动',
      zip: '061000',
      areaKnown: true,
    });
    expect(data.result.dataVersion.segments).toBe('2502');
    expect(plan.result).toMatchObject({
      res: '0',
      Area: '',
      Init_isp: '电信',
      Now_isp: '电信',
      areaKnown: false,
    });
    expect(none).toEqual({ code: -4, reason: '未查询到相关信息' });
  });

  it('prints one seed-shaped JSON object per number with --json', async () => {
    const run = await runCli(['lookup', '--json', '13972565391', '+86 139 7256 5391', '123', '12345678901']);
    expect(run.status).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      {
        code: 0,
        reason: 'Succ',
        result: { res: '0', Mobile: '13972565391', Area: '湖北-宜昌', Init_isp: '移动', Now_isp: '移动' },
      },
      {
        code: 0,
        reason: 'Succ',
        result: { res: '0', Mobile: '13972565391', Area: '湖北-宜昌', Init_isp: '移动', Now_isp: '移动' },
      },
      { code: -2, reason: '查询的手机号码长度不对' },
      { code: -3, reason: '请填写正确的手机号码' },
    ]);
  });

  it('adds extended fields with --ext', async () => {
    const run = await runCli(['lookup', '--json', '--ext', '13972565391']);
    expect(JSON.parse(run.stdout).result).toMatchObject({
      areaCode: '0717',
      province: '湖北',
      city: '宜昌',
      virtual: false,
    });
  });

  it('reads the file given by --segments or MNPD_SEGMENTS', async () => {
    const byFlag = await runCli(['lookup', '--json', '--segments', fixture, '13972565391', '17000001234']);
    expect(
      byFlag.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).result),
    ).toEqual([
      { res: '0', Mobile: '13972565391', Area: '广东-深圳', Init_isp: '电信', Now_isp: '电信' },
      { res: '3', Mobile: '17000001234', Area: '湖北-宜昌', Init_isp: '电信', Now_isp: '电信' },
    ]);
    const byEnv = await runCli(['lookup', '--json', '13972565391'], { env: { MNPD_SEGMENTS: fixture } });
    expect(JSON.parse(byEnv.stdout).result.Area).toBe('广东-深圳');
  });

  it('looks a file of numbers up into a results CSV', async () => {
    const input = join(dir, 'numbers.txt');
    const out = join(dir, 'results.csv');
    writeFileSync(
      input,
      'mobile,name\n13972565391,张三\n"+86 139 7256 5391"\n\n123\r\n15400095391,x\nab"c\n',
    );
    const run = await runCli(['lookup', '--segments', fixture, '--file', input, '--out', out]);
    expect(run.status).toBe(0);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual([
      'mobile',
      'code',
      'reason',
      'res',
      'area',
      'init_isp',
      'now_isp',
      'province',
      'city',
      'zip',
      'area_code',
      'type',
      'ported_at',
    ]);
    expect(
      rows.map((row) => [
        row.mobile,
        row.code,
        row.reason,
        row.res,
        row.area,
        row.now_isp,
        row.zip,
        row.type,
      ]),
    ).toEqual([
      ['13972565391', '0', 'Succ', '0', '广东-深圳', '电信', '518000', '电信'],
      ['13972565391', '0', 'Succ', '0', '广东-深圳', '电信', '518000', '电信'],
      ['123', '-2', '查询的手机号码长度不对', '', '', '', '', ''],
      ['15400095391', '-4', '未查询到相关信息', '', '', '', '', ''],
      ['ab"c', '-2', '查询的手机号码长度不对', '', '', '', '', ''],
    ]);
  });

  it('writes results to standard output without --out', async () => {
    const input = join(dir, 'one.txt');
    writeFileSync(input, '13972565391\n');
    const run = await runCli(['lookup', '--segments', fixture, '--file', input]);
    expect(run.stdout.trim().split('\n')[1]).toBe(
      '13972565391,0,Succ,0,广东-深圳,电信,电信,广东,深圳,518000,0755,电信,',
    );
  });

  it.each([
    [['lookup'], /give numbers to look up/],
    [['lookup', '--out', 'x.csv', '13972565391'], /--out needs --file/],
    [['lookup', '--file', '/nonexistent/numbers.txt'], /no such file/],
    [['lookup', '--file', '/tmp'], /\/tmp: not a file/],
    [['lookup', '--segments', '/nonexistent.dat', '13972565391'], /\/nonexistent.dat: no such file/],
    [['lookup', '--bogus'], /unknown option '--bogus'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('fails with a one-line message for %j', async (args, message) => {
    const run = await runCli(args);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails with a one-line message naming what is wrong with a broken file', async () => {
    const broken = join(dir, 'broken.dat');
    writeFileSync(broken, readFileSync(fixture).subarray(0, 30));
    const run = await runCli(['lookup', '--segments', broken, '13972565391']);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/broken.dat: index offset \d+ is past the end of the file \(30 bytes\)/);
  });
});

const real = fileURLToPath(new URL('phone-2025-02.dat', SHARED_DATA_DIR));
const haveReal = existsSync(real);
if (!haveReal) console.log(`skipping CLI tests on real data: ${real} is not here`);

describe('mnpd data', () => {
  it('describes the embedded default honestly', async () => {
    const run = await runCli(['data', 'info', '--json']);
    expect(run.status).toBe(0);
    const info = JSON.parse(run.stdout);
    expect(info.source).toContain('phone2region 20250201, Apache-2.0');
    expect(info.version).toBe('2502');
    expect(info.segments).toBe(517_258);
    expect(info.withCity).toBe(info.segments);
    expect(info.withZip).toBe(info.segments);
    expect(info.oddRows).toEqual(['37 × malformed zip', '9 × card type 0']);
    const text = await runCli(['data', 'info']);
    expect(text.stdout).toMatch(/segments\s+517258 of 700000 prefixes/);
  });

  it('converts a fixture to CSV and back to the same bytes', async () => {
    const csv = join(dir, 'fixture.csv');
    const back = join(dir, 'back.dat');
    expect((await runCli(['data', 'convert', fixture, csv])).status).toBe(0);
    expect(readFileSync(csv, 'utf8')).toContain('1397256,广东,深圳,518000,0755,电信');
    expect((await runCli(['data', 'convert', csv, back])).status).toBe(0);
    expect(readFileSync(back).equals(readFileSync(fixture))).toBe(true);
  });

  it('refuses an output it cannot write the format of, and a .dat without a version', async () => {
    expect((await runCli(['data', 'convert', fixture, join(dir, 'x.json')])).stderr).toMatch(
      /must end in .dat or .csv/,
    );
    const bare = join(dir, 'bare.csv');
    writeFileSync(bare, '1300000,北京,北京,100000,010,联通\n');
    const run = await runCli(['data', 'convert', bare, join(dir, 'bare.dat')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/give --version YYMM/);
    expect((await runCli(['data', 'convert', '--version', '2511', bare, join(dir, 'bare.dat')])).status).toBe(
      0,
    );
  });

  it.skipIf(!haveReal)('resolves every prefix of phone-2025-02.dat and round-trips it', async () => {
    const info = JSON.parse((await runCli(['data', 'info', '--json', '--segments', real])).stdout);
    expect(info).toMatchObject({ version: '2502', segments: 517_258, withCity: 517_258 });
    const csv = join(dir, 'real.csv');
    const back = join(dir, 'real.dat');
    await runCli(['data', 'convert', real, csv]);
    await runCli(['data', 'convert', csv, back]);
    const again = join(dir, 'again.dat');
    await runCli(['data', 'convert', real, again]);
    expect(readFileSync(back).equals(readFileSync(again))).toBe(true);
    const lookup = await runCli(['lookup', '--json', '--segments', real, '13972565391']);
    expect(JSON.parse(lookup.stdout).result).toMatchObject({ Area: '湖北-宜昌', Init_isp: '移动' });
  });
});
