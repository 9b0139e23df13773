/**
 * The console API's requests and answers, as JSON carries them: the server's routes build them and
 * the web console reads them, both from this one module. Types only: nothing here runs, so the
 * console's bundle takes nothing of the server with it.
 */

export type Role = 'customer' | 'operator';

export interface Session {
  role: Role;
  name: string;
  csrfToken: string;
}

export type FeeType = 'prepaid' | 'postpaid';
export type AccountStatus = 'active' | 'suspended';

export interface Page<T> {
  rows: T[];
  next: number | null;
}

/** Answers of one China day (UTC+8) by result code, e.g. `{'0': 120, '-4': 3}`. */
export interface DailyCodes {
  /** `YYYY-MM-DD`. */
  day: string;
  /** Codes without answers that day are absent. */
  codes: Record<string, number>;
}

export interface PeriodStats {
  answers: number;
  charged: number;
  ported: number;
}

export interface Overview {
  account: {
    name: string;
    feeType: FeeType;
    balance: number;
    /** Postpaid only: how far below zero the balance may go; null = no limit. */
    creditLimit: number | null;
    lowBalanceThreshold: number | null;
    status: AccountStatus;
  };
  lowBalance: boolean;
  today: PeriodStats;
  month: PeriodStats;
  successRate: number | null;
  portedShare: number | null;
  daily: DailyCodes[];
}

export interface QueryResult {
  res: string;
  Mobile: string;
  Area: string;
  Init_isp: string;
  Now_isp: string;
  province?: string;
  city?: string;
  zip?: string;
  areaCode?: string;
  type?: string;
  virtual?: boolean;
  portedAt?: string | null;
  dataVersion?: { segments: string; ported: string | null };
  /** Where the answer came from: feed, segment, upstream:NAME or cache:NAME. */
  source?: string;
  /** When a provider checked the number (ISO); null for local data. */
  checkedAt?: string | null;
}

export interface QueryAnswer {
  code: number;
  reason: string;
  result?: QueryResult;
}

export interface QueryRecord {
  id: number;
  at: string;
  mobile: string;
  code: number;
  res: string | null;
  initIsp: string | null;
  nowIsp: string | null;
  clientIp: string | null;
  latencyMs: number | null;
  requestId: string | null;
  /** feed, segment, upstream:NAME, cache:NAME; null for rows logged before sources were kept. */
  source?: string | null;
}

export type KeyKind = 'apikey' | 'appcode';

