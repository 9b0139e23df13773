/**
 * The store: accounts, keys, IP rules, the ledger, the query log, idempotency, operators and the
 * rest, as one narrow interface per capability (below), which `Store` gathers; `sqlite.ts`
 * (better-sqlite3) and `postgres.ts` (pg) implement them all with Kysely and one schema. Every
 * balance change is a ledger row, and an account's balance always equals the sum of its ledger.
 */
import type { CachedAnswer } from '../core/cached-answer.js';
import type { ChargeItem, ChargeResult, FeeType, QueryLogRow } from '../core/charges.js';

export type { ChargeItem, ChargeResult, FeeType, QueryLogRow } from '../core/charges.js';
export type { CachedAnswer } from '../core/cached-answer.js';

export type AccountStatus = 'active' | 'suspended';
export type KeyKind = 'apikey' | 'appcode';

export interface Account {
  id: number;
  name: string;
  feeType: FeeType;
  /** Queries left; a postpaid balance may go down to -creditLimit. */
  balance: number;
  /** Postpaid only: how far below zero the balance may go; null = no limit. */
  creditLimit: number | null;
  /** Per-key queries per second; null = the server default. */
  qpsLimit: number | null;
  status: AccountStatus;
  /** The console warns the customer when the balance is below this; null = never. */
  lowBalanceThreshold: number | null;
  createdAt: Date;
  /** True: the account's numbers never go to an upstream provider; its answers are local. */
  localOnly?: boolean;
}

export interface NewAccount {
  name: string;
  feeType: FeeType;
  /** Opening balance; written as the account's first ledger entry (reason 'opening balance'). */
  balance: number;
  creditLimit?: number | null;
  qpsLimit?: number | null;
  lowBalanceThreshold?: number | null;
}

export interface AccountChanges {
  feeType?: FeeType;
  creditLimit?: number | null;
  qpsLimit?: number | null;
  status?: AccountStatus;
  lowBalanceThreshold?: number | null;
  localOnly?: boolean;
}

