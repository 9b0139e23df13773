/**
 * SQL compiled once per statement shape. Kysely builds and compiles a query each time it runs;
 * for the group commit that was most of its JavaScript time (a 36-row query-log INSERT is an
 * operation tree of some 500 nodes, rebuilt and walked per commit). Its statements' SQL depends
 * only on their shape (table, columns, row count), so each shape is compiled by Kysely the first
 * time and its text reused with new parameters afterwards.
 */
import { CompiledQuery, type Kysely, type QueryResult } from 'kysely';

/** Shapes kept per store: row counts run up to a batch's size, a few statements each. */
export const MAX_CACHED_SHAPES = 4096;

/**
 * Runs SQL text on the connection of the write transaction in progress, without Kysely's layers:
 * for an engine whose driver is synchronous (better-sqlite3), where they were a good part of the
 * group commit's JavaScript time. Only ever called inside the store's `write`.
 */
export type DirectExecutor = (text: string, parameters: readonly unknown[]) => QueryResult<unknown>;

export class CompiledStatements {
  readonly #texts = new Map<string, string>();
  readonly #direct: DirectExecutor | undefined;

  constructor(direct?: DirectExecutor) {
    this.#direct = direct;
  }

  /**
   * Runs the statement of `shape` with `parameters`. `compile` compiles the query with the same
   * values; it is called only the first time, and its parameters must then equal `parameters`, so
   * a shape whose values Kysely would not pass as plain parameters is caught at once. `db` is the
   * transaction's connection; a direct executor, where there is one, runs on that same connection.
   */
  async run<DB, R>(
    db: Kysely<DB>,
    shape: string,
    parameters: readonly unknown[],
    compile: () => CompiledQuery<R>,
  ): Promise<QueryResult<R>> {
    let text = this.#texts.get(shape);
    if (text === undefined) {
      const compiled = compile();
      if (!sameValues(compiled.parameters, parameters)) {
        throw new Error(`statement ${shape}: its parameters are not the compiled query's`);
      }
      if (this.#texts.size >= MAX_CACHED_SHAPES) this.#texts.clear();
      this.#texts.set(shape, (text = compiled.sql));
    }
    if (this.#direct) return this.#direct(text, parameters) as QueryResult<R>;
    return db.executeQuery<R>(CompiledQuery.raw(text, [...parameters]));
  }

  get size(): number {
    return this.#texts.size;
  }
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}