export interface ApiKey {
  id: number;
  kind: KeyKind;
  hint: string;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface IpRule {
  id: number;
  cidr: string;
}

export type BatchStatus = 'draft' | 'queued' | 'running' | 'done' | 'stopped' | 'cancelled';

export interface BatchPreview {
  lines: number;
  valid: number;
  invalid: number;
  duplicates: number;
  invalidSamples: { line: number; text: string; reason: string }[];
  cost: number;
  balance: number;
  affordable: boolean;
}

export interface BatchView {
  id: number;
  fileName: string;
  status: BatchStatus;
  total: number;
  invalid: number;
  duplicates: number;
  processed: number;
  charged: number;
  progress: number;
  stopReason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  preview?: BatchPreview;
  /** Where the job was submitted: the console, or the API's POST /jobs. */
  origin?: 'console' | 'api';
  requestId?: string | null;
  callbackUrl?: string | null;
}

/** One attempt to deliver a job's callback, as the batch page shows it. */
export interface BatchCallbackAttemptView {
  attempt: number;
  outcome: 'delivered' | 'failed' | 'refused';
  httpStatus: number | null;
  error: string | null;
  startedAt: string;
  durationMs: number;
  nextAttemptAt: string | null;
}

/** A job's callback: its event, where it goes, how it stands, and every attempt. */
export interface BatchCallbackView {
  eventId: string;
  url: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: BatchCallbackAttemptView[];
  nextAttemptAt: string | null;
}

export interface AdminAccount {
  id: number;
  name: string;
  feeType: FeeType;
  balance: number;
  creditLimit: number | null;
  qpsLimit: number | null;
  status: AccountStatus;
  lowBalanceThreshold: number | null;
  /** The account's numbers never go to upstream providers (MNPD_UPSTREAMS). */
  localOnly: boolean;
  hasPassword: boolean;
  createdAt: string;
}

export interface AccountDetail {
  account: AdminAccount;
  keys: ApiKey[];
  ipRules: IpRule[];
  usage: { daily: DailyCodes[] };
}

export interface LedgerEntry {
  id: number;
  delta: number;
  reason: string;
  balanceAfter: number;
  at: string;
}

export interface DataStats {
  /** The node answering (host and data directory): its portability database is its own. */
  node: string;
  /** Imports are shared with every node of the cluster (through the store). */
  shared: boolean;
  segments: { version: string; count: number; source: string | null };
  ported: {
    version: string | null;
    count: number;
    lastSeq: number | null;
    byCarrier: Record<string, number>;
    byMonth: { month: string; count: number }[];
  };
}

export type ImportStatus = 'running' | 'applied' | 'rejected' | 'failed';

/** The door an import came through: an upload here, the CLI, the drop folder, another node. */
export type ImportOrigin = 'console' | 'cli' | 'inbox' | 'cluster';

export interface DataImportView {
  id: number;
  at: string;
  /** The operator, `cli:<OS user>`, `inbox`, or `cluster:<node it came from>`. */
  operator: string;
  origin: ImportOrigin;
  /** The node that applied it. */
  node: string;
  kind: 'full' | 'delta';
  fileName: string;
  status: ImportStatus;
  rows: number;
  message: string | null;
  /** The import's report (a feed report: counts and `problems: [{line, reason}]`), or null. */
  report: unknown;
  finishedAt: string | null;
  progress: number | null;
}

export interface TrafficSecond {
  /** Epoch seconds. */
  second: number;
  requests: number;
  codes: Record<string, number>;
  /** null when the second had no request. */
  p50Ms: number | null;
  p99Ms: number | null;
}

/** This node's answers over the last minutes. */
export interface TrafficSummary {
  seconds: TrafficSecond[];
  /** Over the whole window. */
  requests: number;
  codes: Record<string, number>;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
}

export interface SystemView {
  traffic: TrafficSummary;
  topAccounts: { accountId: number; name: string; queries: number }[];
  totals: { accounts: number; ported: number; segments: number };
}

export interface AuditRow {
  id: number;
  at: string;
  operator: string;
  action: string;
  target: string | null;
  details: unknown;
  ip: string;
}

// ---- segment data: versions, rollback, overrides, coverage (the operator's data page)

export interface SegmentVersionView {
  id: number;
  createdAt: string;
  createdBy: string;
  node: string;
  fileName: string;
  sha256: string;
  /** The file's own version (`2502`, `csv`). */
  dataVersion: string;
  segments: number;
  bytes: number;
}

export interface SegmentOverrideView {
  id: number;
  firstPrefix: number;
  lastPrefix: number;
  /** null: the data's value stands. */
  province: string | null;
  city: string | null;
  zip: string | null;
  areaCode: string | null;
  /** A segment type label (`电信虚拟`), null: the data's. */
  type: string | null;
  note: string;
  createdAt: string;
  createdBy: string;
}

/** What `POST /admin/data/segments/overrides` takes: empty fields keep the data's value. */
export interface SegmentOverrideInput {
  /** `1700000` or `1700000-1700999`. */
  prefixes: string;
  province?: string;
  city?: string;
  zip?: string;
  areaCode?: string;
  /** A carrier or a segment type label. */
  type?: string;
  note?: string;
}

export interface SegmentsInUseView {
  /** null: the server's own data (MNPD_SEGMENTS or the embedded default). */
  versionId: number | null;
  dataVersion: string;
  source: string;
  segments: number;
  overrides: number;
}

export interface BlockCoverageView {
  block: string;
  carriers: string;
  allocated: number;
  present: number;
  missing: number;
  outsidePlan: number;
}

export interface SegmentsView {
  inUse: SegmentsInUseView;
  versions: SegmentVersionView[];
  overrides: SegmentOverrideView[];
  coverage: {
    blocks: BlockCoverageView[];
    totals: Omit<BlockCoverageView, 'block' | 'carriers'>;
  };
}

export type SegmentChangeKind = 'added' | 'removed' | 'moved' | 'details' | 'carrier' | 'type';
export type SegmentChangeCounts = Record<SegmentChangeKind, number>;

export interface SegmentStateView {
  type: string;
  carrier: string;
  area: string;
  zip: string;
  areaCode: string;
}

/** A segment file's report: checked only (`applied` null) or applied. */
export interface SegmentReportView {
  fileName: string;
  sha256: string;
  dataVersion: string;
  segments: number;
  oddRows: { total: number; summary: string[]; examples: { where: string; problem: string }[] };
  diff: {
    before: { version: string; size: number };
    after: { version: string; size: number };
    unchanged: number;
    changed: number;
    counts: SegmentChangeCounts;
    byCarrier: Record<string, SegmentChangeCounts>;
    byProvince: Record<string, SegmentChangeCounts>;
    carrierChanges: { from: string; to: string; count: number }[];
    examples: Record<
      SegmentChangeKind,
      { prefix: number; before?: SegmentStateView; after?: SegmentStateView }[]
    >;
  };
  overridesNowAgreeing: SegmentOverrideView[];
  applied: SegmentVersionView | null;
}

/** One upstream provider on the operator's Upstreams page (System → Upstreams). */
export interface UpstreamProviderView {
  name: string;
  kind: string;
  url: string;
  /** Its breaker: closed (in use), open (passed over), half-open (probing), isolated. */
  state: string;
  calls: number;
  callsPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Failed calls by reason: timeout, http-status, rate-limited, bad-key, ... */
  failures: Record<string, number>;
  answersToday: number;
  costTodayFen: number;
  costFen: number;
  balance: { balance: number; feeType: string; low: boolean; checkedAt: string } | null;
  lastAlert: { at: string; reason: string; message: string } | null;
}

export interface UpstreamsView {
  /** False without MNPD_UPSTREAMS: every answer is local. */
  configured: boolean;
  policy: string;
  cacheTtlMs: number;
  onFailure: string;
  providers: UpstreamProviderView[];
  cache: {
    /** Cached answers / (cached + upstream answers) since this node started; null before any. */
    hitRatio: number | null;
    memoryEntries: number;
    storeEntries: number;
    savedFen: number;
  };
  /** Answers of this node since it started, by where they came from. */
  sources: { feed: number; segment: number; upstream: number; cache: number };
  alerts: { provider: string; at: string; reason: string; message: string }[];
}
