/**
 * 0004: the portability feeds of a cluster. A node that applies a feed (a console upload, a file
 * of its drop folder) records it here, file and all, and the other nodes follow this log: every
 * node's portability database goes through the same feeds in the same order.
 */
import type { Migration } from 'kysely';
import { type AnyDb, columnTypes } from './migration-kit.js';
import type { Engine } from './schema.js';

export function portedFeeds(engine: Engine): Migration {
  const { timestamp, withId } = columnTypes(engine);
  return {
    async up(db: AnyDb) {
      await withId(db.schema.createTable('ported_feeds'))
        .addColumn('at', timestamp, (c) => c.notNull())
        .addColumn('node', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('skip_invalid', 'integer', (c) => c.notNull())
        .addColumn('seq', 'bigint')
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('chunks', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ported_feed_chunks')
        .addColumn('feed_id', 'bigint', (c) => c.notNull().references('ported_feeds.id').onDelete('cascade'))
        .addColumn('chunk_no', 'integer', (c) => c.notNull())
        .addColumn('data', engine === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
        .addPrimaryKeyConstraint('ported_feed_chunks_pk', ['feed_id', 'chunk_no'])
        .execute();
    },
  };
}
