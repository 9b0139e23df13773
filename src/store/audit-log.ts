/** The operators' audit log: append and read back, newest first. */
import { toAuditEntry, toPage } from './rows.js';
import { type StoreContext, pageSize } from './store-context.js';
import type { AuditEntry, NewAuditEntry, Page } from './store.js';

export async function addAudit({ write, traits }: StoreContext, entry: NewAuditEntry): Promise<AuditEntry> {
  const row = await write((trx) =>
    trx
      .insertInto('audit_log')
      .values({
        at: traits.toDb(new Date()),
        operator: entry.operator,
        action: entry.action,
        target: entry.target,
        details: entry.details,
        ip: entry.ip,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toAuditEntry(row);
}

export async function auditLog(
  { db }: StoreContext,
  options: { limit?: number; before?: number },
): Promise<Page<AuditEntry>> {
  const limit = pageSize(options.limit);
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .$if(options.before !== undefined, (qb) => qb.where('id', '<', options.before!))
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows.map(toAuditEntry), limit);
}
