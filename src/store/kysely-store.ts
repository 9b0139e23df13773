/**
 * Everything the two engines share: the store written once against Kysely. An engine supplies how
 * a write transaction takes its lock, its traits (row locks, timestamp storage) and its migrations.
 */
import { type Kysely, sql } from 'kysely';
import { commitChargesIn } from './commit-charges.js';
import {
  toAccount,
  toDate,
  toIpRule,
  toKey,
  toLedgerEntry,
  toOperator,
  toPage,
  toQueryLogRow,
} from './rows.js';
import type { Database, EngineTraits } from './schema.js';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type Account,
  type AccountChanges,
  type ChargeItem,
  type ChargeResult,
  type IpRule,
  type KeyKind,
  type KeyRecord,
  type LedgerEntry,
  type NewAccount,
  type Operator,
  type Page,
  type QueryLogRow,
  type Store,
  StoreError,
  type UsageHour,
} from './store.js';

/** Rows deleted per prune transaction, so charges are not held up behind one long delete. */
export const PRUNE_CHUNK_ROWS = 10_000;

type Db = Kysely<Database>;

export abstract class KyselyStore implements Store {
  protected constructor(
    protected readonly db: Db,
    protected readonly traits: EngineTraits,
  ) {}

  /**
   * Runs `fn` in one transaction that can change data. It must serialise writers so that what
   * `fn` reads of the accounts it locks (see `EngineTraits.rowLocks`) stays true until it commits.
   */
  protected abstract write<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  abstract migrate(): Promise<void>;
  abstract close(): Promise<void>;

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  // ---- accounts and ledger

  async createAccount(input: NewAccount): Promise<Account> {
    if (input.name.trim() === '') throw new StoreError('invalid', 'account name is empty');
    checkInteger('balance', input.balance);
    checkLimits(input);
    const now = new Date();
    return this.write(async (trx) => {
      const row = await trx
        .insertInto('accounts')
        .values({
          name: input.name,
          fee_type: input.feeType,
          balance: input.balance,
          credit_limit: input.creditLimit ?? null,
          qps_limit: input.qpsLimit ?? null,
          status: 'active',
          created_at: this.traits.toDb(now),
        })
        .onConflict((oc) => oc.column('name').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new StoreError('duplicate', `an account named ${input.name} exists`);
      await this.#addLedger(trx, row.id, input.balance, 'opening balance', input.balance, now);
      return toAccount(row);
    });
  }

  async getAccount(id: number): Promise<Account | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAccount(row);
  }

  async getAccountByName(name: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toAccount(row);
  }

  async listAccounts(): Promise<Account[]> {
    const rows = await this.db.selectFrom('accounts').selectAll().orderBy('id').execute();
    return rows.map(toAccount);
  }

  async updateAccount(id: number, changes: AccountChanges): Promise<Account> {
    checkLimits(changes);
    const values = {
      fee_type: changes.feeType,
      credit_limit: changes.creditLimit,
      qps_limit: changes.qpsLimit,
      status: changes.status,
    };
    const set = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
    if (Object.keys(set).length === 0) return this.#account(this.db, id);
    const row = await this.write((trx) =>
      trx.updateTable('accounts').set(set).where('id', '=', id).returningAll().executeTakeFirst(),
    );
    if (!row) throw notFound(id);
    return toAccount(row);
  }

  async adjustBalance(accountId: number, delta: number, reason: string): Promise<LedgerEntry> {
    checkInteger('delta', delta);
    if (delta === 0) throw new StoreError('invalid', 'a balance adjustment of 0 changes nothing');
    return this.write(async (trx) => {
      // Writing first takes the row (or database) lock before the balance is read back.
      const row = await trx
        .updateTable('accounts')
        .set((eb) => ({ balance: eb('balance', '+', delta) }))
        .where('id', '=', accountId)
        .returning('balance')
        .executeTakeFirst();
      if (!row) throw notFound(accountId);
      return this.#addLedger(trx, accountId, delta, reason, row.balance, new Date());
    });
  }

