/**
 * Everything the two engines share: the store written once against Kysely. Accounts, keys, IP
 * rules and the group commit are here; the rest lives in modules of its own (logins, sessions,
 * audit log, reports, batch jobs, data imports, retention) that this class hands the calls to. An
 * engine supplies how a write transaction takes its lock, its traits (row locks, timestamp
 * storage) and its migrations.
 */
import { sql } from 'kysely';
import * as answerCache from './answer-cache.js';
import { auditLog, insertAudit } from './audit-log.js';
import * as batchJobs from './batch-jobs.js';
import * as callbacks from './callback-deliveries.js';
import { commitChargesIn } from './commit-charges.js';
import { CompiledStatements, type DirectExecutor } from './compiled-statements.js';
import * as dataImports from './data-imports.js';
import * as logins from './logins.js';
import * as portedFeeds from './ported-feeds.js';
import { prune } from './prune.js';
import { answerStats, queryLog, topAccounts, usage } from './query-reports.js';
import { newestFirst } from './paging.js';
import {
  ACCOUNT_COLUMNS,
  JOINED_ACCOUNT_COLUMNS,
  toAccount,
  toIpRule,
  toKey,
  toLedgerEntry,
} from './rows.js';
import type { EngineTraits } from './schema.js';
import * as segmentVersions from './segment-versions.js';
import * as sessions from './sessions.js';
import * as signingKeys from './signing-keys.js';
import { type Db, type StoreContext, accountNotFound } from './store-context.js';
import {
  type Account,
  type AccountChanges,
  type AnswerStatsHour,
  type AuditEntry,
  type AuditOf,
  type BatchChunkCommit,
  type BatchChunkOutput,
  type BatchJob,
  type BatchJobStatus,
  type CachedAnswer,
  type CallbackAttemptRecord,
  type CallbackAttemptResult,
  type CallbackDelivery,
  type CallbackDue,
  type ChargeItem,
  type ChargeResult,
  type ConsoleSession,
  type DataImport,
  type DataImportOutcome,
  type IpRule,
  type KeyKind,
  type KeyRecord,
  type LedgerEntry,
  type NewAccount,
  type NewAuditEntry,
  type NewKey,
  type PasswordChange,
  type NewPortedFeed,
  type PortedFeed,
  type NewBatchJob,
  type NewDataImport,
  type Operator,
  type Page,
  type PageOptions,
  type QueryLogFilter,
  type QueryLogRow,
  type NewSegmentOverride,
  type NewSegmentVersion,
  type SegmentOverride,
  type SegmentState,
  type SegmentVersion,
  type SigningKey,
  type Store,
  StoreError,
  type UsageHour,
} from './store.js';

export abstract class KyselyStore implements Store {
  /** What the store's parts (sessions, batch jobs, reports …) work with. */
  readonly #ctx: StoreContext;

  protected constructor(
    protected readonly db: Db,
    protected readonly traits: EngineTraits,
    direct?: DirectExecutor,
  ) {
    this.#ctx = { db, traits, statements: new CompiledStatements(direct), write: (fn) => this.write(fn) };
  }

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

  async probeWrite(): Promise<void> {
    const probedAt = this.traits.toDb(new Date());
    await this.write((trx) =>
      trx
        .insertInto('store_health')
        .values({ id: 1, probed_at: probedAt })
        .onConflict((oc) => oc.column('id').doUpdateSet({ probed_at: probedAt }))
        .execute(),
    );
  }

  // ---- accounts and ledger

