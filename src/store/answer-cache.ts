/** The answer cache of upstream answers: read, written outside a charge, forgotten, counted. */
import { writeCachedAnswers } from './commit-charges.js';
import { toDate } from './rows.js';
import type { StoreContext } from './store-context.js';
import type { CachedAnswer } from './store.js';

/** Numbers read in one statement at most (well under both engines' parameter limits). */
const MAX_READ = 1000;

export async function cachedAnswers(
  { db }: StoreContext,
  mobiles: readonly string[],
): Promise<CachedAnswer[]> {
  const found: CachedAnswer[] = [];
  const unique = [...new Set(mobiles)];
  for (let i = 0; i < unique.length; i += MAX_READ) {
    const rows = await db
      .selectFrom('answer_cache')
      .selectAll()
      .where('mobile', 'in', unique.slice(i, i + MAX_READ))
      .execute();
    for (const row of rows) {
      found.push({
        mobile: row.mobile,
        res: row.res,
        initIsp: row.init_isp,
        nowIsp: row.now_isp,
        provider: row.provider,
        checkedAt: toDate(row.checked_at),
      });
    }
  }
  return found;
}

export async function cacheAnswers(
  { write, statements, traits }: StoreContext,
  answers: readonly CachedAnswer[],
): Promise<void> {
  if (answers.length === 0) return;
  await write((trx) => writeCachedAnswers(trx, statements, answers, traits));
}

export async function forgetCachedAnswer({ write }: StoreContext, mobile: string): Promise<boolean> {
  const result = await write((trx) =>
    trx.deleteFrom('answer_cache').where('mobile', '=', mobile).executeTakeFirst(),
  );
  return Number(result.numDeletedRows) > 0;
}

export async function cachedAnswerCount({ db }: StoreContext): Promise<number> {
  const row = await db
    .selectFrom('answer_cache')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
