/** Console sessions: kept by the SHA-256 of their cookie, valid until they expire. */
import { toSession } from './rows.js';
import type { Db, StoreContext } from './store-context.js';
import { type ConsoleSession, type SessionRole, StoreError } from './store.js';

export async function createSession({ write, traits }: StoreContext, session: ConsoleSession): Promise<void> {
  const row = await write((trx) =>
    trx
      .insertInto('console_sessions')
      .values({
        id_hash: session.idHash,
        role: session.role,
        subject_id: session.subjectId,
        csrf_token: session.csrfToken,
        created_at: traits.toDb(session.createdAt),
        expires_at: traits.toDb(session.expiresAt),
      })
      .onConflict((oc) => oc.column('id_hash').doNothing())
      .returning('id_hash')
      .executeTakeFirst(),
  );
  if (!row) throw new StoreError('duplicate', 'a session with this id exists');
}

/** An expired session is as good as none; `prune` deletes it later. */
export async function getSession(
  { db, traits }: StoreContext,
  idHash: string,
): Promise<ConsoleSession | undefined> {
  const row = await db
    .selectFrom('console_sessions')
    .selectAll()
    .where('id_hash', '=', idHash)
    .where('expires_at', '>', traits.toDb(new Date()))
    .executeTakeFirst();
  return row && toSession(row);
}

export async function extendSession(
  { write, traits }: StoreContext,
  idHash: string,
  expiresAt: Date,
): Promise<void> {
  await write((trx) =>
    trx
      .updateTable('console_sessions')
      .set({ expires_at: traits.toDb(expiresAt) })
      .where('id_hash', '=', idHash)
      .execute(),
  );
}

export async function deleteSession({ write }: StoreContext, idHash: string): Promise<void> {
  await write((trx) => trx.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute());
}

/** Logs a customer or operator out everywhere, in the caller's transaction (a password change). */
export async function deleteSessionsIn(trx: Db, role: SessionRole, subjectId: number): Promise<void> {
  await trx
    .deleteFrom('console_sessions')
    .where('role', '=', role)
    .where('subject_id', '=', subjectId)
    .execute();
}
