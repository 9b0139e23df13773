/**
 * What the CLI or the drop folder changes reaches the servers running on the same store within
 * seconds, without a signal: a server on the same data directory sees the snapshot replaced, a node
 * on the same PostgreSQL store follows the shared feed.
 */
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type LookupBody, get, sleep } from '../src/http/test-support/http-client.js';
import { freshPostgresSchema } from '../src/test-support/test-databases.js';
import { type TestServer, startTestServer } from '../src/test-support/test-server.js';
import { runCli } from './run-cli.js';

/** The servers' defaults: a second for the snapshot watch, five for following the cluster's feeds. */
const WITHIN_MS = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'mnpd-cli-reach-'));
const servers: TestServer[] = [];
const drops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const drop of drops.splice(0)) await drop();
});

/** How long until the server answers `mobile` as ported to `carrier`; fails past WITHIN_MS. */
async function msUntilPorted(server: TestServer, apikey: string, mobile: string, carrier: string) {
  const started = Date.now();
  while (Date.now() - started < WITHIN_MS) {
    const { body } = await get<LookupBody>(server.url, '/carrier', { apikey, mobile });
    if (body.result?.res === '1' && body.result.Now_isp === carrier) return Date.now() - started;
    await sleep(50);
  }
  throw new Error(`${mobile} not ported to ${carrier} within ${WITHIN_MS} ms`);
}

async function serverWithKey(env: Record<string, string> = {}) {
  const server = await startTestServer('sqlite', env);
  servers.push(server);
  const { apikey } = await server.account({
    name: `reach-${servers.length}`,
    balance: 100_000,
    qpsLimit: 10_000,
  });
  return { server, apikey };
}

describe('a change made beside running servers (SQLite: the same data directory)', () => {
  it('reaches the server from `mnpd data import-ported` and `apply-delta`, and from its drop folder', async () => {
    const { server, apikey } = await serverWithKey();
    const full = join(dir, 'full.csv');
    writeFileSync(full, 'mobile,carrier,ported_at\n13972565391,电信,2023-05-06\n');
    const imported = await runCli(['data', 'import-ported', full, '--data-dir', server.dataDir]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(await msUntilPorted(server, apikey, '13972565391', '电信')).toBeLessThan(WITHIN_MS);

    const delta = join(dir, 'delta.csv');
    writeFileSync(delta, '1,port,13972565391,联通,2024-01-02\n');
    expect((await runCli(['data', 'apply-delta', delta, '--data-dir', server.dataDir])).status).toBe(0);
    expect(await msUntilPorted(server, apikey, '13972565391', '联通')).toBeLessThan(WITHIN_MS);

    mkdirSync(join(server.dataDir, 'inbox'), { recursive: true });
    const part = join(server.dataDir, 'inbox', 'd2.csv.part');
    writeFileSync(part, '2,port,13800138000,电信,2024-02-03\n');
    renameSync(part, join(server.dataDir, 'inbox', 'd2.csv'));
    expect(await msUntilPorted(server, apikey, '13800138000', '电信')).toBeLessThan(WITHIN_MS);

    const { rows } = await server.server.deps.store.listDataImports();
    expect(rows.map((row) => [row.origin, row.fileName, row.status])).toEqual([
      ['inbox', 'd2.csv', 'applied'],
      ['cli', 'delta.csv', 'applied'],
      ['cli', 'full.csv', 'applied'],
    ]);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('a change made on one node of a PostgreSQL cluster', () => {
  it('reaches the node on the same data directory and a node with its own, from the CLI', async () => {
    const postgres = await freshPostgresSchema();
    drops.push(postgres.drop);
    const env = { DATABASE_URL: postgres.url };
    const here = await serverWithKey(env);
    const there = await serverWithKey(env);
    const full = join(dir, 'cluster-full.csv');
    writeFileSync(full, 'mobile,carrier,ported_at\n13972565391,电信,2023-05-06\n');
    const imported = await runCli(['data', 'import-ported', full, '--data-dir', here.server.dataDir], {
      env,
    });
    expect(imported.status, imported.stderr).toBe(0);
    expect(await msUntilPorted(here.server, here.apikey, '13972565391', '电信')).toBeLessThan(WITHIN_MS);
    expect(await msUntilPorted(there.server, there.apikey, '13972565391', '电信')).toBeLessThan(WITHIN_MS);
    // The import is in the history of the node that ran it, and of the node that followed it.
    const { rows } = await there.server.server.deps.store.listDataImports();
    expect(rows.map((row) => row.origin).sort()).toEqual(['cli', 'cluster']);
  });
});
