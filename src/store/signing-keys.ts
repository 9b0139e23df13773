/** The AppKeys and sealed AppSecrets of keys issued as pairs (migration 0015). */
import { JOINED_ACCOUNT_COLUMNS, toAccount, toKey } from './rows.js';
import type { Db, StoreContext } from './store-context.js';
import { type SigningKey, StoreError } from './store.js';

/** Inside the transaction that made the key's row: its AppKey and sealed AppSecret. */
export async function insertSigningKeyIn(
  trx: Db,
  keyId: number,
  signing: { appKey: string; sealedSecret: string },
): Promise<void> {
  const row = await trx
    .insertInto('signing_keys')
    .values({ key_id: keyId, app_key: signing.appKey, sealed_secret: signing.sealedSecret })
    .onConflict((oc) => oc.column('app_key').doNothing())
    .returning('key_id')
    .executeTakeFirst();
  if (!row) throw new StoreError('duplicate', 'the AppKey is taken');
}

export async function findSigningKey(ctx: StoreContext, appKey: string): Promise<SigningKey | undefined> {
  // One round trip for key, account and secret: a signed request authenticates through here.
  const row = await ctx.db
    .selectFrom('signing_keys as s')
    .innerJoin('api_keys as k', 'k.id', 's.key_id')
    .innerJoin('accounts as a', 'a.id', 'k.account_id')
    .select(['s.app_key', 's.sealed_secret'])
    .select(['k.id', 'k.account_id', 'k.kind', 'k.hash', 'k.hint', 'k.label', 'k.created_at', 'k.revoked_at'])
    .select(JOINED_ACCOUNT_COLUMNS)
    .select('a.created_at as account_created_at')
    .where('s.app_key', '=', appKey)
    .where('k.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    key: toKey(row),
    account: toAccount({ ...row, id: row.account_id, created_at: row.account_created_at }),
    appKey: row.app_key,
    sealedSecret: row.sealed_secret,
  };
}

export async function appKeysOf(ctx: StoreContext, accountId: number): Promise<Map<number, string>> {
  const rows = await ctx.db
    .selectFrom('signing_keys as s')
    .innerJoin('api_keys as k', 'k.id', 's.key_id')
    .select(['s.key_id', 's.app_key'])
    .where('k.account_id', '=', accountId)
    .execute();
  return new Map(rows.map((row) => [Number(row.key_id), row.app_key]));
}
