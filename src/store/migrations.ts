/** The migrations of both engines, in code (no files read at run time), and how they are applied. */
import { type Migration, Migrator, sql } from 'kysely';
import type { AnyDb } from './migration-kit.js';
import { initial } from './migration-0001-initial.js';
import { consoleTables } from './migration-0002-console.js';
import { batchLeases } from './migration-0003-batch-leases.js';
import { portedFeeds } from './migration-0004-ported-feeds.js';
import { feedOrigins } from './migration-0005-feed-origins.js';
import { lighterCommit } from './migration-0006-lighter-commit.js';
import { importOrigins } from './migration-0007-import-origins.js';
import { storeHealth } from './migration-0011-store-health.js';
import { answerCache } from './migration-0012-answer-cache.js';
import { segmentVersions } from './migration-0013-segment-versions.js';
import { apiJobs } from './migration-0014-api-jobs.js';
import type { Engine } from './schema.js';

/** In name order, which is the order they run in; never edit one that has shipped, add the next. */
export function migrations(engine: Engine): Record<string, Migration> {
  return {
    '0001_initial': initial(engine),
    '0002_console': consoleTables(engine),
    '0003_batch_leases': batchLeases(engine),
    '0004_ported_feeds': portedFeeds(engine),
    '0005_feed_origins': feedOrigins(),
    '0006_lighter_commit': lighterCommit(),
    '0007_import_origins': importOrigins(),
    '0011_store_health': storeHealth(engine),
    '0012_answer_cache': answerCache(engine),
    '0013_segment_versions': segmentVersions(engine),
    '0014_api_jobs': apiJobs(engine),
  };
}

/**
 * Brings the schema to the latest migration; a no-op when it is there already. On PostgreSQL the
 * migration tables are pinned to the current schema (the first of search_path): left unqualified,
 * Kysely takes a `kysely_migration` table in ANY schema of the database as ours and skips creating it.
 */
export async function migrateToLatest(db: AnyDb, engine: Engine): Promise<void> {
  let migrationTableSchema: string | undefined;
  if (engine === 'postgres') {
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema ?? undefined;
    if (!migrationTableSchema)
      throw new Error('no current schema: does the first schema of search_path exist?');
  }
  const migrator = new Migrator({
    db,
    migrationTableSchema,
    provider: { getMigrations: async () => migrations(engine) },
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${String(error)}`);
}
