/**
 * The store: accounts, keys, IP rules, the ledger, the query log, idempotency and operators.
 * One interface; `sqlite.ts` (better-sqlite3) and `postgres.ts` (pg) implement it with Kysely and
 * one schema. Every balance change is a ledger row, and an account's balance always equals the sum
 * of its ledger.
 */

export type FeeType = 'prepaid' | 'postpaid';
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
  createdAt: Date;
}

export interface NewAccount {
  name: string;
  feeType: FeeType;
  /** Opening balance; written as the account's first ledger entry (reason 'opening balance'). */
  balance: number;
  creditLimit?: number | null;
  qpsLimit?: number | null;
}

export interface AccountChanges {
  feeType?: FeeType;
  creditLimit?: number | null;
  qpsLimit?: number | null;
  status?: AccountStatus;
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

export interface QueryLogRow {
  at: Date;
  accountId: number;
  keyId: number | null;
  /** Masked before it is stored (last IPv4 octet / IPv6 low 80 bits zeroed). */
  clientIp: string;
  mobile: string;
  code: number;
  res: string | null;
  initIsp: string | null;
  nowIsp: string | null;
  segmentsVersion: string | null;
  portedVersion: string | null;
  latencyMs: number;
  requestId: string;
}

/** One query to charge, as the billing group commit hands it over. */
export interface ChargeItem {
  accountId: number;
  /** Idempotency key (the client's requestId or Idempotency-Key), scoped to the account. */
  idempotencyKey: string | null;
  /** The answer body to store for replays of the same idempotency key. */
  body: string;
  log: QueryLogRow;
}

export type ChargeResult =
  | { status: 'charged'; balanceAfter: number }
  /** Prepaid at zero, or postpaid at its credit limit: nothing written. */
  | { status: 'insufficient' }
  /** The idempotency key was used before (within its retention): the first answer, not charged again. */
  | { status: 'replay'; body: string };

/** Rows per page when the caller gives no limit, and the most it may ask for. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

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

export interface Operator {
  id: number;
  username: string;
  passwordHash: string;
  createdAt: Date;
}

export interface Store {
  /** Creates or upgrades the schema; safe to call at every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** For /readyz: a trivial round trip. */
  ping(): Promise<void>;

  /** StoreError 'duplicate' when the name is taken, 'invalid' for an empty name or bad limits. */
  createAccount(input: NewAccount): Promise<Account>;
  getAccount(id: number): Promise<Account | undefined>;
  getAccountByName(name: string): Promise<Account | undefined>;
  listAccounts(): Promise<Account[]>;
  /** Changes only what `changes` holds; StoreError 'not_found' for an unknown account. */
  updateAccount(id: number, changes: AccountChanges): Promise<Account>;
  /**
   * Changes the balance by `delta` (a non-zero integer) with a ledger entry, in one transaction.
   * StoreError 'not_found' for an unknown account, 'invalid' for a bad delta.
   */
  adjustBalance(accountId: number, delta: number, reason: string): Promise<LedgerEntry>;
  /** Newest first; `limit` defaults to DEFAULT_PAGE_SIZE, at most MAX_PAGE_SIZE. */
  ledger(accountId: number, options?: { limit?: number; before?: number }): Promise<Page<LedgerEntry>>;
  /** Sum of the account's ledger deltas (for invariant checks and tests). */
  ledgerSum(accountId: number): Promise<number>;

  /** StoreError 'duplicate' when the hash exists already (any account), 'not_found' for an unknown account. */
  createKey(accountId: number, kind: KeyKind, hash: string, hint: string, label: string): Promise<KeyRecord>;
  /** Active (not revoked) key by hash, with its account. */
  findKey(kind: KeyKind, hash: string): Promise<{ key: KeyRecord; account: Account } | undefined>;
  listKeys(accountId: number): Promise<KeyRecord[]>;
  /** Returns false when there was no such active key of that account. */
  revokeKey(accountId: number, keyId: number): Promise<boolean>;

  listIpRules(accountId: number): Promise<IpRule[]>;
  /** Stored as given: the caller normalises the CIDR. StoreError 'duplicate' when the account has it already. */
  addIpRule(accountId: number, cidr: string): Promise<IpRule>;
  /** Returns false when the account had no such rule. */
  removeIpRule(accountId: number, cidr: string): Promise<boolean>;

  /**
   * The group commit: all items in ONE transaction, in order. For each: a replay if its
   * idempotency key is known for the account; else charged one query if the balance allows
   * (prepaid: balance >= 1; postpaid: balance - 1 >= -creditLimit, or no limit), writing its query
   * log row, its idempotency row and the hourly usage; else insufficient. The ledger gets one
   * `charge` entry per account per batch with the summed delta. Exact across processes and nodes:
   * balances are read under a row lock (PostgreSQL `SELECT … FOR NO KEY UPDATE`, in account id
   * order; SQLite `BEGIN IMMEDIATE`).
   * Not checked here: the account's status (the caller refuses suspended accounts before billing).
   * The query-log row is written for `item.accountId`, whatever `item.log.accountId` says.
   * An item of an unknown account fails the whole batch with StoreError 'not_found'.
   */
  commitCharges(items: ChargeItem[]): Promise<ChargeResult[]>;

  /** The customer's own log, newest first; `from` inclusive, `to` exclusive; paged like `ledger`. */
  queryLog(
    accountId: number,
    options?: { limit?: number; before?: number; from?: Date; to?: Date },
  ): Promise<Page<QueryLogRow & { id: number }>>;
  /** The hours in [from, to) with at least one charged query, oldest first. */
  usage(accountId: number, from: Date, to: Date): Promise<UsageHour[]>;
  /** Deletes query-log rows and idempotency rows older than the given times; returns rows deleted. */
  prune(options: { queryLogBefore: Date; idempotencyBefore: Date }): Promise<number>;

  /** StoreError 'duplicate' when the username exists. */
  createOperator(username: string, passwordHash: string): Promise<Operator>;
  getOperator(username: string): Promise<Operator | undefined>;
  countOperators(): Promise<number>;
}

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
