import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Account, AccountStore, KeyKind, KeyRecord } from '../../store/store.js';
import { KEY_CACHE_MS, KeyResolver } from './key-resolver.js';
import { APIKEY_LENGTH, hashSecret, newSecret, secretHint } from '../accounts/secrets.js';

const account: Account = {
  id: 7,
  name: 'acme',
  feeType: 'prepaid',
  balance: 10,
  creditLimit: null,
  qpsLimit: null,
  status: 'active',
  lowBalanceThreshold: null,
  createdAt: new Date(0),
  requireSignatures: false,
};

function keyRecord(secret: string): KeyRecord {
  return {
    id: 3,
    accountId: 7,
    kind: 'apikey',
    hash: hashSecret(secret),
    hint: secretHint(secret),
    label: '',
    createdAt: new Date(0),
    revokedAt: null,
  };
}

/** A store that knows one apikey and counts its lookups. */
function fakeStore(secret: string, cidrs: string[] = []) {
  const calls = { findKey: 0, listIpRules: 0 };
  const store: Pick<AccountStore, 'findKey' | 'listIpRules'> = {
    async findKey(kind: KeyKind, hash: string) {
      calls.findKey++;
      return kind === 'apikey' && hash === hashSecret(secret)
        ? { key: keyRecord(secret), account }
        : undefined;
    },
    async listIpRules(accountId: number) {
      calls.listIpRules++;
      return cidrs.map((cidr, i) => ({ id: i + 1, accountId, cidr }));
    },
  };
  return { store, calls };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('secrets', () => {
  it('hashes with SHA-256 hex', () => {
    expect(hashSecret('abc')).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(hashSecret('abc')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('makes new secrets of 32 lowercase hex characters, all different', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => newSecret()));
    expect(secrets.size).toBe(200);
    for (const secret of secrets) expect(secret).toMatch(new RegExp(`^[0-9a-f]{${APIKEY_LENGTH}}$`));
  });

  it('hints a secret by its ends only', () => {
    expect(secretHint('7c11272au708345c834b8ue81ac78972')).toBe('7c11…72');
  });
});

describe('KeyResolver', () => {
  it('resolves a key with its account and IP rules', async () => {
    const secret = newSecret();
    const { store } = fakeStore(secret, ['10.0.0.0/8']);
    const principal = await new KeyResolver(store).resolve('apikey', secret);
    expect(principal).toEqual({ key: keyRecord(secret), account, cidrs: ['10.0.0.0/8'] });
  });

  it('answers undefined for an unknown key or another kind', async () => {
    const secret = newSecret();
    const resolver = new KeyResolver(fakeStore(secret).store);
    expect(await resolver.resolve('apikey', newSecret())).toBeUndefined();
    expect(await resolver.resolve('appcode', secret)).toBeUndefined();
  });

  it('caches hits and misses for KEY_CACHE_MS, then asks the store again', async () => {
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const secret = newSecret();
    const unknown = newSecret();
    const { store, calls } = fakeStore(secret);
    const resolver = new KeyResolver(store);
    await resolver.resolve('apikey', secret);
    await resolver.resolve('apikey', unknown);
    expect(calls.findKey).toBe(2);
    now += KEY_CACHE_MS - 1;
    await resolver.resolve('apikey', secret);
    await resolver.resolve('apikey', unknown);
    expect(calls.findKey).toBe(2);
    expect(calls.listIpRules).toBe(1);
    now += 1;
    await resolver.resolve('apikey', secret);
    await resolver.resolve('apikey', unknown);
    expect(calls.findKey).toBe(4);
  });

  it('caches a secret longer than any key too, each apart from another that differs in one character', async () => {
    const { store, calls } = fakeStore(newSecret());
    const resolver = new KeyResolver(store);
    const long = 'x'.repeat(8000);
    expect(await resolver.resolve('appcode', `${long}a`)).toBeUndefined();
    expect(await resolver.resolve('appcode', `${long}a`)).toBeUndefined();
    expect(calls.findKey).toBe(1);
    expect(await resolver.resolve('appcode', `${long}b`)).toBeUndefined();
    expect(calls.findKey).toBe(2);
  });

  it('forgets everything on invalidate', async () => {
    const secret = newSecret();
    const { store, calls } = fakeStore(secret);
    const resolver = new KeyResolver(store);
    await resolver.resolve('apikey', secret);
    resolver.invalidate();
    await resolver.resolve('apikey', secret);
    expect(calls.findKey).toBe(2);
  });

  it('keeps apikeys and appcodes with the same secret apart in the cache', async () => {
    const secret = newSecret();
    const { store, calls } = fakeStore(secret);
    const resolver = new KeyResolver(store);
    expect(await resolver.resolve('apikey', secret)).toBeDefined();
    expect(await resolver.resolve('appcode', secret)).toBeUndefined();
    expect(calls.findKey).toBe(2);
  });
});
