import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SECRET_KEY_FILE, SecretBox, SecretBoxError } from './secret-box.js';

const dir = mkdtempSync(join(tmpdir(), 'mnpd-box-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SecretBox', () => {
  it('seals and opens a secret under the data directory key, made once and private', () => {
    const box = SecretBox.open(dir);
    const sealed = box.seal('app-secret-1', 'appkey-1');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('app-secret-1');
    // Another process on the same data directory reads the same key.
    expect(SecretBox.open(dir).unseal(sealed, 'appkey-1')).toBe('app-secret-1');
    expect(statSync(join(dir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);
    // Sealing twice gives two texts (fresh IV).
    expect(box.seal('app-secret-1', 'appkey-1')).not.toBe(sealed);
  });

  it('does not open for another AppKey, another key, or altered text', () => {
    const box = SecretBox.open(dir);
    const sealed = box.seal('s', 'k1');
    expect(() => box.unseal(sealed, 'k2')).toThrow(SecretBoxError);
    expect(() => SecretBox.open(dir, 'ab'.repeat(32)).unseal(sealed, 'k1')).toThrow(SecretBoxError);
    const altered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    expect(() => box.unseal(altered, 'k1')).toThrow(SecretBoxError);
    expect(() => box.unseal('plain', 'k1')).toThrow(SecretBoxError);
  });

  it('takes a key from MNPD_SECRET_KEY, shared by the nodes of a cluster, and refuses a bad one', () => {
    const key = 'cd'.repeat(32);
    const sealed = SecretBox.open('/nonexistent-a', key).seal('s', 'k');
    expect(SecretBox.open('/nonexistent-b', key).unseal(sealed, 'k')).toBe('s');
    expect(() => SecretBox.open(dir, 'short')).toThrow(/64 hexadecimal/);
  });
});
