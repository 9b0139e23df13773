/**
 * 0007: which door each portability import came through (the console, the CLI, the drop folder or
 * a cluster follower), so the import history shows all of them. Imports recorded before were
 * uploads on the console, the only door that recorded them.
 */
import type { Migration } from 'kysely';
import type { AnyDb } from './migration-kit.js';

export function importOrigins(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('data_imports')
        .addColumn('origin', 'text', (c) => c.notNull().defaultTo('console'))
        .execute();
    },
  };
}
