/** Database rows to the store's types: snake_case to camelCase, stored timestamps to Dates. */
import type { Selectable } from 'kysely';
import type {
  AccountsTable,
  ApiKeysTable,
  DbTime,
  IpRulesTable,
  LedgerTable,
  OperatorsTable,
  QueryLogTable,
} from './schema.js';
import type { Account, IpRule, KeyRecord, LedgerEntry, Operator, Page, QueryLogRow } from './store.js';

/** PostgreSQL hands back Dates, SQLite epoch milliseconds; `new Date` takes both. */
export function toDate(value: DbTime): Date {
  return new Date(value);
}

export function toAccount(row: Selectable<AccountsTable>): Account {
  return {
    id: row.id,
    name: row.name,
    feeType: row.fee_type,
    balance: row.balance,
    creditLimit: row.credit_limit,
    qpsLimit: row.qps_limit,
    status: row.status,
    createdAt: toDate(row.created_at),
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
    revokedAt: row.revoked_at === null ? null : toDate(row.revoked_at),
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

/** Rows fetched with one extra beyond `limit`: the extra one only tells whether a next page exists. */
export function toPage<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const page = rows.slice(0, limit);
  return { rows: page, next: rows.length > limit ? page[page.length - 1].id : null };
}
