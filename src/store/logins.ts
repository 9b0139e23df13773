/** Who may log in: operators with their passwords, and the console passwords of accounts. */
import { toOperator } from './rows.js';
import { type StoreContext, accountNotFound } from './store-context.js';
import { type Operator, StoreError } from './store.js';

export async function createOperator(
  { write, traits }: StoreContext,
  username: string,
  passwordHash: string,
): Promise<Operator> {
  const row = await write((trx) =>
    trx
      .insertInto('operators')
      .values({ username, password_hash: passwordHash, created_at: traits.toDb(new Date()) })
      .onConflict((oc) => oc.column('username').doNothing())
      .returningAll()
      .executeTakeFirst(),
  );
  if (!row) throw new StoreError('duplicate', `an operator named ${username} exists`);
  return toOperator(row);
}

export async function getOperator({ db }: StoreContext, username: string): Promise<Operator | undefined> {
  const row = await db
    .selectFrom('operators')
    .selectAll()
    .where('username', '=', username)
    .executeTakeFirst();
  return row && toOperator(row);
}

export async function getOperatorById({ db }: StoreContext, id: number): Promise<Operator | undefined> {
  const row = await db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toOperator(row);
}

export async function setOperatorPassword(
  { write }: StoreContext,
  id: number,
  passwordHash: string,
): Promise<void> {
  const result = await write((trx) =>
    trx.updateTable('operators').set({ password_hash: passwordHash }).where('id', '=', id).executeTakeFirst(),
  );
  if (result.numUpdatedRows === 0n) throw new StoreError('not_found', `no operator ${id}`);
}

export async function countOperators({ db }: StoreContext): Promise<number> {
  const row = await db
    .selectFrom('operators')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Null for an account without a console password, and for no account at all: neither logs in. */
export async function getAccountPasswordHash(
  { db }: StoreContext,
  accountId: number,
): Promise<string | null> {
  const row = await db
    .selectFrom('accounts')
    .select('password_hash')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row?.password_hash ?? null;
}

export async function setAccountPassword(
  { write }: StoreContext,
  accountId: number,
  passwordHash: string,
): Promise<void> {
  const result = await write((trx) =>
    trx
      .updateTable('accounts')
      .set({ password_hash: passwordHash })
      .where('id', '=', accountId)
      .executeTakeFirst(),
  );
  if (result.numUpdatedRows === 0n) throw accountNotFound(accountId);
}
