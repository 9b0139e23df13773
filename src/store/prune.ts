/**
 * Retention: old query-log and idempotency rows, expired console sessions and forgotten drafts of
 * batch jobs go, a bounded number of rows per transaction so charges are not held up behind one
 * long delete.
 */
import { deleteDrafts } from './batch-jobs.js';
import type { Db, StoreContext } from './store-context.js';

/** Rows deleted per prune transaction. */
export const PRUNE_CHUNK_ROWS = 10_000;
/** Draft jobs per transaction: each has up to 1000 chunks of 1000 entries. */
const PRUNE_DRAFT_JOBS = 10;

export async function prune(
  { db, write, traits }: StoreContext,
  options: { queryLogBefore: Date; idempotencyBefore: Date; draftsBefore?: Date },
): Promise<number> {
  const logBefore = traits.toDb(options.queryLogBefore);
  const keysBefore = traits.toDb(options.idempotencyBefore);
  const now = traits.toDb(new Date());
  // Account by account, through query_log_account_at: an index on the time alone would cost every
  // group commit another page to write, for a delete that runs now and then.
  const oldLogs = (db: Db, accountId: number, limit: number) =>
    db
      .selectFrom('query_log')
      .select('id')
      .where('account_id', '=', accountId)
      .where('at', '<', logBefore)
      .limit(limit);
  const deleteLogsOf = (accountId: number) => (trx: Db) =>
    trx
      .deleteFrom('query_log')
      .where('id', 'in', oldLogs(trx, accountId, PRUNE_CHUNK_ROWS))
      .executeTakeFirst();
  const deleteKeys = (trx: Db) =>
    trx
      .deleteFrom('idempotency')
      .where(({ eb, refTuple, selectFrom }) =>
        eb(
          refTuple('account_id', 'key'),
          'in',
          selectFrom('idempotency')
            .select(['account_id', 'key'])
            .where('created_at', '<', keysBefore)
            .limit(PRUNE_CHUNK_ROWS)
            .$asTuple('account_id', 'key'),
        ),
      )
      .executeTakeFirst();
  const deleteSessions = (trx: Db) =>
    trx
      .deleteFrom('console_sessions')
      .where(
        'id_hash',
        'in',
        trx
          .selectFrom('console_sessions')
          .select('id_hash')
          .where('expires_at', '<=', now)
          .limit(PRUNE_CHUNK_ROWS),
      )
      .executeTakeFirst();

  const deleteAll = async (deleteChunk: (trx: Db) => Promise<{ numDeletedRows: bigint }>) => {
    let count = 0;
    for (;;) {
      const chunk = Number((await write(deleteChunk)).numDeletedRows);
      count += chunk;
      if (chunk < PRUNE_CHUNK_ROWS) return count;
    }
  };

  let deleted = 0;
  const accounts = await db.selectFrom('accounts').select('id').orderBy('id').execute();
  for (const { id } of accounts) {
    // A look outside the write transactions first: most accounts have nothing to prune at a given
    // hour, and a write each would queue behind (and hold up) the group commit for nothing.
    if (await oldLogs(db, id, 1).executeTakeFirst()) deleted += await deleteAll(deleteLogsOf(id));
  }
  deleted += await deleteAll(deleteKeys);
  deleted += await deleteAll(deleteSessions);
  const { draftsBefore } = options;
  if (draftsBefore !== undefined) {
    for (;;) {
      const count = await write((trx) =>
        deleteDrafts(trx, traits.rowLocks, traits.toDb(draftsBefore), PRUNE_DRAFT_JOBS),
      );
      deleted += count;
      if (count === 0) break;
    }
  }
  return deleted;
}
