/** Database rows to the store's types: snake_case to camelCase, stored timestamps to Dates. */
import type { Selectable } from 'kysely';
import type {
  AccountsTable,
  AnswerStatsHourlyTable,
  ApiKeysTable,
  AuditLogTable,
  BatchJobsTable,
  ConsoleSessionsTable,
  DataImportsTable,
  DbTime,
  IpRulesTable,
  LedgerTable,
  OperatorsTable,
  QueryLogTable,
} from './schema.js';
import type {
  Account,
  AnswerStatsHour,
  AuditEntry,
  BatchInvalidSample,
  BatchJob,
  ConsoleSession,
  DataImport,
  IpRule,
  KeyRecord,
  LedgerEntry,
  Operator,
  QueryLogRow,
} from './store.js';

/** PostgreSQL hands back Dates, SQLite epoch milliseconds; `new Date` takes both. */
export function toDate(value: DbTime): Date {
  return new Date(value);
}

export function toNullableDate(value: DbTime | null): Date | null {
  return value === null ? null : new Date(value);
}

/** The columns of an `Account`: everything but the password hash, which only its own calls read. */
export const ACCOUNT_COLUMNS = [
  'id',
  'name',
  'fee_type',
  'balance',
  'credit_limit',
  'qps_limit',
  'status',
  'low_balance_threshold',
  'created_at',
  'local_only',
  'require_signatures',
] as const;

/**
 * The account's columns beside a joined key's (`accounts as a`), but for its id and creation time,
 * which the caller takes under other names so the key's own keep theirs.
 */
export const JOINED_ACCOUNT_COLUMNS = [
  'a.name',
  'a.fee_type',
  'a.balance',
  'a.credit_limit',
  'a.qps_limit',
  'a.status',
  'a.low_balance_threshold',
  'a.local_only',
  'a.require_signatures',
] as const;

export type AccountRow = Pick<Selectable<AccountsTable>, (typeof ACCOUNT_COLUMNS)[number]>;

export function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    name: row.name,
    feeType: row.fee_type,
    balance: row.balance,
    creditLimit: row.credit_limit,
    qpsLimit: row.qps_limit,
    status: row.status,
    lowBalanceThreshold: row.low_balance_threshold,
    createdAt: toDate(row.created_at),
    localOnly: row.local_only === 1,
    requireSignatures: row.require_signatures === 1,
  };
}

export function toKey(row: Selectable<ApiKeysTable>): KeyRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    kind: row.kind,
    hash: row.hash,
    hint: row.hint,
    label: row.label,
    createdAt: toDate(row.created_at),
    revokedAt: toNullableDate(row.revoked_at),
  };
}

export function toIpRule(row: Selectable<IpRulesTable>): IpRule {
  return { id: row.id, accountId: row.account_id, cidr: row.cidr };
}

export function toLedgerEntry(row: Selectable<LedgerTable>): LedgerEntry {
  return {
    id: row.id,
    accountId: row.account_id,
    delta: row.delta,
    reason: row.reason,
    balanceAfter: row.balance_after,
    at: toDate(row.at),
  };
}

export function toQueryLogRow(row: Selectable<QueryLogTable>): QueryLogRow & { id: number } {
  return {
    id: row.id,
    at: toDate(row.at),
    accountId: row.account_id,
    keyId: row.key_id,
    clientIp: row.client_ip,
    mobile: row.mobile,
    code: row.code,
    res: row.res,
    initIsp: row.init_isp,
    nowIsp: row.now_isp,
    segmentsVersion: row.segments_version,
    portedVersion: row.ported_version,
    latencyMs: row.latency_ms,
    requestId: row.request_id,
    source: row.source,
  };
}

/** The query-log row to insert for a charge of `accountId`, its timestamp as the engine stores it. */
export function queryLogValues(accountId: number, log: QueryLogRow, at: DbTime) {
  return {
    at,
    account_id: accountId,
    key_id: log.keyId,
    client_ip: log.clientIp,
    mobile: log.mobile,
    code: log.code,
    res: log.res,
    init_isp: log.initIsp,
    now_isp: log.nowIsp,
    segments_version: log.segmentsVersion,
    ported_version: log.portedVersion,
    latency_ms: log.latencyMs,
    request_id: log.requestId,
    source: log.source ?? null,
  };
}

export function toOperator(row: Selectable<OperatorsTable>): Operator {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    createdAt: toDate(row.created_at),
  };
}

export function toAnswerStatsHour(row: Selectable<AnswerStatsHourlyTable>): AnswerStatsHour {
  return {
    accountId: row.account_id,
    hour: toDate(row.hour),
    code: row.code,
    answers: row.answers,
    ported: row.ported,
  };
}

export function toSession(row: Selectable<ConsoleSessionsTable>): ConsoleSession {
  return {
    idHash: row.id_hash,
    role: row.role,
    subjectId: row.subject_id,
    csrfToken: row.csrf_token,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
  };
}

export function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    at: toDate(row.at),
    operator: row.operator,
    action: row.action,
    target: row.target,
    details: row.details,
    ip: row.ip,
  };
}

export function toBatchJob(row: Selectable<BatchJobsTable>): BatchJob {
  return {
    id: row.id,
    accountId: row.account_id,
    fileName: row.file_name,
    status: row.status,
    total: row.total,
    invalid: row.invalid,
    duplicates: row.duplicates,
    processed: row.processed,
    charged: row.charged,
    chunks: row.chunks,
    stopReason: row.stop_reason,
    invalidSamples: JSON.parse(row.invalid_samples) as BatchInvalidSample[],
    createdAt: toDate(row.created_at),
    startedAt: toNullableDate(row.started_at),
    finishedAt: toNullableDate(row.finished_at),
    origin: row.origin,
    requestId: row.request_id,
    callbackUrl: row.callback_url,
  };
}

export function toDataImport(row: Selectable<DataImportsTable>): DataImport {
  return {
    id: row.id,
    at: toDate(row.at),
    node: row.node,
    operator: row.operator,
    origin: row.origin,
    kind: row.kind,
    fileName: row.file_name,
    status: row.status,
    rows: row.rows,
    message: row.message,
    report: row.report,
    finishedAt: toNullableDate(row.finished_at),
  };
}
