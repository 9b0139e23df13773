import { mkdtempSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open-store.js';
import { runCli } from './run-cli.js';

// The operator commands on the data directory's SQLite store (DATABASE_URL is cleared for them).
const dataDir = mkdtempSync(join(tmpdir(), 'mnpd-cli-account-'));
const mnpd = (...args: string[]) => runCli([...args, '--data-dir', dataDir], { env: { DATABASE_URL: '' } });
const json = async (...args: string[]) => JSON.parse((await mnpd(...args, '--json')).stdout);

describe('mnpd account / key / appcode / ip', () => {
  it('creates accounts with a key shown once, tops up and adjusts through the ledger', async () => {
    const created = await json('account', 'create', 'acme', '--balance', '500');
    expect(created).toMatchObject({ name: 'acme', feeType: 'prepaid', balance: 500, status: 'active' });
    expect(created.apikey).toMatch(/^[0-9a-f]{32}$/);
    const postpaid = await json(
      'account',
      'create',
      'later',
      '--postpaid',
      '--credit-limit',
      '100',
      '--qps',
      '5',
    );
    expect(postpaid).toMatchObject({ feeType: 'postpaid', creditLimit: 100, qpsLimit: 5 });

    expect((await mnpd('account', 'topup', 'acme', '250', '--reason', 'invoice 42')).stdout).toMatch(
      /balance 750/,
    );
    expect((await mnpd('account', 'adjust', 'acme', '-50', '--reason', 'correction')).stdout).toMatch(
      /balance 700/,
    );
    const ledger = await json('account', 'ledger', 'acme');
    expect(ledger.balance).toBe(700);
    expect(ledger.ledgerSum).toBe(700);
    expect(
      ledger.entries.map((entry: { delta: number; reason: string }) => [entry.delta, entry.reason]),
    ).toEqual([
      [-50, 'adjustment: correction'],
      [250, 'topup: invoice 42'],
      [500, 'opening balance'],
    ]);
    const accounts = await json('account', 'list');
    expect(accounts.map((account: { name: string }) => account.name).sort()).toEqual(['acme', 'later']);
  });

  it('creates, lists and revokes keys and appcodes without ever listing a secret', async () => {
    const key = await json('key', 'create', 'acme', '--label', 'prod');
    const appcode = await mnpd('appcode', 'create', 'acme');
    const secret = /: ([0-9a-f]{32})/.exec(appcode.stdout)![1];
    const keys = await json('key', 'list', 'acme');
    expect(keys.map((k: { kind: string }) => k.kind).sort()).toEqual(['apikey', 'apikey', 'appcode']);
    expect(JSON.stringify(keys)).not.toContain(key.apikey);
    expect(JSON.stringify(keys)).not.toContain(secret);
    expect((await mnpd('key', 'revoke', 'acme', String(key.id))).status).toBe(0);
    const again = await mnpd('key', 'revoke', 'acme', String(key.id));
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/no active key/);
  });

  it('keeps an IP whitelist of normalised CIDRs', async () => {
    expect((await mnpd('ip', 'allow', 'acme', '10.1.2.3/8')).stdout).toMatch(/allowed 10\.0\.0\.0\/8/);
    expect((await mnpd('ip', 'allow', 'acme', '2001:db8::1')).stdout).toMatch(/allowed 2001:db8::1\/128/);
    expect((await mnpd('ip', 'list', 'acme')).stdout.trim().split('\n')).toEqual([
      '10.0.0.0/8',
      '2001:db8::1/128',
    ]);
    expect((await mnpd('ip', 'deny', 'acme', '10.0.0.0/8')).status).toBe(0);
    expect((await mnpd('ip', 'list', 'acme')).stdout.trim()).toBe('2001:db8::1/128');
  });

  it.each([
    [['account', 'topup', 'nobody', '5'], /no account named "nobody"/],
    [['account', 'create', 'acme'], /acme/],
    [['account', 'topup', 'acme', '-5'], /must be a whole number/],
    [['account', 'topup', 'acme', 'ten'], /must be a whole number/],
    [['account', 'set', 'acme', '--status', 'frozen'], /active or suspended/],
    [['account', 'create', 'x', '--credit-limit', '5'], /--credit-limit is for --postpaid/],
    [['ip', 'allow', 'acme', '300.1.1.1'], /not an IPv4\/IPv6 address or CIDR/],
  ])('refuses %j with a one-line message', async (args, message) => {
    const run = await mnpd(...args);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the audit log of CLI changes', () => {
  it('records every operator change made with the CLI, naming the CLI and the OS user, never a secret', async () => {
    expect((await mnpd('account', 'set', 'acme', '--qps', '50')).status).toBe(0);
    const store = await openStore(undefined, dataDir);
    try {
      const { rows } = await store.auditLog({ limit: 1000 });
      const user = `cli:${userInfo().username}`;
      expect(new Set(rows.map((row) => row.operator))).toEqual(new Set([user]));
      const actions = rows.map((row) => row.action).reverse();
      for (const action of [
        'account.create',
        'account.topup',
        'account.adjust',
        'account.update',
        'key.create',
        'key.revoke',
        'ip.add',
        'ip.remove',
      ]) {
        expect(actions).toContain(action);
      }
      const topup = rows.find((row) => row.action === 'account.topup')!;
      expect(JSON.parse(topup.details)).toMatchObject({ delta: 250, reason: 'topup: invoice 42' });
      // Keys are shown once: the audit log names them by id and hint only.
      for (const row of rows) expect(row.details).not.toMatch(/[0-9a-f]{32}/);
    } finally {
      await store.close();
    }
  });
});
