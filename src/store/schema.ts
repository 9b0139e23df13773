/**
 * The one schema of both engines: the Kysely table types the queries are checked against. The
 * migrations that create it (`migrations.ts`) differ between engines only in the column types the
 * engines force: identity columns, and timestamps (timestamptz on PostgreSQL, epoch milliseconds in
 * an integer on SQLite, which has no date type).
 */
import type { ColumnType, Generated, RawBuilder } from 'kysely';
import type {
  AccountStatus,
  BatchJobOrigin,
  BatchJobStatus,
  CallbackAttemptOutcome,
  CallbackDeliveryStatus,
  DataImportStatus,
  FeeType,
  ImportOrigin,
  KeyKind,
  SessionRole,
} from './store.js';

export type Engine = 'sqlite' | 'postgres';

/** A timestamp as its column holds it: a Date from PostgreSQL, epoch milliseconds from SQLite. */
export type DbTime = Date | number;
type Timestamp = ColumnType<DbTime, DbTime, DbTime>;

/** How the engines differ inside the shared queries (not in how they lock or migrate). */
export interface EngineTraits {
  /**
   * True where reads inside a write transaction must lock the account rows they rely on; false
   * where the write transaction itself excludes every other writer (SQLite).
   */
  rowLocks: boolean;
  /**
   * True where many rows insert faster as one array per column (`unnest`, PostgreSQL) than as a
   * VALUES list with a parameter per value.
   */
  unnestInserts: boolean;
  /** A Date as the timestamp columns hold it. */
  toDb(date: Date): DbTime;
  /**
   * The store's own clock, `aheadMs` ahead, as a timestamp column holds it: what several nodes
   * time together (leases) is timed by one clock, not by each node's.
   */
  clock(aheadMs?: number): RawBuilder<DbTime>;
}
type NullableTimestamp = ColumnType<DbTime | null, DbTime | null, DbTime | null>;
/** A text column added later: inserts written before it may leave it out. */
type OptionalText = ColumnType<string | null, string | null | undefined, string | null>;

export interface AccountsTable {
  id: Generated<number>;
  name: string;
  fee_type: FeeType;
  balance: number;
  credit_limit: number | null;
  qps_limit: number | null;
  status: AccountStatus;
  created_at: Timestamp;
  low_balance_threshold: number | null;
  /** The console password (scrypt); null = no console login. Never part of `Account`. */
  password_hash: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1: the account's numbers never go upstream (0012). */
  local_only: ColumnType<number, number | undefined, number>;
  /** The callback secret (0014), as HMACs need it; never part of `Account`. */
  callback_secret: OptionalText;
}

