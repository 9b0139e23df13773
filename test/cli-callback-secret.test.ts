import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCallbackSecret } from '../src/service/callbacks/callback-secret.js';
import { openStore } from '../src/store/open-store.js';
import { runCli } from './run-cli.js';

const dataDir = mkdtempSync(join(tmpdir(), 'mnpd-cli-callback-'));
const mnpd = (...args: string[]) => runCli([...args, '--data-dir', dataDir], { env: { DATABASE_URL: '' } });

describe('mnpd account callback-secret', () => {
  it('prints a new secret each time, stores the last, and audits the change without the secret', async () => {
    expect((await mnpd('account', 'create', 'hooks', '--balance', '5')).status).toBe(0);
    const first = await mnpd('account', 'callback-secret', 'hooks');
    expect(first.status).toBe(0);
    const printed = /: (cbsec_\S+)/.exec(first.stdout)![1];
    expect(isCallbackSecret(printed)).toBe(true);
    const second = JSON.parse((await mnpd('account', 'callback-secret', 'hooks', '--json')).stdout);
    expect(second.callbackSecret).not.toBe(printed);
    const store = await openStore(undefined, dataDir);
    try {
      const account = await store.getAccountByName('hooks');
      expect(await store.callbackSecret(account!.id)).toBe(second.callbackSecret);
      const audit = JSON.stringify((await store.auditLog()).rows);
      expect(audit).toContain('account.callback_secret');
      expect(audit).not.toContain('cbsec_');
    } finally {
      await store.close();
    }
    const unknown = await mnpd('account', 'callback-secret', 'nobody');
    expect(unknown.status).toBe(1);
  });
});
