import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { runCli } from './run-cli.js';
import { serve } from './serve.js';

type Answer = { code: number; result: Record<string, string> };

const children: ChildProcess[] = [];
afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

describe('mnpd serve on a fresh install', () => {
  it('prints a demo apikey that answers the seed example, and the balance drops to 99', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mnpd-serve-'));
    const port = await freePort();
    const { child, output } = await serve(dataDir, port);
    children.push(child);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const apikey = /demo account apikey: ([0-9a-f]{32})/.exec(output())?.[1];
    expect(apikey, output()).toBeDefined();
    expect(output()).toMatch(/operator login:\s+admin \/ \S{20,}/);
    const demoPassword = /demo console login:\s+demo \/ (\S{20,})/.exec(output())?.[1];
    expect(demoPassword, output()).toBeDefined();
    expect(output()).toContain(`web console:         http://127.0.0.1:${port}/console/`);
    const login = await fetch(`http://127.0.0.1:${port}/console/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'customer', name: 'demo', password: demoPassword }),
    });
    expect(login.status).toBe(200);

    const answer = await (
      await fetch(`http://127.0.0.1:${port}/carrier?apikey=${apikey}&mobile=13972565391`)
    ).json();
    expect(answer).toEqual({
      code: 0,
      reason: 'Succ',
      result: { res: '0', Mobile: '13972565391', Area: '湖北-宜昌', Init_isp: '移动', Now_isp: '移动' },
    });
    const balance = await (await fetch(`http://127.0.0.1:${port}/balance?apikey=${apikey}`)).json();
    expect(balance).toEqual({ code: 0, reason: 'Succ', result: { feeType: '预付费', balance: '99' } });

    // Logs never carry the key or the whole number; the first-start lines are the only place the key appears.
    const logLines = output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(apikey);
    expect(logLines.join('\n')).not.toContain('13972565391');

    // Graceful shutdown: SIGTERM exits 0 with every charge committed; a restart keeps the balance.
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const again = await serve(dataDir, port);
    children.push(again.child);
    expect(again.output()).not.toMatch(/first start/);
    const after = (await (await fetch(`http://127.0.0.1:${port}/balance?apikey=${apikey}`)).json()) as Answer;
    expect(after.result.balance).toBe('99');
  });

  it('applies portability data while serving: the inbox, and SIGHUP after a CLI change', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mnpd-serve-'));
    const port = await freePort();
    const { child, output } = await serve(dataDir, port);
    children.push(child);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const apikey = /demo account apikey: ([0-9a-f]{32})/.exec(output())![1];
    const ask = async () =>
      (
        (await (
          await fetch(`http://127.0.0.1:${port}/carrier?apikey=${apikey}&mobile=13972565391`)
        ).json()) as Answer
      ).result;
    expect(await ask()).toMatchObject({ res: '0', Now_isp: '移动' });
    // Dropped into the inbox: the server applies it by itself.
    writeFileSync(join(dataDir, 'inbox', 'ported.csv.part'), '13972565391,电信,2024-03-04\n');
    const { renameSync } = await import('node:fs');
    renameSync(join(dataDir, 'inbox', 'ported.csv.part'), join(dataDir, 'inbox', 'ported.csv'));
    for (let waited = 0; waited < 15_000 && (await ask()).res !== '1'; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await ask()).toMatchObject({ res: '1', Init_isp: '移动', Now_isp: '电信' });

    // Another process changes the snapshot; SIGHUP makes the server load it.
    const delta = join(dataDir, 'delta.csv');
    writeFileSync(delta, '1,return,13972565391,,\n');
    expect((await runCli(['data', 'apply-delta', delta, '--data-dir', dataDir])).status).toBe(0);
    expect(await ask()).toMatchObject({ res: '1' });
    child.kill('SIGHUP');
    for (let waited = 0; waited < 15_000 && (await ask()).res !== '0'; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await ask()).toMatchObject({ res: '0', Now_isp: '移动' });
  });

  it('refuses to start with a one-line message when its port is taken or its store unreachable', async () => {
    const port = await freePort();
    const first = await serve(mkdtempSync(join(tmpdir(), 'mnpd-serve-')), port);
    children.push(first.child);
    const taken = await runCli(['serve'], {
      env: {
        MNPD_DATA_DIR: mkdtempSync(join(tmpdir(), 'mnpd-serve-')),
        MNPD_PORT: String(port),
        MNPD_HOST: '127.0.0.1',
        DATABASE_URL: '',
      },
    });
    expect(taken.status).toBe(1);
    expect(taken.stderr.trim()).toMatch(/^mnpd: listen EADDRINUSE/);
    const unreachable = await runCli(['serve'], {
      env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', MNPD_PORT: '0', MNPD_HOST: '127.0.0.1' },
    });
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr.trim().split('\n')).toEqual(['mnpd: connect ECONNREFUSED 127.0.0.1:1']);
  });
});
