import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newCallbackSecret, isCallbackSecret } from './callback-secret.js';
import { signCallback, verifyCallbackSignature } from './callback-signature.js';

const NOW = Date.parse('2025-03-01T08:00:00Z');
const SECRET = 'cbsec_k3Xo0mJmJ1q0h7xT8zJ4dG9wJc2m5Vb1nQe6rTy8uIo';
const BODY = '{"id":"evt_1","type":"job.finished","data":{"jobId":"j1"}}';

describe('signCallback', () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">, as a receiver computes it', () => {
    const t = NOW / 1000;
    const hex = createHmac('sha256', SECRET).update(`${t}.${BODY}`).digest('hex');
    expect(signCallback(BODY, SECRET, NOW + 999)).toBe(`t=${t},v1=${hex}`);
  });
});

describe('verifyCallbackSignature', () => {
  const header = signCallback(BODY, SECRET, NOW);

  it('accepts the body as sent, within five minutes', () => {
    expect(verifyCallbackSignature(header, BODY, SECRET, { now: NOW + 299_000 })).toEqual({
      ok: true,
      timestamp: NOW / 1000,
    });
    expect(verifyCallbackSignature(header, Buffer.from(BODY), SECRET, { now: NOW })).toMatchObject({
      ok: true,
    });
  });

  it('refuses a changed body, another secret, an old or future time', () => {
    expect(verifyCallbackSignature(header, BODY.replace('j1', 'j2'), SECRET, { now: NOW })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyCallbackSignature(header, BODY, newCallbackSecret(), { now: NOW })).toMatchObject({
      reason: 'mismatch',
    });
    expect(verifyCallbackSignature(header, BODY, SECRET, { now: NOW + 301_000 })).toMatchObject({
      reason: 'stale',
    });
    expect(verifyCallbackSignature(header, BODY, SECRET, { now: NOW - 301_000 })).toMatchObject({
      reason: 'stale',
    });
    expect(
      verifyCallbackSignature(header, BODY, SECRET, { now: NOW + 3_000_000, toleranceSeconds: 3600 }),
    ).toMatchObject({
      ok: true,
    });
  });

  it('refuses a time moved to a fresh one: the time is signed with the body', () => {
    const [, v1] = header.split(',');
    const moved = `t=${NOW / 1000 + 600},${v1}`;
    expect(verifyCallbackSignature(moved, BODY, SECRET, { now: NOW + 600_000 })).toMatchObject({
      reason: 'mismatch',
    });
  });

  it('accepts any of several secrets and any of several v1 values, for rotation', () => {
    const old = newCallbackSecret();
    expect(verifyCallbackSignature(header, BODY, [old, SECRET], { now: NOW })).toMatchObject({ ok: true });
    const both = `${header},v1=${'0'.repeat(64)}`;
    expect(verifyCallbackSignature(both, BODY, SECRET, { now: NOW })).toMatchObject({ ok: true });
  });

  it.each([
    undefined,
    '',
    'v1=abc',
    `t=${NOW / 1000}`,
    `t=x,v1=${'a'.repeat(64)}`,
    `t=1,v1=${'a'.repeat(63)}`,
    `t=1,v1=${'a'.repeat(2000)}`,
  ])('calls %j malformed', (value) => {
    expect(verifyCallbackSignature(value, BODY, SECRET, { now: NOW })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});

describe('newCallbackSecret', () => {
  it('is 256 random bits with a prefix that says what it is', () => {
    const secrets = new Set(Array.from({ length: 100 }, () => newCallbackSecret()));
    expect(secrets.size).toBe(100);
    for (const secret of secrets) expect(isCallbackSecret(secret)).toBe(true);
    expect(isCallbackSecret('a'.repeat(32))).toBe(false);
  });
});