export interface ApiKeysTable {
  id: Generated<number>;
  account_id: number;
  kind: KeyKind;
  hash: string;
  hint: string;
  label: string;
  created_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export interface IpRulesTable {
  id: Generated<number>;
  account_id: number;
  cidr: string;
}

export interface LedgerTable {
  id: Generated<number>;
  account_id: number;
  delta: number;
  reason: string;
  balance_after: number;
  at: Timestamp;
}

export interface QueryLogTable {
  id: Generated<number>;
  at: Timestamp;
  account_id: number;
  key_id: number | null;
  client_ip: string;
  mobile: string;
  code: number;
  res: string | null;
  init_isp: string | null;
  now_isp: string | null;
  segments_version: string | null;
  ported_version: string | null;
  latency_ms: number;
  request_id: string;
  /** Where the answer came from (feed, segment, upstream:NAME, cache:NAME); null before 0012. */
  source: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface IdempotencyTable {
  account_id: number;
  key: string;
  body: string;
  created_at: Timestamp;
}

export interface OperatorsTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  created_at: Timestamp;
}

/** Every answer written to the query log, counted by account, hour and code. */
export interface AnswerStatsHourlyTable {
  account_id: number;
  hour: Timestamp;
  code: number;
  answers: number;
  ported: number;
}

export interface ConsoleSessionsTable {
  id_hash: string;
  role: SessionRole;
  subject_id: number;
  csrf_token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  operator: string;
  action: string;
  target: string | null;
  details: string;
  ip: string;
}

export interface BatchJobsTable {
  id: Generated<number>;
  account_id: number;
  file_name: string;
  status: BatchJobStatus;
  total: number;
  invalid: number;
  duplicates: number;
  processed: number;
  charged: number;
  chunks: number;
  stop_reason: string | null;
  /** JSON array of BatchInvalidSample. */
  invalid_samples: string;
  created_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  /** The runner working the job (see Store.claimBatchJob), until lease_until. */
  lease_owner: string | null;
  lease_until: NullableTimestamp;
  /** 0014: where the job came from; a job made before is a console job. */
  origin: ColumnType<BatchJobOrigin, BatchJobOrigin | undefined, BatchJobOrigin>;
  /** The client's requestId, unique per account (0014). */
  request_id: OptionalText;
  callback_url: OptionalText;
  /** `scheme://host` the job was submitted to, for the results URL its callback names. */
  results_base: OptionalText;
  /** 'waiting' until the job's end event is made, then 'made'; null without a callback. */
  callback_state: ColumnType<
    'waiting' | 'made' | null,
    'waiting' | 'made' | null | undefined,
    'waiting' | 'made' | null
  >;
}

export interface BatchJobChunksTable {
  job_id: number;
  chunk_no: number;
  /** The chunk's entries joined by newlines. */
  entries: string;
  /** Null until the chunk is committed. */
  output: string | null;
  charged: number | null;
}

export interface DataImportsTable {
  id: Generated<number>;
  at: Timestamp;
  node: string;
  operator: string;
  origin: ImportOrigin;
  kind: 'full' | 'delta';
  file_name: string;
  status: DataImportStatus;
  rows: number;
  message: string | null;
  report: string | null;
  finished_at: NullableTimestamp;
}

/** The newest upstream answer of each number, shared by the nodes of a cluster (0012). */
export interface AnswerCacheTable {
  mobile: string;
  res: string;
  init_isp: string;
  now_isp: string;
  provider: string;
  checked_at: Timestamp;
}

export interface StoreHealthTable {
  id: number;
  probed_at: Timestamp;
}

export interface PortedFeedsTable {
  id: Generated<number>;
  at: Timestamp;
  node: string;
  kind: 'full' | 'delta';
  file_name: string;
  /** 1 when the feed was applied with its invalid rows skipped. */
  skip_invalid: number;
  /** The delta seq a full snapshot is as of, when it was given one. */
  seq: number | null;
  bytes: number;
  chunks: number;
  /** Where the feed was applied first, as that node named it (0005); null before. */
  origin: string | null;
}

export interface PortedFeedChunksTable {
  feed_id: number;
  chunk_no: number;
  data: Uint8Array;
}

export interface CallbackDeliveriesTable {
  event_id: string;
  job_id: number;
  account_id: number;
  url: string;
  /** The event as sent, byte for byte, on every attempt. */
  body: string;
  status: CallbackDeliveryStatus;
  attempts: number;
  created_at: Timestamp;
  first_attempt_at: NullableTimestamp;
  next_attempt_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  lease_owner: string | null;
  lease_until: NullableTimestamp;
}

export interface CallbackAttemptsTable {
  id: Generated<number>;
  event_id: string;
  job_id: number;
  attempt: number;
  outcome: CallbackAttemptOutcome;
  http_status: number | null;
  error: string | null;
  started_at: Timestamp;
  duration_ms: number;
  next_attempt_at: NullableTimestamp;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  ip_rules: IpRulesTable;
  ledger: LedgerTable;
  query_log: QueryLogTable;
  idempotency: IdempotencyTable;
  operators: OperatorsTable;
  answer_stats_hourly: AnswerStatsHourlyTable;
  console_sessions: ConsoleSessionsTable;
  audit_log: AuditLogTable;
  batch_jobs: BatchJobsTable;
  batch_job_chunks: BatchJobChunksTable;
  data_imports: DataImportsTable;
  store_health: StoreHealthTable;
  ported_feeds: PortedFeedsTable;
  ported_feed_chunks: PortedFeedChunksTable;
  segment_versions: SegmentVersionsTable;
  segment_version_chunks: SegmentVersionChunksTable;
  segment_state: SegmentStateTable;
  segment_overrides: SegmentOverridesTable;
  answer_cache: AnswerCacheTable;
  callback_deliveries: CallbackDeliveriesTable;
  callback_attempts: CallbackAttemptsTable;
}

/** Segment files applied by operators, with their bytes in chunks (0013). */
export interface SegmentVersionsTable {
  id: Generated<number>;
  created_at: Timestamp;
  created_by: string;
  node: string;
  file_name: string;
  sha256: string;
  data_version: string;
  segments: number;
  bytes: number;
  chunks: number;
}

export interface SegmentVersionChunksTable {
  version_id: number;
  chunk_no: number;
  data: Uint8Array;
}

/** One row (id 1): the version in use and a counter of every change, which nodes poll (0013). */
export interface SegmentStateTable {
  id: number;
  active_version_id: number | null;
  previous_version_id: number | null;
  revision: number;
  changed_at: Timestamp;
}

/** Operators' corrections of a prefix range; a null field keeps the data's value (0013). */
export interface SegmentOverridesTable {
  id: Generated<number>;
  first_prefix: number;
  last_prefix: number;
  province: string | null;
  city: string | null;
  zip: string | null;
  area_code: string | null;
  type: number | null;
  note: string;
  created_at: Timestamp;
  created_by: string;
}
