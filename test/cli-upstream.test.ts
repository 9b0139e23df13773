import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open-store.js';
import { FAKE_QXT_APIKEY, FakeQxt } from '../src/service/upstream/test-support/fake-qxt.js';
import { runCli } from './run-cli.js';

const dataDir = mkdtempSync(join(tmpdir(), 'mnpd-cli-upstream-'));
const mnpd = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { env: { DATABASE_URL: '', ...env } });

describe('mnpd upstream', () => {
  let fake: FakeQxt;
  let file: string;
  beforeAll(async () => {
    fake = await FakeQxt.start({
      numbers: { '13972565391': { result: { res: '1', Now_isp: '电信' } } },
      balance: { feeType: '预付费', balance: '321' },
    });
    file = join(dataDir, 'upstreams.yaml');
    writeFileSync(
      file,
      [
        'policy: cache-first',
        'providers:',
        '  - name: main',
        '    kind: qxt',
        `    url: ${fake.url}`,
        '    apikey: {env: MAIN_APIKEY}',
        '    costFen: 3',
      ].join('\n'),
    );
  });
  afterAll(() => fake.close());

  it('tests a provider with one number, without printing the number or the key', async () => {
    const run = await mnpd(['upstream', 'test', 'main', '13972565391', '--file', file], {
      MAIN_APIKEY: FAKE_QXT_APIKEY,
    });
    expect(run.status).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed).toMatchObject({ provider: 'main', kind: 'answer', answer: { carrier: 2, ported: true } });
    expect(run.stdout).not.toContain('13972565391');
    expect(run.stdout).not.toContain(FAKE_QXT_APIKEY);
    const unknown = await mnpd(['upstream', 'test', 'other', '13972565391', '--file', file], {
      MAIN_APIKEY: FAKE_QXT_APIKEY,
    });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no provider other/);
  });

  it('refuses a file with mistakes, one line each', async () => {
    const run = await mnpd(['upstream', 'stats', '--file', file, '--data-dir', dataDir]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/providers\[0\] \(main\): apikey/);
  });

  it('shows the providers with their balance and the cache, and forgets a number', async () => {
    const store = await openStore(undefined, dataDir);
    await store.migrate();
    await store.cacheAnswers([
      {
        mobile: '13972565391',
        res: '1',
        initIsp: '移动',
        nowIsp: '电信',
        provider: 'main',
        checkedAt: new Date(),
      },
    ]);
    await store.close();
    const env = { MAIN_APIKEY: FAKE_QXT_APIKEY, MNPD_UPSTREAMS: file };
    const stats = await mnpd(['upstream', 'stats', '--data-dir', dataDir], env);
    expect(stats.status).toBe(0);
    const shown = JSON.parse(stats.stdout);
    expect(shown).toMatchObject({ policy: 'cache-first', cachedNumbers: 1 });
    expect(shown.providers[0]).toMatchObject({ name: 'main', kind: 'qxt', balance: { balance: 321 } });
    expect(stats.stdout).not.toContain(FAKE_QXT_APIKEY);
    const forget = await mnpd(['upstream', 'forget', '13972565391', '--data-dir', dataDir]);
    expect(forget.stdout).toMatch(/^forgot 139\*+5391|^forgot /);
    const again = await mnpd(['upstream', 'stats', '--data-dir', dataDir], env);
    expect(JSON.parse(again.stdout).cachedNumbers).toBe(0);
  });

  it('sets an account local-only', async () => {
    await mnpd(['account', 'create', 'kept-home', '--data-dir', dataDir]);
    const set = await mnpd(['account', 'set', 'kept-home', '--local-only', 'on', '--data-dir', dataDir]);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: 'kept-home', localOnly: true });
    const bad = await mnpd(['account', 'set', 'kept-home', '--local-only', 'maybe', '--data-dir', dataDir]);
    expect(bad.status).toBe(1);
  });
});