  async createAccount(input: NewAccount): Promise<Account> {
    checkNewAccount(input);
    return this.write((trx) => this.#insertAccount(trx, input));
  }

  async openAccount(
    input: NewAccount,
    key: NewKey,
    options: { passwordHash?: string; auditOf?: AuditOf<Account> } = {},
  ): Promise<{ account: Account; key: KeyRecord }> {
    checkNewAccount(input);
    return this.write(async (trx) => {
      const account = await this.#insertAccount(trx, input);
      const record = await this.#insertKey(trx, account.id, key);
      if (options.passwordHash !== undefined) {
        await logins.setPasswordIn(trx, 'accounts', account.id, options.passwordHash);
      }
      if (options.auditOf) await insertAudit(trx, this.traits, options.auditOf(account));
      return { account, key: record };
    });
  }

  async #insertAccount(trx: Db, input: NewAccount): Promise<Account> {
    const now = new Date();
    const row = await trx
      .insertInto('accounts')
      .values({
        name: input.name,
        fee_type: input.feeType,
        balance: input.balance,
        credit_limit: input.creditLimit ?? null,
        qps_limit: input.qpsLimit ?? null,
        status: 'active',
        low_balance_threshold: input.lowBalanceThreshold ?? null,
        created_at: this.traits.toDb(now),
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning(ACCOUNT_COLUMNS)
      .executeTakeFirst();
    if (!row) throw new StoreError('duplicate', `an account named ${input.name} exists`);
    await this.#addLedger(trx, row.id, input.balance, 'opening balance', input.balance, now);
    return toAccount(row);
  }

  async getAccount(id: number): Promise<Account | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .select(ACCOUNT_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async getAccountByName(name: string): Promise<Account | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .select(ACCOUNT_COLUMNS)
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async listAccounts(): Promise<Account[]> {
    const rows = await this.db.selectFrom('accounts').select(ACCOUNT_COLUMNS).orderBy('id').execute();
    return rows.map(toAccount);
  }

  async updateAccount(
    id: number,
    changes: AccountChanges,
    auditOf?: (account: Account, previous: Account) => NewAuditEntry,
  ): Promise<Account> {
    checkLimits(changes);
    const values = {
      fee_type: changes.feeType,
      credit_limit: changes.creditLimit,
      qps_limit: changes.qpsLimit,
      status: changes.status,
      low_balance_threshold: changes.lowBalanceThreshold,
      local_only: changes.localOnly === undefined ? undefined : changes.localOnly ? 1 : 0,
      require_signatures:
        changes.requireSignatures === undefined ? undefined : changes.requireSignatures ? 1 : 0,
    };
    const set = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
    if (Object.keys(set).length === 0 && !auditOf) return this.#account(this.db, id);
    return this.write(async (trx) => {
      // Read under the lock the update keeps: what the audit entry calls previous is what changed.
      const previous = await this.#account(trx, id, true);
      const row =
        Object.keys(set).length === 0
          ? undefined
          : await trx
              .updateTable('accounts')
              .set(set)
              .where('id', '=', id)
              .returning(ACCOUNT_COLUMNS)
              .executeTakeFirstOrThrow();
      const account = row ? toAccount(row) : previous;
      if (auditOf) await insertAudit(trx, this.traits, auditOf(account, previous));
      return account;
    });
  }

  async adjustBalance(
    accountId: number,
    delta: number,
    reason: string,
    auditOf?: AuditOf<LedgerEntry>,
  ): Promise<LedgerEntry> {
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
      if (!row) throw accountNotFound(accountId);
      const entry = await this.#addLedger(trx, accountId, delta, reason, row.balance, new Date());
      if (auditOf) await insertAudit(trx, this.traits, auditOf(entry));
      return entry;
    });
  }

  ledger(accountId: number, options: PageOptions = {}): Promise<Page<LedgerEntry>> {
    const query = this.db.selectFrom('ledger').selectAll().where('account_id', '=', accountId);
    return newestFirst(query, options, toLedgerEntry);
  }

  async ledgerSum(accountId: number): Promise<number> {
    const row = await this.db
      .selectFrom('ledger')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('delta'), eb.lit(0)).as('total'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  /**
   * `lock`: inside a write transaction, held until it ends (PostgreSQL; SQLite's is the database's),
   * the lock an UPDATE of the row takes, which lets keys and rules of the account be added meanwhile.
   */
  async #account(db: Db, id: number, lock = false): Promise<Account> {
    const row = await db
      .selectFrom('accounts')
      .select(ACCOUNT_COLUMNS)
      .where('id', '=', id)
      .$if(lock && this.traits.rowLocks, (qb) => qb.forNoKeyUpdate())
      .executeTakeFirst();
    if (!row) throw accountNotFound(id);
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
    auditOf?: AuditOf<KeyRecord>,
  ): Promise<KeyRecord> {
    return this.write(async (trx) => {
      await this.#account(trx, accountId);
      const key = await this.#insertKey(trx, accountId, { kind, hash, hint, label });
      if (auditOf) await insertAudit(trx, this.traits, auditOf(key));
      return key;
    });
  }

  async #insertKey(trx: Db, accountId: number, key: NewKey): Promise<KeyRecord> {
    const row = await trx
      .insertInto('api_keys')
      .values({
        account_id: accountId,
        kind: key.kind,
        hash: key.hash,
        hint: key.hint,
        label: key.label,
        created_at: this.traits.toDb(new Date()),
        revoked_at: null,
      })
      .onConflict((oc) => oc.column('hash').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new StoreError('duplicate', `a key with hint ${key.hint} exists`);
    return toKey(row);
  }

  async findKey(kind: KeyKind, hash: string): Promise<{ key: KeyRecord; account: Account } | undefined> {
    // Every request authenticates through here: one round trip for key and account.
    const row = await this.db
      .selectFrom('api_keys as k')
      .innerJoin('accounts as a', 'a.id', 'k.account_id')
      .selectAll('k')
      .select(JOINED_ACCOUNT_COLUMNS)
      .select('a.created_at as account_created_at')
      .where('k.kind', '=', kind)
      .where('k.hash', '=', hash)
      .where('k.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const {
      name,
      fee_type,
      balance,
      credit_limit,
      qps_limit,
      status,
      low_balance_threshold,
      local_only,
      require_signatures,
      account_created_at,
      ...key
    } = row;
    const account = {
      id: key.account_id,
      name,
      fee_type,
      balance,
      credit_limit,
      qps_limit,
      status,
      low_balance_threshold,
      local_only,
      require_signatures,
    };
    return { key: toKey(key), account: toAccount({ ...account, created_at: account_created_at }) };
  }

  async createSigningKey(
    accountId: number,
    key: NewKey,
    signing: { appKey: string; sealedSecret: string },
    auditOf?: AuditOf<KeyRecord>,
  ): Promise<KeyRecord> {
    return this.write(async (trx) => {
      await this.#account(trx, accountId);
      const record = await this.#insertKey(trx, accountId, key);
      await signingKeys.insertSigningKeyIn(trx, record.id, signing);
      if (auditOf) await insertAudit(trx, this.traits, auditOf(record));
      return record;
    });
  }

  findSigningKey(appKey: string): Promise<SigningKey | undefined> {
    return signingKeys.findSigningKey(this.#ctx, appKey);
  }

  appKeysOf(accountId: number): Promise<Map<number, string>> {
    return signingKeys.appKeysOf(this.#ctx, accountId);
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

  revokeKey(accountId: number, keyId: number, audit?: NewAuditEntry): Promise<boolean> {
    return this.write(async (trx) => {
      const result = await trx
        .updateTable('api_keys')
        .set({ revoked_at: this.traits.toDb(new Date()) })
        .where('id', '=', keyId)
        .where('account_id', '=', accountId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      const revoked = result.numUpdatedRows > 0n;
      if (revoked && audit) await insertAudit(trx, this.traits, audit);
      return revoked;
    });
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

  async addIpRule(accountId: number, cidr: string, auditOf?: AuditOf<IpRule>): Promise<IpRule> {
    return this.write(async (trx) => {
      await this.#account(trx, accountId);
      const row = await trx
        .insertInto('ip_rules')
        .values({ account_id: accountId, cidr })
        .onConflict((oc) => oc.columns(['account_id', 'cidr']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new StoreError('duplicate', `account ${accountId} already has the rule ${cidr}`);
      const rule = toIpRule(row);
      if (auditOf) await insertAudit(trx, this.traits, auditOf(rule));
      return rule;
    });
  }

  removeIpRule(accountId: number, cidr: string, audit?: NewAuditEntry): Promise<boolean> {
    return this.write(async (trx) => {
      const result = await trx
        .deleteFrom('ip_rules')
        .where('account_id', '=', accountId)
        .where('cidr', '=', cidr)
        .executeTakeFirst();
      const removed = result.numDeletedRows > 0n;
      if (removed && audit) await insertAudit(trx, this.traits, audit);
      return removed;
    });
  }

  // ---- the group commit

  async commitCharges(items: ChargeItem[]): Promise<ChargeResult[]> {
    if (items.length === 0) return [];
    return this.write((trx) => commitChargesIn(trx, items, this.#ctx));
  }

  // ---- answer cache

  cachedAnswers(mobiles: readonly string[]): Promise<CachedAnswer[]> {
    return answerCache.cachedAnswers(this.#ctx, mobiles);
  }

  cacheAnswers(answers: readonly CachedAnswer[]): Promise<void> {
    return answerCache.cacheAnswers(this.#ctx, answers);
  }

  forgetCachedAnswer(mobile: string): Promise<boolean> {
    return answerCache.forgetCachedAnswer(this.#ctx, mobile);
  }

  cachedAnswerCount(): Promise<number> {
    return answerCache.cachedAnswerCount(this.#ctx);
  }

  // ---- query log, usage, statistics, retention

  queryLog(accountId: number, filter: QueryLogFilter = {}): Promise<Page<QueryLogRow & { id: number }>> {
    return queryLog(this.#ctx, accountId, filter);
  }

  usage(accountId: number, from: Date, to: Date): Promise<UsageHour[]> {
    return usage(this.#ctx, accountId, from, to);
  }

  answerStats(accountId: number | null, from: Date, to: Date): Promise<AnswerStatsHour[]> {
    return answerStats(this.#ctx, accountId, from, to);
  }

  topAccounts(
    from: Date,
    to: Date,
    limit: number,
  ): Promise<{ accountId: number; name: string; queries: number }[]> {
    return topAccounts(this.#ctx, from, to, limit);
  }

  prune(options: { queryLogBefore: Date; idempotencyBefore: Date; draftsBefore?: Date }): Promise<number> {
    return prune(this.#ctx, options);
  }

  // ---- logins and console sessions

  createOperator(username: string, passwordHash: string): Promise<Operator> {
    return logins.createOperator(this.#ctx, username, passwordHash);
  }

  getOperator(username: string): Promise<Operator | undefined> {
    return logins.getOperator(this.#ctx, username);
  }

  getOperatorById(id: number): Promise<Operator | undefined> {
    return logins.getOperatorById(this.#ctx, id);
  }

  setOperatorPassword(id: number, passwordHash: string, change: PasswordChange = {}): Promise<void> {
    return logins.setPassword(this.#ctx, 'operator', id, passwordHash, change);
  }

  countOperators(): Promise<number> {
    return logins.countOperators(this.#ctx);
  }

  getAccountPasswordHash(accountId: number): Promise<string | null> {
    return logins.getAccountPasswordHash(this.#ctx, accountId);
  }

  setAccountPassword(accountId: number, passwordHash: string, change: PasswordChange = {}): Promise<void> {
    return logins.setPassword(this.#ctx, 'customer', accountId, passwordHash, change);
  }

  createSession(session: ConsoleSession): Promise<void> {
    return sessions.createSession(this.#ctx, session);
  }

  getSession(idHash: string): Promise<ConsoleSession | undefined> {
    return sessions.getSession(this.#ctx, idHash);
  }

  extendSession(idHash: string, expiresAt: Date): Promise<void> {
    return sessions.extendSession(this.#ctx, idHash, expiresAt);
  }

  deleteSession(idHash: string): Promise<void> {
    return sessions.deleteSession(this.#ctx, idHash);
  }

  auditLog(options: PageOptions = {}): Promise<Page<AuditEntry>> {
    return auditLog(this.#ctx, options);
  }

  // ---- batch jobs

  createBatchJob(job: NewBatchJob): Promise<BatchJob> {
    return batchJobs.createBatchJob(this.#ctx, job);
  }

  getBatchJob(accountId: number, id: number): Promise<BatchJob | undefined> {
    return batchJobs.getBatchJob(this.#ctx, accountId, id);
  }

  listBatchJobs(accountId: number, options: PageOptions = {}): Promise<Page<BatchJob>> {
    return batchJobs.listBatchJobs(this.#ctx, accountId, options);
  }

  transitionBatchJob(
    accountId: number,
    id: number,
    from: BatchJobStatus[],
    to: BatchJobStatus,
    stopReason?: string,
  ): Promise<BatchJob | undefined> {
    return batchJobs.transitionBatchJob(this.#ctx, accountId, id, from, to, stopReason);
  }

  runnableBatchJobs(): Promise<BatchJob[]> {
    return batchJobs.runnableBatchJobs(this.#ctx);
  }

  claimBatchJob(jobId: number, owner: string, leaseMs: number): Promise<boolean> {
    return batchJobs.claimBatchJob(this.#ctx, jobId, owner, leaseMs);
  }

  releaseBatchJobs(owner: string): Promise<void> {
    return batchJobs.releaseBatchJobs(this.#ctx, owner);
  }

  nextBatchChunk(jobId: number): Promise<{ chunkNo: number; entries: string[] } | undefined> {
    return batchJobs.nextBatchChunk(this.#ctx, jobId);
  }

  commitBatchChunk(
    jobId: number,
    chunkNo: number,
    charges: ChargeItem[],
    output: string,
  ): Promise<BatchChunkCommit> {
    return batchJobs.commitBatchChunk(this.#ctx, jobId, chunkNo, charges, output);
  }

  batchChunkOutputs(
    accountId: number,
    jobId: number,
    fromChunk: number,
    limit: number,
  ): Promise<BatchChunkOutput[]> {
    return batchJobs.batchChunkOutputs(this.#ctx, accountId, jobId, fromChunk, limit);
  }

  // ---- API jobs' callbacks (0014)

  findBatchJobByRequestId(accountId: number, requestId: string): Promise<BatchJob | undefined> {
    return callbacks.findBatchJobByRequestId(this.#ctx, accountId, requestId);
  }

  callbackSecret(accountId: number): Promise<string | null> {
    return callbacks.callbackSecret(this.#ctx, accountId);
  }

  setCallbackSecret(accountId: number, secret: string, audit?: NewAuditEntry): Promise<void> {
    return callbacks.setCallbackSecret(this.#ctx, accountId, secret, audit);
  }

  callbacksDue(limit: number): Promise<CallbackDue[]> {
    return callbacks.callbacksDue(this.#ctx, limit);
  }

  createCallbackDelivery(delivery: {
    eventId: string;
    jobId: number;
    url: string;
    body: string;
  }): Promise<boolean> {
    return callbacks.createCallbackDelivery(this.#ctx, delivery);
  }

  claimDueCallbacks(owner: string, leaseMs: number, limit: number): Promise<CallbackDelivery[]> {
    return callbacks.claimDueCallbacks(this.#ctx, owner, leaseMs, limit);
  }

  recordCallbackAttempt(eventId: string, owner: string, result: CallbackAttemptResult): Promise<boolean> {
    return callbacks.recordCallbackAttempt(this.#ctx, eventId, owner, result);
  }

  releaseCallbacks(owner: string): Promise<void> {
    return callbacks.releaseCallbacks(this.#ctx, owner);
  }

  callbackHistory(
    accountId: number,
    jobId: number,
  ): Promise<{ delivery: CallbackDelivery; attempts: CallbackAttemptRecord[] } | undefined> {
    return callbacks.callbackHistory(this.#ctx, accountId, jobId);
  }

  // ---- data imports

  createDataImport(input: NewDataImport, auditOf?: AuditOf<DataImport>): Promise<DataImport> {
    return dataImports.createDataImport(this.#ctx, input, auditOf);
  }

  finishDataImport(id: number, outcome: DataImportOutcome): Promise<DataImport> {
    return dataImports.finishDataImport(this.#ctx, id, outcome);
  }

  getDataImport(id: number): Promise<DataImport | undefined> {
    return dataImports.getDataImport(this.#ctx, id);
  }

  listDataImports(options: PageOptions = {}): Promise<Page<DataImport>> {
    return dataImports.listDataImports(this.#ctx, options);
  }

  addPortedFeed(feed: NewPortedFeed, chunks: AsyncIterable<Uint8Array>): Promise<PortedFeed> {
    return portedFeeds.addPortedFeed(this.#ctx, feed, chunks);
  }

  portedFeedsAfter(afterId: number, limit: number): Promise<PortedFeed[]> {
    return portedFeeds.portedFeedsAfter(this.#ctx, afterId, limit);
  }

  latestFullPortedFeed(): Promise<PortedFeed | undefined> {
    return portedFeeds.latestFullPortedFeed(this.#ctx);
  }

  portedFeedChunk(feedId: number, chunkNo: number): Promise<Uint8Array | undefined> {
    return portedFeeds.portedFeedChunk(this.#ctx, feedId, chunkNo);
  }

  prunePortedFeeds(beforeId: number): Promise<number> {
    return portedFeeds.prunePortedFeeds(this.#ctx, beforeId);
  }

  failRunningImports(node: string): Promise<number> {
    return dataImports.failRunningImports(this.#ctx, node);
  }

  // ---- segment versions and overrides

  addSegmentVersion(
    version: NewSegmentVersion,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    auditOf?: AuditOf<SegmentVersion>,
  ): Promise<SegmentVersion> {
    return segmentVersions.addSegmentVersion(this.#ctx, version, chunks, auditOf);
  }

  listSegmentVersions(): Promise<SegmentVersion[]> {
    return segmentVersions.listSegmentVersions(this.#ctx);
  }

  getSegmentVersion(id: number): Promise<SegmentVersion | undefined> {
    return segmentVersions.getSegmentVersion(this.#ctx, id);
  }

  segmentVersionFile(id: number): Promise<Uint8Array | undefined> {
    return segmentVersions.segmentVersionFile(this.#ctx, id);
  }

  activateSegmentVersion(id: number | null, audit?: NewAuditEntry): Promise<SegmentState> {
    return segmentVersions.activateSegmentVersion(this.#ctx, id, audit);
  }

  segmentState(): Promise<SegmentState> {
    return segmentVersions.segmentState(this.#ctx);
  }

  setSegmentOverride(
    override: NewSegmentOverride,
    auditOf?: AuditOf<SegmentOverride>,
  ): Promise<SegmentOverride> {
    return segmentVersions.setSegmentOverride(this.#ctx, override, auditOf);
  }

  removeSegmentOverride(id: number, audit?: NewAuditEntry): Promise<boolean> {
    return segmentVersions.removeSegmentOverride(this.#ctx, id, audit);
  }

  listSegmentOverrides(): Promise<SegmentOverride[]> {
    return segmentVersions.listSegmentOverrides(this.#ctx);
  }
}

function checkNewAccount(input: NewAccount): void {
  if (input.name.trim() === '') throw new StoreError('invalid', 'account name is empty');
  checkInteger('balance', input.balance);
  checkLimits(input);
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

function checkLimits(limits: {
  creditLimit?: number | null;
  qpsLimit?: number | null;
  lowBalanceThreshold?: number | null;
}): void {
  checkAtLeast('the credit limit', limits.creditLimit, 0);
  checkAtLeast('the QPS limit', limits.qpsLimit, 1);
  // A postpaid account may want a warning below zero: any integer will do.
  checkAtLeast('the low-balance threshold', limits.lowBalanceThreshold, Number.MIN_SAFE_INTEGER);
}
