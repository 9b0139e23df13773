/**
 * 0003: a lease on each batch job, so that of a cluster's nodes one works a job at a time (the
 * others would look every chunk up again, only to find it committed) and another takes it over
 * when the lease runs out because its node stopped.
 */
import type { Migration } from 'kysely';
import { type AnyDb, columnTypes } from './migration-kit.js';
import type { Engine } from './schema.js';

export function batchLeases(engine: Engine): Migration {
  const { timestamp } = columnTypes(engine);
  return {
    async up(db: AnyDb) {
      // One column per statement: SQLite's ALTER TABLE adds one at a time.
      await db.schema.alterTable('batch_jobs').addColumn('lease_owner', 'text').execute();
      await db.schema.alterTable('batch_jobs').addColumn('lease_until', timestamp).execute();
    },
  };
}
