/** Who may log in: operators with their passwords, and the console passwords of accounts. */
import { insertAudit } from './audit-log.js';
import { toOperator } from './rows.js';
import { deleteSessionsIn } from './sessions.js';
import { type Db, type StoreContext, accountNotFound } from './store-context.js';
import { type Operator, type PasswordChange, type SessionRole, StoreError } from './store.js';

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

/**
 * Sets a customer's (an account's) or an operator's console password, with what `change` takes
 * along, in one transaction. StoreError 'not_found' when there is no such account or operator.
 */
export async function setPassword(
  { write, traits }: StoreContext,
  role: SessionRole,
  id: number,
  passwordHash: string,
  change: PasswordChange,
): Promise<void> {
  await write(async (trx) => {
    await setPasswordIn(trx, role === 'customer' ? 'accounts' : 'operators', id, passwordHash);
    if (change.endSessions) await deleteSessionsIn(trx, role, id);
    if (change.audit) await insertAudit(trx, traits, change.audit);
  });
}

/** The password's update in the caller's transaction. */
export async function setPasswordIn(
  trx: Db,
  table: 'accounts' | 'operators',
  id: number,
  passwordHash: string,
): Promise<void> {
  const result = await trx
    .updateTable(table)
    .set({ password_hash: passwordHash })
    .where('id', '=', id)
    .executeTakeFirst();
  if (result.numUpdatedRows > 0n) return;
  throw table === 'accounts' ? accountNotFound(id) : new StoreError('not_found', `no operator ${id}`);
}
