import { describe, expect, it } from 'vitest';
import { hashPassword, newPassword, verifyPassword } from './passwords.js';

describe('operator passwords', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct horse ', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
  });

  it('refuses stored values of another scheme or cut short', async () => {
    const stored = await hashPassword('pw');
    expect(await verifyPassword('pw', stored.replace(/^scrypt/, 'bcrypt'))).toBe(false);
    expect(await verifyPassword('pw', 'scrypt$32768$8$1$')).toBe(false);
    expect(await verifyPassword('pw', '')).toBe(false);
  });

  it('makes new passwords of 24 URL-safe characters', () => {
    const password = newPassword();
    expect(password).toMatch(/^[\w-]{24}$/);
    expect(newPassword()).not.toBe(password);
  });
});
