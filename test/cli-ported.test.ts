import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshPostgresSchema } from '../src/test-support/test-databases.js';
import { type TestServer, startTestServer } from '../src/test-support/test-server.js';
import { type LookupBody, get, sleep } from '../src/http/test-support/http-client.js';
import { CLI, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mnpd-cli-npdb-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

async function lookupResult(dataDir: string, mobile: string) {
  const run = await runCli(['lookup', '--json', '--ext', '--data-dir', dataDir, mobile]);
  return JSON.parse(run.stdout).result;
}

describe('mnpd data import-ported / apply-delta / stats', () => {
  it('ports a number with a full import, moves it with a delta and brings it back with a return', async () => {
    const dataDir = join(dir, 'var1');
    expect(await lookupResult(dataDir, '13972565391')).toMatchObject({
      res: '0',
      Now_isp: '移动',
      portedAt: null,
    });

    const full = file(
      'full.csv',
      'mobile,carrier,ported_at\n13972565391,电信,2023-05-06\n13800138000,cucc,2021-03-04\n',
    );
    const imported = await runCli(['data', 'import-ported', full, '--data-dir', dataDir]);
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/imported 2 rows .* database: 2 ported numbers/);
    const ported = await lookupResult(dataDir, '13972565391');
    expect(ported).toMatchObject({
      res: '1',
      Area: '湖北-宜昌',
      Init_isp: '移动',
      Now_isp: '电信',
      portedAt: '2023-05-06',
    });
    expect(ported.dataVersion.ported).toMatch(/^\d{8}T\d{6}Z$/);

    const delta = file(
      'delta.csv',
      'seq,op,mobile,carrier,ported_at\n1,port,13972565391,联通,2024-01-02\n2,return,13800138000,移动,2024-01-03\n',
    );
    const applied = await runCli(['data', 'apply-delta', delta], { env: { MNPD_DATA_DIR: dataDir } });
    expect(applied.stdout).toMatch(/applied seq 1–2 \(2 changes\)/);
    expect(await lookupResult(dataDir, '13972565391')).toMatchObject({
      res: '1',
      Now_isp: '联通',
      portedAt: '2024-01-02',
    });
    expect(await lookupResult(dataDir, '13800138000')).toMatchObject({
      res: '0',
      Init_isp: '移动',
      Now_isp: '移动',
    });

    const again = await runCli(['data', 'apply-delta', delta, '--data-dir', dataDir]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/nothing to apply/);

    const gap = await runCli([
      'data',
      'apply-delta',
      file('gap.csv', '5,port,13972565391,电信,2024-01-05\n'),
      '--data-dir',
      dataDir,
    ]);
    expect(gap.status).toBe(1);
    expect(gap.stderr).toMatch(/starts at seq 5 but seq 3 is next/);

    const stats = JSON.parse((await runCli(['data', 'stats', '--json', '--data-dir', dataDir])).stdout);
    expect(stats).toMatchObject({
      count: 1,
      lastSeq: 2,
      byCarrier: { 移动: 0, 联通: 1, 电信: 0, 广电: 0 },
      byMonth: { '2024-01': 1 },
    });
    const text = await runCli(['data', 'stats', '--data-dir', dataDir]);
    expect(text.stdout).toMatch(/ported numbers\s+1/);
  });

  it('refuses a file with invalid rows unless --skip-invalid, listing line numbers', async () => {
    const dataDir = join(dir, 'var2');
    const bad = file('bad.csv', '13972565391,电信\n13972565392,电话\n139,移动\n');
    const refused = await runCli(['data', 'import-ported', bad, '--data-dir', dataDir]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/2 invalid rows of 3; nothing applied/);
    expect(refused.stderr).toMatch(/line 2: bad carrier "电话"/);
    expect(refused.stderr).toMatch(/line 3: bad number "139"/);
    expect(JSON.parse((await runCli(['data', 'stats', '--json', '--data-dir', dataDir])).stdout).count).toBe(
      0,
    );

    const skipped = await runCli(['data', 'import-ported', bad, '--skip-invalid', '--data-dir', dataDir]);
    expect(skipped.status).toBe(0);
    expect(skipped.stderr).toMatch(/skipped 2 invalid rows/);
    expect(JSON.parse((await runCli(['data', 'stats', '--json', '--data-dir', dataDir])).stdout).count).toBe(
      1,
    );
  });

  it('generates a deterministic synthetic database, as CSV or straight into the data directory', async () => {
    const a = join(dir, 'gen-a.csv');
    const b = join(dir, 'gen-b.csv');
    await runCli(['data', 'generate-ported', '--count', '1000', '--seed', '7', '--out', a]);
    await runCli(['data', 'generate-ported', '--count', '1000', '--seed', '7', '--out', b]);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    expect(readFileSync(a, 'utf8').trim().split('\n')).toHaveLength(1001);

    const dataDir = join(dir, 'var3');
    const generated = await runCli([
      'data',
      'generate-ported',
      '--count',
      '1000',
      '--seed',
      '7',
      '--data-dir',
      dataDir,
    ]);
    expect(generated.stdout).toMatch(/database: 1000 ported numbers/);
    const fromCsv = join(dir, 'var4');
    await runCli(['data', 'import-ported', a, '--data-dir', fromCsv]);
    const stats = async (d: string) =>
      JSON.parse((await runCli(['data', 'stats', '--json', '--data-dir', d])).stdout);
    expect((await stats(dataDir)).byMonth).toEqual((await stats(fromCsv)).byMonth);

    const bad = await runCli(['data', 'generate-ported', '--count', 'many']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--count must be a whole number/);
  });

  it('processes the inbox from the command line', async () => {
    const dataDir = join(dir, 'var5');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dataDir, 'inbox'), { recursive: true });
    writeFileSync(join(dataDir, 'inbox', 'a.csv'), '13972565391,电信\n');
    writeFileSync(join(dataDir, 'inbox', 'b.csv'), '1,port,13800138000,电信,\n');
    const run = await runCli(['data', 'process-inbox', '--data-dir', dataDir]);
    expect(run.stdout).toMatch(/applied\s+a.csv/);
    expect(run.stdout).toMatch(/applied\s+b.csv/);
    expect(readdirSync(join(dataDir, 'inbox'))).toEqual([]);
  });

  it('keeps the previous database answering when an import is killed halfway', async () => {
    const dataDir = join(dir, 'var6');
    await runCli([
      'data',
      'import-ported',
      file('small.csv', '13972565391,电信,2023-05-06\n'),
      '--data-dir',
      dataDir,
    ]);
    const big = join(dir, 'big.csv');
    await runCli(['data', 'generate-ported', '--count', '3000000', '--seed', '3', '--out', big]);

    const child = spawn(process.execPath, [CLI, 'data', 'import-ported', big, '--data-dir', dataDir], {
      stdio: 'ignore',
      env: { ...process.env, DATABASE_URL: '' },
    });
    const lock = join(dataDir, 'npdb', '.lock');
    // Kill it once it holds the lock, i.e. while it reads, parses or writes.
    for (let waited = 0; !existsSync(lock) && waited < 20_000; waited += 5)
      await new Promise((r) => setTimeout(r, 5));
    expect(existsSync(lock)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));

    const stats = JSON.parse((await runCli(['data', 'stats', '--json', '--data-dir', dataDir])).stdout);
    expect(stats.count).toBe(1);
    expect(await lookupResult(dataDir, '13972565391')).toMatchObject({ res: '1', Now_isp: '电信' });
    // The next change clears what the killed one left and succeeds.
    const next = await runCli([
      'data',
      'apply-delta',
      file('next.csv', '1,return,13972565391,,\n'),
      '--data-dir',
      dataDir,
    ]);
    expect(next.status).toBe(0);
    expect(readdirSync(join(dataDir, 'npdb')).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('mnpd data in a cluster (DATABASE_URL names PostgreSQL)', () => {
  it('shares what it applies: a node on the same store applies it too', async () => {
    const postgres = await freshPostgresSchema();
    let node: TestServer | undefined;
    try {
      const env = { DATABASE_URL: postgres.url };
      const dataDir = join(dir, 'cluster-cli');
      const full = file('cluster-full.csv', 'mobile,carrier,ported_at\n13972565391,电信,2023-05-06\n');
      const imported = await runCli(['data', 'import-ported', full, '--data-dir', dataDir], { env });
      expect(imported.status, imported.stderr).toBe(0);
      expect(imported.stderr).toMatch(/portability feed shared with the cluster/);
      const delta = file('cluster-delta.csv', '1,port,13800138000,联通,2024-01-02\n');
      const applied = await runCli(['data', 'apply-delta', delta, '--data-dir', dataDir], { env });
      expect(applied.status, applied.stderr).toBe(0);

      // Another node, started on the same store with a data directory of its own, catches up.
      node = await startTestServer('sqlite', { ...env, MNPD_NPDB_FOLLOW_MS: '100' });
      // Every poll that finds the number not yet ported is a charged answer: enough for a slow start.
      const { apikey } = await node.account({ name: 'cluster-cli', balance: 100_000, qpsLimit: 10_000 });
      // A deadline, not a count of polls: on a busy machine each poll takes longer, not the sharing.
      const deadline = Date.now() + 40_000;
      const answer = async (mobile: string) => {
        while (Date.now() < deadline) {
          const { body } = await get<LookupBody>(node!.url, '/carrier', { apikey, mobile });
          if (body.result?.res === '1') return body.result;
          await sleep(50);
        }
        throw new Error(`${mobile} never answered as ported`);
      };
      expect(await answer('13972565391')).toMatchObject({ res: '1', Now_isp: '电信' });
      expect(await answer('13800138000')).toMatchObject({ res: '1', Now_isp: '联通' });
    } finally {
      await node?.close();
      await postgres.drop();
    }
  }, 120_000);
});
