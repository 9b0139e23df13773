/**
 * 0005: where each shared portability feed was applied first, as that node named it. A node that
 * recorded a feed and stopped before it could forget having to record it records it again at its
 * next start; the name, unique, makes that second recording a no-op instead of a second feed.
 */
import type { Migration } from 'kysely';
import type { AnyDb } from './migration-kit.js';

export function feedOrigins(): Migration {
  return {
    async up(db: AnyDb) {
      // Null for the feeds recorded before: unique indexes let nulls repeat on both engines.
      await db.schema.alterTable('ported_feeds').addColumn('origin', 'text').execute();
      await db.schema
        .createIndex('ported_feeds_origin')
        .on('ported_feeds')
        .column('origin')
        .unique()
        .execute();
    },
  };
}
