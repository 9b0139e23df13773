/**
 * What the parts of the Kysely store share: the database, the engine's traits, its compiled
 * statements and its write transaction.
 */
import type { Kysely } from 'kysely';
import type { CompiledStatements } from './compiled-statements.js';
import type { Database, EngineTraits } from './schema.js';
import { StoreError } from './store.js';

export type Db = Kysely<Database>;

export interface StoreContext {
  readonly db: Db;
  readonly traits: EngineTraits;
  /** The group commit's statements, compiled once per shape for this store's engine. */
  readonly statements: CompiledStatements;
  /** The engine's write transaction (see `KyselyStore.write`). */
  write<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
}

export function accountNotFound(accountId: number): StoreError {
  return new StoreError('not_found', `no account ${accountId}`);
}
