/**
 * 0011: one row a readiness probe writes, so that /readyz says "not ready" while the store can be
 * read but not written (a full disk answers every charge -8 while reads still work).
 */
import type { Migration } from 'kysely';
import { type AnyDb, columnTypes } from './migration-kit.js';
import type { Engine } from './schema.js';

export function storeHealth(engine: Engine): Migration {
  const { timestamp } = columnTypes(engine);
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('store_health')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('probed_at', timestamp, (c) => c.notNull())
        .execute();
    },
  };
}
