/**
 * 0015: keys issued as an AppKey/AppSecret pair (requests signed as Aliyun's API gateway signs
 * them), and the account's choice to accept signed requests only.
 *
 * A signed key is an `api_keys` row like any other (so billing, the query log, listings and
 * revocation treat it as a key), whose `hash` is that of a secret thrown away when it was made:
 * nobody can present it as an apikey. Its AppKey and its AppSecret live in `signing_keys`; the
 * AppSecret must be read back to verify an HMAC, so it is kept sealed (AES-256-GCM) under a key of
 * the server's, never in clear (see service/api-signatures/secret-box.ts).
 */
import type { Migration } from 'kysely';
import type { AnyDb } from './migration-kit.js';

export function signedKeys(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('accounts')
        .addColumn('require_signatures', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('signing_keys')
        .addColumn('key_id', 'bigint', (c) => c.primaryKey().references('api_keys.id'))
        .addColumn('app_key', 'text', (c) => c.notNull().unique())
        .addColumn('sealed_secret', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