  async ledger(
    accountId: number,
    options: { limit?: number; before?: number } = {},
  ): Promise<Page<LedgerEntry>> {
    const limit = pageSize(options.limit);
    const rows = await this.db
      .selectFrom('ledger')
      .selectAll()
      .where('account_id', '=', accountId)
      .$if(options.before !== undefined, (qb) => qb.where('id', '<', options.before!))
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    return toPage(rows.map(toLedgerEntry), limit);
  }

  async ledgerSum(accountId: number): Promise<number> {
    const row = await this.db
      .selectFrom('ledger')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('delta'), eb.lit(0)).as('total'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  async #account(db: Db, id: number): Promise<Account> {
    const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(id);
    return toAccount(row);
  }

  async #addLedger(
    trx: Db,
    accountId: number,
    delta: number,
    reason: string,
    balanceAfter: number,
    at: Date,
  ) {
    const row = await trx
      .insertInto('ledger')
      .values({ account_id: accountId, delta, reason, balance_after: balanceAfter, at: this.traits.toDb(at) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toLedgerEntry(row);
  }

  // ---- keys and IP rules

  async createKey(
    accountId: number,
    kind: KeyKind,
    hash: string,
    hint: string,
    label: string,
  ): Promise<KeyRecord> {
    return this.write(async (trx) => {
      await this.#account(trx, accountId);
      const row = await trx
        .insertInto('api_keys')
        .values({
          account_id: accountId,
          kind,
          hash,
          hint,
          label,
          created_at: this.traits.toDb(new Date()),
          revoked_at: null,
        })
        .onConflict((oc) => oc.column('hash').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new StoreError('duplicate', `a key with hint ${hint} exists`);
      return toKey(row);
    });
  }

  async findKey(kind: KeyKind, hash: string): Promise<{ key: KeyRecord; account: Account } | undefined> {
    // Every request authenticates through here: one round trip for key and account.
    const row = await this.db
      .selectFrom('api_keys as k')
      .innerJoin('accounts as a', 'a.id', 'k.account_id')
      .selectAll('k')
      .select(['a.name', 'a.fee_type', 'a.balance', 'a.credit_limit', 'a.qps_limit', 'a.status'])
      .select('a.created_at as account_created_at')
      .where('k.kind', '=', kind)
      .where('k.hash', '=', hash)
      .where('k.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const { name, fee_type, balance, credit_limit, qps_limit, status, account_created_at, ...key } = row;
    const account = { id: key.account_id, name, fee_type, balance, credit_limit, qps_limit, status };
    return { key: toKey(key), account: toAccount({ ...account, created_at: account_created_at }) };
  }

  async listKeys(accountId: number): Promise<KeyRecord[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('id')
      .execute();
    return rows.map(toKey);
  }

  async revokeKey(accountId: number, keyId: number): Promise<boolean> {
    const result = await this.write((trx) =>
      trx
        .updateTable('api_keys')
        .set({ revoked_at: this.traits.toDb(new Date()) })
        .where('id', '=', keyId)
        .where('account_id', '=', accountId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  async listIpRules(accountId: number): Promise<IpRule[]> {
    const rows = await this.db
      .selectFrom('ip_rules')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('id')
      .execute();
    return rows.map(toIpRule);
  }

  async addIpRule(accountId: number, cidr: string): Promise<IpRule> {
    return this.write(async (trx) => {
      await this.#account(trx, accountId);
      const row = await trx
        .insertInto('ip_rules')
        .values({ account_id: accountId, cidr })
        .onConflict((oc) => oc.columns(['account_id', 'cidr']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new StoreError('duplicate', `account ${accountId} already has the rule ${cidr}`);
      return toIpRule(row);
    });
  }

  async removeIpRule(accountId: number, cidr: string): Promise<boolean> {
    const result = await this.write((trx) =>
      trx
        .deleteFrom('ip_rules')
        .where('account_id', '=', accountId)
        .where('cidr', '=', cidr)
        .executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }

  // ---- the group commit

  async commitCharges(items: ChargeItem[]): Promise<ChargeResult[]> {
    if (items.length === 0) return [];
    return this.write((trx) => commitChargesIn(trx, items, this.traits));
  }

  // ---- query log, usage, retention

  async queryLog(
    accountId: number,
    options: { limit?: number; before?: number; from?: Date; to?: Date } = {},
  ): Promise<Page<QueryLogRow & { id: number }>> {
    const { before, from, to } = options;
    const limit = pageSize(options.limit);
    const rows = await this.db
      .selectFrom('query_log')
      .selectAll()
      .where('account_id', '=', accountId)
      .$if(before !== undefined, (qb) => qb.where('id', '<', before!))
      .$if(from !== undefined, (qb) => qb.where('at', '>=', this.traits.toDb(from!)))
      .$if(to !== undefined, (qb) => qb.where('at', '<', this.traits.toDb(to!)))
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    return toPage(rows.map(toQueryLogRow), limit);
  }

  async usage(accountId: number, from: Date, to: Date): Promise<UsageHour[]> {
    const rows = await this.db
      .selectFrom('usage_hourly')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('hour', '>=', this.traits.toDb(from))
      .where('hour', '<', this.traits.toDb(to))
      .orderBy('hour')
      .execute();
    return rows.map((row) => ({ accountId: row.account_id, hour: toDate(row.hour), queries: row.queries }));
  }

  async prune(options: { queryLogBefore: Date; idempotencyBefore: Date }): Promise<number> {
    const logBefore = this.traits.toDb(options.queryLogBefore);
    const keysBefore = this.traits.toDb(options.idempotencyBefore);
    const deleteLogs = (trx: Db) =>
      trx
        .deleteFrom('query_log')
        .where(
          'id',
          'in',
          trx.selectFrom('query_log').select('id').where('at', '<', logBefore).limit(PRUNE_CHUNK_ROWS),
        )
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
    let deleted = 0;
    for (const deleteChunk of [deleteLogs, deleteKeys]) {
      for (;;) {
        const count = Number((await this.write(deleteChunk)).numDeletedRows);
        deleted += count;
        if (count < PRUNE_CHUNK_ROWS) break;
      }
    }
    return deleted;
  }

  // ---- operators

  async createOperator(username: string, passwordHash: string): Promise<Operator> {
    const row = await this.write((trx) =>
      trx
        .insertInto('operators')
        .values({ username, password_hash: passwordHash, created_at: this.traits.toDb(new Date()) })
        .onConflict((oc) => oc.column('username').doNothing())
        .returningAll()
        .executeTakeFirst(),
    );
    if (!row) throw new StoreError('duplicate', `an operator named ${username} exists`);
    return toOperator(row);
  }

  async getOperator(username: string): Promise<Operator | undefined> {
    const row = await this.db
      .selectFrom('operators')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    return row && toOperator(row);
  }

  async countOperators(): Promise<number> {
    const row = await this.db
      .selectFrom('operators')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}

function notFound(accountId: number): StoreError {
  return new StoreError('not_found', `no account ${accountId}`);
}

function checkInteger(what: string, value: number): void {
  if (!Number.isSafeInteger(value))
    throw new StoreError('invalid', `${what} must be an integer, not ${value}`);
}

/** Absent (undefined) or none (null) pass; a number must be a safe integer of at least `min`. */
function checkAtLeast(what: string, value: number | null | undefined, min: number): void {
  if (value === undefined || value === null) return;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new StoreError('invalid', `${what} must be an integer >= ${min} or none, not ${value}`);
  }
}

function checkLimits(limits: { creditLimit?: number | null; qpsLimit?: number | null }): void {
  checkAtLeast('the credit limit', limits.creditLimit, 0);
  checkAtLeast('the QPS limit', limits.qpsLimit, 1);
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new StoreError('invalid', `page size ${limit}`);
  return Math.min(limit, MAX_PAGE_SIZE);
}
