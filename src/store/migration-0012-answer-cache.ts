/**
 * 0012: live answers from upstream providers. The answer cache every node of a cluster shares (one
 * row per number: the newest upstream answer, its provider and when it was checked), where each
 * logged answer came from, and accounts whose numbers must never go upstream.
 */
import type { Migration } from 'kysely';
import { type AnyDb, columnTypes } from './migration-kit.js';
import type { Engine } from './schema.js';

export function answerCache(engine: Engine): Migration {
  const { timestamp } = columnTypes(engine);
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('answer_cache')
        .addColumn('mobile', 'text', (c) => c.primaryKey())
        .addColumn('res', 'text', (c) => c.notNull())
        .addColumn('init_isp', 'text', (c) => c.notNull())
        .addColumn('now_isp', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('checked_at', timestamp, (c) => c.notNull())
        .execute();
      // Null for rows logged before: their answers came from local data.
      await db.schema.alterTable('query_log').addColumn('source', 'text').execute();
      await db.schema
        .alterTable('accounts')
        .addColumn('local_only', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
