/**
 * 0013: segment data that changes while serving. Every segment file an operator applies is kept
 * here, file and all (chunks, as portability feeds are), so that every node of a cluster can load
 * the version in use and go back to an earlier one; one row says which version is in use and
 * counts every change, which is what the nodes poll; operators' corrections of prefixes sit above
 * whichever version is in use.
 */
import type { Migration } from 'kysely';
import { type AnyDb, columnTypes } from './migration-kit.js';
import type { Engine } from './schema.js';

export function segmentVersions(engine: Engine): Migration {
  const { timestamp, withId } = columnTypes(engine);
  const bytes = engine === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: AnyDb) {
      await withId(db.schema.createTable('segment_versions'))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('node', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull().unique())
        .addColumn('data_version', 'text', (c) => c.notNull())
        .addColumn('segments', 'integer', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('chunks', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('segment_version_chunks')
        .addColumn('version_id', 'bigint', (c) =>
          c.notNull().references('segment_versions.id').onDelete('cascade'),
        )
        .addColumn('chunk_no', 'integer', (c) => c.notNull())
        .addColumn('data', bytes, (c) => c.notNull())
        .addPrimaryKeyConstraint('segment_version_chunks_pk', ['version_id', 'chunk_no'])
        .execute();
      // One row (id 1). active_version_id null: the server's own data (MNPD_SEGMENTS or the
      // embedded default). previous_version_id: what a rollback without a version goes back to,
      // 0 for the server's own data, null for nothing.
      await db.schema
        .createTable('segment_state')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('active_version_id', 'bigint')
        .addColumn('previous_version_id', 'bigint')
        .addColumn('revision', 'bigint', (c) => c.notNull())
        .addColumn('changed_at', timestamp, (c) => c.notNull())
        .execute();
      await withId(db.schema.createTable('segment_overrides'))
        .addColumn('first_prefix', 'integer', (c) => c.notNull())
        .addColumn('last_prefix', 'integer', (c) => c.notNull())
        .addColumn('province', 'text')
        .addColumn('city', 'text')
        .addColumn('zip', 'text')
        .addColumn('area_code', 'text')
        .addColumn('type', 'integer')
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('segment_overrides_range')
        .on('segment_overrides')
        .columns(['first_prefix', 'last_prefix'])
        .unique()
        .execute();
    },
  };
}