export interface KeyRecord {
  id: number;
  accountId: number;
  kind: KeyKind;
  /** SHA-256 hex of the secret; the secret itself is never stored. */
  hash: string;
  /** The first characters of the secret, to tell keys apart in listings (e.g. `7c11…`). */
  hint: string;
  label: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface IpRule {
  id: number;
  accountId: number;
  /** Normalised CIDR, IPv4 or IPv6 (`203.0.113.0/24`, `2001:db8::/32`). */
  cidr: string;
}

export interface LedgerEntry {
  id: number;
  accountId: number;
  /** Signed change of the balance in queries. */
  delta: number;
  /** `opening balance`, `topup`, `adjustment: …`, `charge` … */
  reason: string;
  balanceAfter: number;
  at: Date;
}

/** Rows per page when the caller gives no limit, and the most it may ask for. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** Which page of a listing: up to `limit` rows with ids below `before`. */
export interface PageOptions {
  limit?: number;
  before?: number;
}

export interface Page<T> {
  rows: T[];
  /** Pass as `before` to get the next page; null on the last page. */
  next: number | null;
}

export interface UsageHour {
  accountId: number;
  /** Start of the hour, UTC. */
  hour: Date;
  queries: number;
}

/** Answers of one account in one hour with one result code (charged or not). */
export interface AnswerStatsHour {
  accountId: number;
  /** Start of the hour, UTC. */
  hour: Date;
  code: number;
  answers: number;
  /** Of the code-0 answers, those with res "1" (ported). */
  ported: number;
}

export interface QueryLogFilter extends PageOptions {
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  code?: number;
  /** Exact 11-digit number. */
  mobile?: string;
}

export type SessionRole = 'customer' | 'operator';

/** A console login. The cookie holds the id; the store only its SHA-256. */
export interface ConsoleSession {
  idHash: string;
  role: SessionRole;
  /** The account id (customer) or the operator id. */
  subjectId: number;
  /** Sent back by the console in X-CSRF-Token on every change. */
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface AuditEntry {
  id: number;
  at: Date;
  operator: string;
  /** `account.create`, `account.topup`, `data.import` … */
  action: string;
  /** What it acted on, e.g. `account:12`; null when nothing in particular. */
  target: string | null;
  /** A JSON object with the action's parameters (never a password or a secret). */
  details: string;
  /** Masked like the query log's. */
  ip: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

/**
 * The audit entry of an operator's change, made from the change's result and written in its
 * transaction: the change and its entry commit together or not at all, so an operator who sees an
 * error knows that nothing happened and may simply try again.
 */
export type AuditOf<T> = (result: T) => NewAuditEntry;

/** An account's key as the store keeps it: the secret's hash and hint, never the secret. */
export interface NewKey {
  kind: KeyKind;
  hash: string;
  hint: string;
  label: string;
}

/** What a password change takes with it, in its transaction. */
export interface PasswordChange {
  /** Ends every console session of the account or operator (a reset, or a change by its owner). */
  endSessions?: boolean;
  audit?: NewAuditEntry;
}

/**
 * draft: uploaded, previewed, not started. queued → running → done; stopped when the balance ran
 * out (what was done is kept); cancelled by the customer.
 */
export type BatchJobStatus = 'draft' | 'queued' | 'running' | 'done' | 'stopped' | 'cancelled';

/** Entries per chunk: a chunk is looked up, charged and recorded in one transaction. */
export const BATCH_CHUNK_SIZE = 1000;

export interface BatchJob {
  id: number;
  accountId: number;
  fileName: string;
  status: BatchJobStatus;
  /** Unique entries (valid and invalid) to answer; duplicates are not among them. */
  total: number;
  /** Of `total`, entries that are not a valid mobile number (answered, never charged). */
  invalid: number;
  /** Lines dropped because an earlier line had the same number. */
  duplicates: number;
  /** Entries answered so far. */
  processed: number;
  /** Entries charged so far. */
  charged: number;
  chunks: number;
  /** Why a job stopped or was cancelled, in words. */
  stopReason: string | null;
  /** The first invalid lines of the file, for the preview (kept with the job, so any node shows them). */
  invalidSamples: BatchInvalidSample[];
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Where the job was submitted: the console's batch pages, or `POST /jobs`. */
  origin: BatchJobOrigin;
  /** The client's requestId of an API job (one job per id and account). */
  requestId: string | null;
  /** Where the job's end is announced (API jobs). */
  callbackUrl: string | null;
}

export type BatchJobOrigin = 'console' | 'api';

export interface BatchInvalidSample {
  /** 1-based line of the uploaded file. */
  line: number;
  text: string;
  reason: string;
}

export interface NewBatchJob {
  accountId: number;
  fileName: string;
  /**
   * Unique entries in file order; cut into chunks of BATCH_CHUNK_SIZE, numbered from 0. At least
   * one, none holding a newline or NUL (StoreError 'invalid').
   */
  entries: string[];
  invalid: number;
  duplicates: number;
  invalidSamples?: BatchInvalidSample[];
  /** 'console' unless said. */
  origin?: BatchJobOrigin;
  /** StoreError 'duplicate' when the account has a job with this requestId already. */
  requestId?: string;
  callbackUrl?: string;
  /** `scheme://host` for the results URL the callback names. */
  resultsBase?: string;
  /** Created queued (for the runner at once) rather than as a draft. */
  queued?: boolean;
}

export interface BatchChunkOutput {
  chunkNo: number;
  /** What the runner stored for the chunk (its answers, one per entry, in its own format). */
  output: string;
  /**
   * Of the chunk's code-0 answers, how many were charged: those after it were refused for the
   * balance (answer code -5).
   */
  charged: number;
}

export type BatchChunkCommit =
  | { status: 'committed'; charged: number; insufficient: number; job: BatchJob }
  /** The chunk was committed before (another runner, or a retry after a crash): nothing written. */
  | { status: 'skipped'; job: BatchJob };

export type DataImportStatus = 'running' | 'applied' | 'rejected' | 'failed';

/**
 * Which door an import came through: the console's upload, the `mnpd data` CLI, the data
 * directory's drop folder, or a cluster node following a feed another node applied.
 */
export type ImportOrigin = 'console' | 'cli' | 'inbox' | 'cluster';

export interface NewDataImport {
  /** The node that runs it (host and data directory): only its own restart may call it interrupted. */
  node: string;
  /** Who: the console operator, `cli:<OS user>`, `inbox`, or `cluster:<node it came from>`. */
  operator: string;
  origin: ImportOrigin;
  kind: 'full' | 'delta';
  fileName: string;
}

/** How an import ended. */
export interface DataImportOutcome {
  status: Exclude<DataImportStatus, 'running'>;
  /** Rows applied. */
  rows: number;
  message: string;
  report: string | null;
}

export interface NewPortedFeed {
  node: string;
  kind: 'full' | 'delta';
  fileName: string;
  skipInvalid: boolean;
  /** The delta seq a full snapshot is as of, when given. */
  seq?: number;
  /**
   * A name for the feed, unique in the cluster, from the node that applied it first: recording a
   * feed of the same origin again records nothing and answers the feed recorded before.
   */
  origin?: string;
}

export interface PortedFeed {
  id: number;
  at: Date;
  node: string;
  kind: 'full' | 'delta';
  fileName: string;
  skipInvalid: boolean;
  seq: number | null;
  bytes: number;
  chunks: number;
}

export interface DataImport {
  id: number;
  at: Date;
  node: string;
  operator: string;
  origin: ImportOrigin;
  kind: 'full' | 'delta';
  fileName: string;
  status: DataImportStatus;
  /** Rows applied. */
  rows: number;
  /** One line for people. */
  message: string | null;
  /** The import's report as JSON (line numbers and reasons), or null. */
  report: string | null;
  finishedAt: Date | null;
}

export interface Operator {
  id: number;
  username: string;
  passwordHash: string;
  createdAt: Date;
}

/**
 * The store is one object per process, seen by each part of the product through the narrow
 * interface of its capability below: a service takes only what it uses, and a test fakes only that.
 */
export interface StoreLifecycle {
  /** Creates or upgrades the schema; safe to call at every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** For /readyz: a trivial round trip. */
  ping(): Promise<void>;
  /**
   * For /readyz: one small write transaction, committed (durably, as charges are); throws when
   * the store cannot write now (a full disk, a read-only database, a lost connection).
   */
  probeWrite(): Promise<void>;
}

/** Customer accounts, their balances and ledgers, their keys and IP whitelists. */
export interface AccountStore {
  /** StoreError 'duplicate' when the name is taken, 'invalid' for an empty name or bad limits. */
  createAccount(input: NewAccount): Promise<Account>;
  /**
   * A new account with its first key and, when given, its console password and audit entry, in one
   * transaction: never an account without its key. StoreError as `createAccount`, and 'duplicate'
   * when the key's hash exists.
   */
  openAccount(
    input: NewAccount,
    key: NewKey,
    options?: { passwordHash?: string; auditOf?: AuditOf<Account> },
  ): Promise<{ account: Account; key: KeyRecord }>;
  getAccount(id: number): Promise<Account | undefined>;
  getAccountByName(name: string): Promise<Account | undefined>;
  listAccounts(): Promise<Account[]>;
  /**
   * Changes only what `changes` holds, with the audit entry `auditOf` makes of the account after
   * and before the change when given. StoreError 'not_found' for an unknown account.
   */
  updateAccount(
    id: number,
    changes: AccountChanges,
    auditOf?: (account: Account, previous: Account) => NewAuditEntry,
  ): Promise<Account>;
  /**
   * Changes the balance by `delta` (a non-zero integer) with a ledger entry, and with the audit
   * entry `auditOf` makes of it when given, in one transaction: a balance never changes without
   * its audit entry, so an operator who sees an error can safely try again.
   * StoreError 'not_found' for an unknown account, 'invalid' for a bad delta.
   */
  adjustBalance(
    accountId: number,
    delta: number,
    reason: string,
    auditOf?: AuditOf<LedgerEntry>,
  ): Promise<LedgerEntry>;
  /** Newest first; `limit` defaults to DEFAULT_PAGE_SIZE, at most MAX_PAGE_SIZE. */
  ledger(accountId: number, options?: PageOptions): Promise<Page<LedgerEntry>>;
  /** Sum of the account's ledger deltas (for invariant checks and tests). */
  ledgerSum(accountId: number): Promise<number>;

  /** StoreError 'duplicate' when the hash exists already (any account), 'not_found' for an unknown account. */
  createKey(
    accountId: number,
    kind: KeyKind,
    hash: string,
    hint: string,
    label: string,
    auditOf?: AuditOf<KeyRecord>,
  ): Promise<KeyRecord>;
  /** Active (not revoked) key by hash, with its account. */
  findKey(kind: KeyKind, hash: string): Promise<{ key: KeyRecord; account: Account } | undefined>;
  listKeys(accountId: number): Promise<KeyRecord[]>;
  /** Returns false when there was no such active key of that account (and writes no audit entry). */
  revokeKey(accountId: number, keyId: number, audit?: NewAuditEntry): Promise<boolean>;

  listIpRules(accountId: number): Promise<IpRule[]>;
  /** Stored as given: the caller normalises the CIDR. StoreError 'duplicate' when the account has it already. */
  addIpRule(accountId: number, cidr: string, auditOf?: AuditOf<IpRule>): Promise<IpRule>;
  /** Returns false when the account had no such rule (and writes no audit entry). */
  removeIpRule(accountId: number, cidr: string, audit?: NewAuditEntry): Promise<boolean>;
}

/** The group commit of charges and answer rows (billing). */
export interface ChargeStore {
  /**
   * The group commit: all items in ONE transaction, in order. For each: a 'log' item is logged;
   * else a replay if its idempotency key is known for the account (nothing written); else charged
   * one query if the balance allows (prepaid: balance >= 1; postpaid: balance - 1 >= -creditLimit,
   * or no limit), writing its query log row, its idempotency row and the hourly usage; else
   * insufficient, its log row written as code -5. Every log row written is counted in the hourly
   * answer statistics (answerStats), in the same transaction. The ledger gets one
   * `charge` entry per account per batch with the summed delta. Exact across processes and nodes:
   * balances are read under a row lock (PostgreSQL `SELECT … FOR NO KEY UPDATE`, in account id
   * order; SQLite `BEGIN IMMEDIATE`).
   * Not checked here: the account's status (the caller refuses suspended accounts before billing).
   * The query-log row is written for `item.accountId`, whatever `item.log.accountId` says.
   * An item of an unknown account is 'rejected' (reason 'not_found'), as is a charge logged under
   * another code than 0 ('invalid'): nothing of it is written, the rest of the batch is.
   */
  commitCharges(items: ChargeItem[]): Promise<ChargeResult[]>;
}

/** The query log and what is counted from it: usage, answer statistics, retention. */
export interface QueryLogStore {
  /** The customer's own log, newest first, filtered; paged like `ledger`. */
  queryLog(accountId: number, options?: QueryLogFilter): Promise<Page<QueryLogRow & { id: number }>>;
  /** The hours in [from, to) with at least one charged query, oldest first. */
  usage(accountId: number, from: Date, to: Date): Promise<UsageHour[]>;
  /** Answer counts by hour and code in [from, to), oldest first; accountId null = every account. */
  answerStats(accountId: number | null, from: Date, to: Date): Promise<AnswerStatsHour[]>;
  /** Accounts with the most charged queries in [from, to), most first. */
  topAccounts(
    from: Date,
    to: Date,
    limit: number,
  ): Promise<{ accountId: number; name: string; queries: number }[]>;
  /**
   * Deletes query-log rows and idempotency rows older than the given times, expired sessions, and
   * drafts of batch jobs older than `draftsBefore` (when given); returns rows deleted.
   */
  prune(options: { queryLogBefore: Date; idempotencyBefore: Date; draftsBefore?: Date }): Promise<number>;
}

/**
 * The answer cache of upstream answers, shared by the nodes of a cluster. Written by the group
 * commit (`ChargeItem.cache`), read and forgotten here.
 */
export interface AnswerCacheStore {
  /** The cached answers of those of `mobiles` that have one. */
  cachedAnswers(mobiles: readonly string[]): Promise<CachedAnswer[]>;
  /** Writes answers outside a charge (`mnpd upstream test`); the newest of a number wins. */
  cacheAnswers(answers: readonly CachedAnswer[]): Promise<void>;
  /** Forgets a number's cached answer; whether it had one. */
  forgetCachedAnswer(mobile: string): Promise<boolean>;
  /** How many numbers have a cached answer. */
  cachedAnswerCount(): Promise<number>;
}

/** Console logins: operators, and the passwords of operators and accounts. */
export interface LoginStore {
  /** StoreError 'duplicate' when the username exists. */
  createOperator(username: string, passwordHash: string): Promise<Operator>;
  getOperator(username: string): Promise<Operator | undefined>;
  getOperatorById(id: number): Promise<Operator | undefined>;
  /** StoreError 'not_found' for an unknown operator. */
  setOperatorPassword(id: number, passwordHash: string, change?: PasswordChange): Promise<void>;
  countOperators(): Promise<number>;

  /** The console password's hash of an account; null when none was set (no console login). */
  getAccountPasswordHash(accountId: number): Promise<string | null>;
  /** StoreError 'not_found' for an unknown account. */
  setAccountPassword(accountId: number, passwordHash: string, change?: PasswordChange): Promise<void>;
}

/** Console sessions (the cookie's hash, its role and CSRF token). */
export interface SessionStore {
  createSession(session: ConsoleSession): Promise<void>;
  /** undefined when unknown or expired. */
  getSession(idHash: string): Promise<ConsoleSession | undefined>;
  extendSession(idHash: string, expiresAt: Date): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
}

/** The audit log of operators' changes (written with each change, read here). */
export interface AuditStore {
  /** Newest first; paged like `ledger`. */
  auditLog(options?: PageOptions): Promise<Page<AuditEntry>>;
}

/** Customers' batch jobs: their entries in chunks, leases, and each chunk's answers. */
export interface BatchJobStore {
  /** A draft job with its chunks, in one transaction. StoreError 'not_found' for an unknown account. */
  createBatchJob(job: NewBatchJob): Promise<BatchJob>;
  /** Only the account's own job: another account's id answers undefined. */
  getBatchJob(accountId: number, id: number): Promise<BatchJob | undefined>;
  /** Newest first; drafts included. */
  listBatchJobs(accountId: number, options?: PageOptions): Promise<Page<BatchJob>>;
  /**
   * Moves the account's job to `to` when its status is one of `from` (sets startedAt on the first
   * running, finishedAt on done/stopped/cancelled, and stopReason when given; back to queued or
   * running clears finishedAt and an old stopReason); undefined when it was not.
   */
  transitionBatchJob(
    accountId: number,
    id: number,
    from: BatchJobStatus[],
    to: BatchJobStatus,
    stopReason?: string,
  ): Promise<BatchJob | undefined>;
  /** Jobs of every account that are queued or running, oldest first (a runner's work list). */
  runnableBatchJobs(): Promise<BatchJob[]>;
  /**
   * Takes or renews the lease on a queued or running job for `owner`, until `leaseMs` from now:
   * true when the job was free, already `owner`'s, or its lease had run out; false when another
   * owner holds it or the job is no longer runnable.
   */
  claimBatchJob(jobId: number, owner: string, leaseMs: number): Promise<boolean>;
  /** Gives up every lease `owner` holds, so that other runners need not wait for them to run out. */
  releaseBatchJobs(owner: string): Promise<void>;
  /** The first chunk not yet committed, or undefined when none is left. */
  nextBatchChunk(jobId: number): Promise<{ chunkNo: number; entries: string[] } | undefined>;
  /**
   * One transaction: unless the chunk was committed already ('skipped', nothing written), charges
   * `charges` as commitCharges does (kind 'charge' and 'log' items alike), stores `output` and the
   * count charged for the chunk, and advances the job's processed (by the chunk's entries) and
   * charged counts. The job becomes 'stopped' (stopReason 'insufficient balance') when a charge was
   * refused, 'done' after its last chunk, else 'running'; it stays as it is when it is no longer
   * queued or running (then 'skipped'). StoreError 'not_found' for an unknown job or chunk,
   * 'invalid' for a charge of another account than the job's.
   */
  commitBatchChunk(
    jobId: number,
    chunkNo: number,
    charges: ChargeItem[],
    output: string,
  ): Promise<BatchChunkCommit>;
  /** Committed chunks of the account's job from `fromChunk` on, in order, at most `limit`. */
  batchChunkOutputs(
    accountId: number,
    jobId: number,
    fromChunk: number,
    limit: number,
  ): Promise<BatchChunkOutput[]>;
}

/** The history of portability imports, whichever door they came through. */
export interface DataImportStore {
  /** The record of an import starting, with its audit entry when given. */
  createDataImport(input: NewDataImport, auditOf?: AuditOf<DataImport>): Promise<DataImport>;
  /** StoreError 'not_found' for an unknown import, 'invalid' for a bad row count. */
  finishDataImport(id: number, outcome: DataImportOutcome): Promise<DataImport>;
  getDataImport(id: number): Promise<DataImport | undefined>;
  /** Newest first. */
  listDataImports(options?: PageOptions): Promise<Page<DataImport>>;
  /**
   * At a node's start: the imports it left 'running' when it stopped become 'failed'
   * ('interrupted'); other nodes' running imports are theirs.
   */
  failRunningImports(node: string): Promise<number>;
}

/** The portability feeds a cluster shares: what each node applied, with its file. */
export interface PortedFeedStore {
  /**
   * Records a portability feed a node applied, with its file (`chunks`, in order), in one
   * transaction: the other nodes of the cluster follow these feeds (see PortedSharing). A feed of
   * an origin recorded already is answered as it was recorded, its chunks unread.
   */
  addPortedFeed(feed: NewPortedFeed, chunks: AsyncIterable<Uint8Array>): Promise<PortedFeed>;
  /** Feeds after `afterId`, oldest first, at most `limit`. */
  portedFeedsAfter(afterId: number, limit: number): Promise<PortedFeed[]>;
  latestFullPortedFeed(): Promise<PortedFeed | undefined>;
  /** One chunk of a feed's file; undefined when there is no such chunk (or feed). */
  portedFeedChunk(feedId: number, chunkNo: number): Promise<Uint8Array | undefined>;
  /** Forgets the feeds before `beforeId`, files included; how many. */
  prunePortedFeeds(beforeId: number): Promise<number>;
}

/** A segment file an operator applied, kept with its bytes so every node can load it (0013). */
export interface SegmentVersion {
  id: number;
  createdAt: Date;
  /** The audit log's name of who applied it (`admin`, `cli:root`). */
  createdBy: string;
  node: string;
  fileName: string;
  sha256: string;
  /** The file's own version (`2502` from a phone.dat header, `csv`). */
  dataVersion: string;
  segments: number;
  bytes: number;
}

export type NewSegmentVersion = Omit<SegmentVersion, 'id' | 'createdAt'>;

/** Which version is in use: null is the server's own data (MNPD_SEGMENTS or the embedded default). */
export interface SegmentState {
  activeVersionId: number | null;
  /** What a rollback without a version goes back to: 0 the server's own data, null nothing. */
  previousVersionId: number | null;
  /** Counts every change of versions or overrides: a node that saw another number reloads. */
  revision: number;
  changedAt: Date | null;
}

/** An operator's correction of the prefixes first..last; a null field keeps the data's value. */
export interface SegmentOverride {
  id: number;
  firstPrefix: number;
  lastPrefix: number;
  province: string | null;
  city: string | null;
  zip: string | null;
  areaCode: string | null;
  /** A segment type (core SegmentType, 0..8). */
  type: number | null;
  note: string;
  createdAt: Date;
  createdBy: string;
}

export type NewSegmentOverride = Omit<SegmentOverride, 'id' | 'createdAt'>;

/** Segment versions, the one in use, and operators' overrides, shared by the nodes of a cluster. */
export interface SegmentVersionStore {
  /**
   * Records a segment file (its bytes in `chunks`, in order) and makes it the version in use, with
   * its audit entry, in one transaction. A file recorded before (same sha256) is not stored twice:
   * that version becomes the one in use.
   */
  addSegmentVersion(
    version: NewSegmentVersion,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    auditOf?: AuditOf<SegmentVersion>,
  ): Promise<SegmentVersion>;
  /** Newest first. */
  listSegmentVersions(): Promise<SegmentVersion[]>;
  getSegmentVersion(id: number): Promise<SegmentVersion | undefined>;
  /** The version's file, whole; undefined for an unknown version. */
  segmentVersionFile(id: number): Promise<Uint8Array | undefined>;
  /**
   * Makes `id` the version in use (null: the server's own data), with its audit entry;
   * StoreError 'not_found' for an unknown version.
   */
  activateSegmentVersion(id: number | null, audit?: NewAuditEntry): Promise<SegmentState>;
  segmentState(): Promise<SegmentState>;
  /** Sets the override of exactly this range (replacing one there was), with its audit entry. */
  setSegmentOverride(
    override: NewSegmentOverride,
    auditOf?: AuditOf<SegmentOverride>,
  ): Promise<SegmentOverride>;
  /** False when there was no such override (and no audit entry is written). */
  removeSegmentOverride(id: number, audit?: NewAuditEntry): Promise<boolean>;
  /** In id order: a later override wins where ranges overlap. */
  listSegmentOverrides(): Promise<SegmentOverride[]>;
}

export type CallbackDeliveryStatus = 'pending' | 'delivered' | 'failed';
export type CallbackAttemptOutcome = 'delivered' | 'failed' | 'refused';

/** A job that ended and waits for its callback event to be made. */
export interface CallbackDue {
  job: BatchJob;
  callbackUrl: string;
  resultsBase: string | null;
}

/** One event to deliver, with what its sender needs. */
export interface CallbackDelivery {
  eventId: string;
  jobId: number;
  accountId: number;
  url: string;
  body: string;
  status: CallbackDeliveryStatus;
  attempts: number;
  createdAt: Date;
  firstAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  finishedAt: Date | null;
}

export interface CallbackAttemptRecord {
  attempt: number;
  outcome: CallbackAttemptOutcome;
  httpStatus: number | null;
  error: string | null;
  startedAt: Date;
  durationMs: number;
  /** When the next attempt is due; null when this one was the last. */
  nextAttemptAt: Date | null;
}

/** An attempt's outcome and what follows it. */
export interface CallbackAttemptResult extends Omit<CallbackAttemptRecord, 'attempt'> {
  /** pending (nextAttemptAt set), delivered, or failed (given up). */
  status: CallbackDeliveryStatus;
}

/**
 * API jobs' callbacks: the per-account secret, the events made when jobs end, their leases (one
 * node sends an event) and every attempt.
 */
export interface CallbackStore {
  /** The account's job with this requestId, if any. */
  findBatchJobByRequestId(accountId: number, requestId: string): Promise<BatchJob | undefined>;
  /**
   * The secret that signs the account's callbacks, in clear: an HMAC needs the key itself (a
   * hash could not sign). Null when none was made yet.
   */
  callbackSecret(accountId: number): Promise<string | null>;
  /** Replaces the account's secret, with its audit entry; StoreError 'not_found' for an unknown account. */
  setCallbackSecret(accountId: number, secret: string, audit?: NewAuditEntry): Promise<void>;
  /** Ended jobs (done, stopped, cancelled) whose callback event is not made yet, oldest first. */
  callbacksDue(limit: number): Promise<CallbackDue[]>;
  /**
   * Makes the job's event once: false when it was made already (another node was quicker).
   * Due at once.
   */
  createCallbackDelivery(delivery: {
    eventId: string;
    jobId: number;
    url: string;
    body: string;
  }): Promise<boolean>;
  /**
   * Takes the lease on up to `limit` pending deliveries whose next attempt is due, for `owner`,
   * until `leaseMs` from now (the store's clock); only those taken are returned.
   */
  claimDueCallbacks(owner: string, leaseMs: number, limit: number): Promise<CallbackDelivery[]>;
  /**
   * Records an attempt of a delivery `owner` holds and moves it on (pending with its next time,
   * delivered, or failed), letting the lease go; false (nothing written) when `owner` no longer
   * holds it.
   */
  recordCallbackAttempt(eventId: string, owner: string, result: CallbackAttemptResult): Promise<boolean>;
  /** Gives up the leases `owner` holds. */
  releaseCallbacks(owner: string): Promise<void>;
  /** The account's job's delivery and its attempts, oldest first (at most 100, the latest). */
  callbackHistory(
    accountId: number,
    jobId: number,
  ): Promise<{ delivery: CallbackDelivery; attempts: CallbackAttemptRecord[] } | undefined>;
}

export interface Store
  extends
    StoreLifecycle,
    AccountStore,
    ChargeStore,
    QueryLogStore,
    LoginStore,
    SessionStore,
    AuditStore,
    BatchJobStore,
    DataImportStore,
    PortedFeedStore,
    SegmentVersionStore,
    AnswerCacheStore,
    CallbackStore {}

/** A store call refused for the caller's input (unknown account, duplicate name, …). */
export class StoreError extends Error {
  constructor(
    readonly code: 'not_found' | 'duplicate' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
