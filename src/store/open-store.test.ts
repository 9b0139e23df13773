import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, storeTarget } from './open-store.js';
import { StoreError } from './store.js';

describe('storeTarget', () => {
  it('defaults to the SQLite file of the data directory', () => {
    expect(storeTarget(undefined, '/var/lib/mnpd')).toEqual({
      engine: 'sqlite',
      file: '/var/lib/mnpd/mnpd.sqlite',
    });
    expect(storeTarget('  ', '/var/lib/mnpd')).toEqual({
      engine: 'sqlite',
      file: '/var/lib/mnpd/mnpd.sqlite',
    });
  });

  it('reads sqlite: URLs and SQLite file names', () => {
    expect(storeTarget('sqlite:data/x.sqlite', '/d')).toEqual({ engine: 'sqlite', file: 'data/x.sqlite' });
    expect(storeTarget('sqlite:/srv/mnpd', '/d')).toEqual({ engine: 'sqlite', file: '/srv/mnpd' });
    expect(storeTarget('sqlite:///srv/mnpd.db', '/d')).toEqual({ engine: 'sqlite', file: '/srv/mnpd.db' });
    expect(storeTarget('/srv/mnpd.db', '/d')).toEqual({ engine: 'sqlite', file: '/srv/mnpd.db' });
    expect(storeTarget('billing.SQLITE3', '/d')).toEqual({ engine: 'sqlite', file: 'billing.SQLITE3' });
  });

  it('reads PostgreSQL URLs', () => {
    const url = 'postgresql://mnpd:secret@db.internal:5432/mnpd?sslmode=require';
    expect(storeTarget(url, '/d')).toEqual({ engine: 'postgres', url });
    expect(storeTarget('postgres://db/mnpd', '/d')).toEqual({
      engine: 'postgres',
      url: 'postgres://db/mnpd',
    });
  });

  it('refuses anything else', () => {
    expect(() => storeTarget('mysql://db/mnpd', '/d')).toThrow(StoreError);
    expect(() => storeTarget('sqlite:', '/d')).toThrow(StoreError);
    expect(() => storeTarget('/srv/mnpd.txt', '/d')).toThrow(/unsupported database URL/);
  });
});

describe('openStore', () => {
  it('creates the data directory and a migrated SQLite database in it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mnpd-open-'));
    const dataDir = join(dir, 'not', 'there', 'yet');
    try {
      const store = await openStore(undefined, dataDir);
      try {
        expect(existsSync(join(dataDir, 'mnpd.sqlite'))).toBe(true);
        const account = await store.createAccount({ name: 'first', feeType: 'prepaid', balance: 1 });
        expect(await store.getAccount(account.id)).toEqual(account);
      } finally {
        await store.close();
      }
      // Reopening finds the schema and the data in place.
      const again = await openStore(`sqlite:${join(dataDir, 'mnpd.sqlite')}`, '/unused');
      try {
        expect((await again.listAccounts()).map((a) => a.name)).toEqual(['first']);
      } finally {
        await again.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
