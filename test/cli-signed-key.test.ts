import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'aliyun-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../src/service/config.js';
import { type RunningServer, startServer } from '../src/server/start-server.js';
import { TEST_SEGMENTS_CSV } from '../src/test-support/test-server.js';
import { runCli } from './run-cli.js';

/** `mnpd key create --signed` prints a pair once; a server on the same data directory takes it. */
const dataDir = mkdtempSync(join(tmpdir(), 'mnpd-cli-signed-'));
const mnpd = (...args: string[]) => runCli([...args, '--data-dir', dataDir], { env: { DATABASE_URL: '' } });

let server: RunningServer;
beforeAll(async () => {
  const segments = join(dataDir, 'segments.csv');
  writeFileSync(segments, TEST_SEGMENTS_CSV);
  server = await startServer(
    configFromEnv({
      MNPD_PORT: '0',
      MNPD_HOST: '127.0.0.1',
      MNPD_DATA_DIR: dataDir,
      MNPD_SEGMENTS: segments,
    }),
    { logger: false },
  );
});
afterAll(() => server?.close());

describe('mnpd key create --signed', () => {
  it('prints an AppKey and AppSecret once, which sign requests the server answers', async () => {
    expect((await mnpd('account', 'create', 'gw', '--balance', '3')).status).toBe(0);
    const created = await mnpd('key', 'create', 'gw', '--signed', '--label', 'gateway');
    expect(created.status).toBe(0);
    const appKey = /AppKey: +([0-9a-f]{16})/.exec(created.stdout)![1];
    const appSecret = /AppSecret: +([0-9a-f]{32})/.exec(created.stdout)![1];

    const listed = await mnpd('key', 'list', 'gw', '--json');
    expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ kind: 'signed', appKey }));
    expect(listed.stdout).not.toContain(appSecret);

    const client = new Client(appKey, appSecret);
    const answer = await client.get(`${server.url}/carrier`, {
      query: { mobile: '13972565391' },
      headers: { accept: 'application/json' },
    });
    expect(answer).toMatchObject({ code: 0, result: { Mobile: '13972565391' } });

    const set = await mnpd('account', 'set', 'gw', '--require-signatures', 'on');
    expect(JSON.parse(set.stdout)).toMatchObject({ name: 'gw', requireSignatures: true });
    const off = await mnpd('account', 'set', 'nobody-signs', '--require-signatures', 'maybe');
    expect(off.status).toBe(1);
  });
});
