/** `mnpd serve` with MNPD_UPSTREAMS, as a user runs it: a bad file refused, SIGHUP reloads. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_QXT_APIKEY, FakeQxt } from '../src/service/upstream/test-support/fake-qxt.js';
import { freePort } from './free-port.js';
import { runCli } from './run-cli.js';
import { serve } from './serve.js';

const dir = mkdtempSync(join(tmpdir(), 'mnpd-serve-upstreams-'));

function file(name: string, providers: string[]): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    JSON.stringify({
      policy: 'cache-first',
      providers: providers.map((provider) => ({
        name: provider,
        kind: 'qxt',
        url: fake.url,
        apikey: { env: 'UPSTREAM_KEY' },
        balance: false,
      })),
    }),
  );
  return path;
}

let fake: FakeQxt;
beforeAll(async () => {
  fake = await FakeQxt.start();
});
afterAll(() => fake.close());

async function metricProviders(port: number): Promise<string[]> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^mnpd_upstream_breaker_state\{provider="([^"]+)"\}/gm)].map((m) => m[1]);
}

describe('mnpd serve with MNPD_UPSTREAMS', () => {
  it('refuses to start on a bad file, one line per mistake, without the secret', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'policy: sometimes\nproviders:\n  - {name: x, kind: qxt, url: nope, apikey: short}\n');
    const run = await runCli(['serve'], {
      env: {
        MNPD_UPSTREAMS: bad,
        MNPD_DATA_DIR: join(dir, 'refused'),
        MNPD_PORT: '0',
        MNPD_HOST: '127.0.0.1',
      },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/policy/);
    expect(run.stderr).toMatch(/providers\[0\] \(x\): url/);
    expect(run.stderr).toMatch(/providers\[0\] \(x\): apikey/);
    expect(run.stderr).not.toContain('short');
  });

  it('reloads the file on SIGHUP, and keeps the providers in use when the new file is bad', async () => {
    const path = file('upstreams.json', ['first']);
    const port = await freePort();
    const served = await serve(join(dir, 'data'), port, {
      MNPD_UPSTREAMS: path,
      UPSTREAM_KEY: FAKE_QXT_APIKEY,
    });
    try {
      expect(await metricProviders(port)).toEqual(['first']);
      file('upstreams.json', ['second', 'third']);
      served.child.kill('SIGHUP');
      for (let i = 0; i < 100 && (await metricProviders(port)).length !== 2; i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await metricProviders(port)).toEqual(['second', 'third']);
      writeFileSync(path, '{"policy": "realtime", "providers": [');
      served.child.kill('SIGHUP');
      for (let i = 0; i < 100 && !served.output().includes('not reloaded'); i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(served.output()).toMatch(/upstream providers file not reloaded/);
      expect(await metricProviders(port)).toEqual(['second', 'third']);
      expect(served.output()).not.toContain(FAKE_QXT_APIKEY);
    } finally {
      served.child.kill('SIGTERM');
      await new Promise((resolve) => served.child.once('exit', resolve));
    }
  });
});
