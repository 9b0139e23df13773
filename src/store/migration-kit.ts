/** What every migration shares: how the engines spell identity columns and timestamps. */
import type { CreateTableBuilder, Kysely } from 'kysely';
import type { Engine } from './schema.js';

// Migrations see the database as it was when they were written, not as `Database` says today.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = Kysely<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTable = CreateTableBuilder<any, any>;

export function columnTypes(engine: Engine) {
  return {
    timestamp: engine === 'postgres' ? 'timestamptz' : 'integer',
    /** Integer primary key; SQLite's AUTOINCREMENT keeps ids of pruned rows from coming back. */
    withId: (table: AnyTable): AnyTable =>
      engine === 'postgres'
        ? table.addColumn('id', 'bigint', (c) => c.generatedByDefaultAsIdentity().primaryKey())
        : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
  } as const;
}
