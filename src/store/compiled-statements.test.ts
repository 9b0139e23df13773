import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompiledStatements } from './compiled-statements.js';

interface Db {
  items: { id: number; name: string; note: string | null };
}

describe('CompiledStatements', () => {
  let db: Kysely<Db>;
  let sqlite: BetterSqlite3.Database;

  beforeEach(async () => {
    sqlite = new BetterSqlite3(':memory:');
    db = new Kysely<Db>({ dialect: new SqliteDialect({ database: sqlite }) });
    await db.schema
      .createTable('items')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .execute();
  });
  afterEach(() => db.destroy());

  it('compiles a shape once and runs its SQL again with new parameters', async () => {
    const statements = new CompiledStatements();
    let builds = 0;
    const insert = (rows: Db['items'][]) =>
      statements.run(
        db,
        `insert:${rows.length}`,
        rows.flatMap((row) => [row.id, row.name, row.note]),
        () => {
          builds++;
          return db.insertInto('items').values(rows).compile();
        },
      );
    await insert([
      { id: 1, name: 'a', note: null },
      { id: 2, name: 'b', note: 'x' },
    ]);
    await insert([
      { id: 3, name: 'c', note: 'y' },
      { id: 4, name: 'd', note: null },
    ]);
    await insert([{ id: 5, name: 'e', note: 'z' }]);

    expect(builds).toBe(2);
    expect(statements.size).toBe(2);
    const rows = await db.selectFrom('items').selectAll().orderBy('id').execute();
    expect(rows).toEqual([
      { id: 1, name: 'a', note: null },
      { id: 2, name: 'b', note: 'x' },
      { id: 3, name: 'c', note: 'y' },
      { id: 4, name: 'd', note: null },
      { id: 5, name: 'e', note: 'z' },
    ]);
  });

  it('returns the rows of a cached select', async () => {
    const statements = new CompiledStatements();
    await db
      .insertInto('items')
      .values([
        { id: 1, name: 'a', note: null },
        { id: 2, name: 'b', note: null },
      ])
      .execute();
    const byId = (id: number) =>
      statements.run(db, 'by-id', [id], () =>
        db.selectFrom('items').select('name').where('id', '=', id).compile(),
      );
    expect((await byId(1)).rows).toEqual([{ name: 'a' }]);
    expect((await byId(2)).rows).toEqual([{ name: 'b' }]);
  });

  it('refuses a shape whose parameters are not those Kysely compiles', async () => {
    const statements = new CompiledStatements();
    // Kysely leaves the undefined note out of the INSERT: two parameters, not three.
    const row = { id: 1, name: 'a', note: undefined };
    await expect(
      statements.run(db, 'insert:1', [1, 'a', undefined], () => db.insertInto('items').values(row).compile()),
    ).rejects.toThrow(/parameters are not the compiled query's/);
    expect(statements.size).toBe(0);
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([]);
  });

  it('runs the compiled text through a direct executor when it has one, Kysely only compiling', async () => {
    const calls: [string, unknown[]][] = [];
    const statements = new CompiledStatements((text, parameters) => {
      calls.push([text, [...parameters]]);
      const statement = sqlite.prepare(text);
      return statement.reader
        ? { rows: statement.all(parameters) }
        : { rows: [], numAffectedRows: BigInt(statement.run(parameters).changes) };
    });
    let builds = 0;
    const insert = (id: number, name: string) =>
      statements.run(db, 'insert:1', [id, name], () => {
        builds++;
        return db.insertInto('items').values({ id, name }).compile();
      });
    expect((await insert(1, 'a')).numAffectedRows).toBe(1n);
    await insert(2, 'b');
    const names = await statements.run(db, 'names', [], () =>
      db.selectFrom('items').select('name').orderBy('id').compile(),
    );

    expect(builds).toBe(1);
    expect(names.rows).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(calls.map(([, parameters]) => parameters)).toEqual([[1, 'a'], [2, 'b'], []]);
    expect(calls[0][0]).toBe(calls[1][0]);
    expect(calls[0][0]).toMatch(/^insert into "items"/);
  });
});
