/** Server settings, from the environment; every default lets a fresh install start as it is. */
export interface ServerConfig {
  port: number;
  host: string;
  tls: { cert: string; key: string; port: number } | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Redis for rate limits shared by every node; unset: limits per node, in memory. */
  redisUrl: string | undefined;
  segmentsFile: string | undefined;
  /** Peers whose X-Forwarded-For is believed (IPs or CIDRs). */
  trustedProxies: string[];
  trialEnabled: boolean;
  /** Free /qxt_test answers per client IP per day. */
  trialDailyQuota: number;
  /** Per-key queries per second when the account sets none. */
  defaultQps: number;
  /** Query-log retention in days. */
  retentionDays: number;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** How often the inbox is polled, in ms. */
  inboxIntervalMs: number;
  /**
   * Share portability feeds through the store and follow the other nodes' (ported-sharing.ts).
   * Default: on with PostgreSQL (the store of a cluster), off with SQLite.
   */
  npdbShared: boolean;
  /** How often a sharing node looks for the other nodes' feeds, in ms. */
  npdbFollowMs: number;
  /**
   * How often the server looks whether another process (the CLI, another server on the same data
   * directory) replaced the portability snapshot, in ms.
   */
  snapshotWatchMs: number;
  /** Charges waiting for the store at most; past it answers are refused uncharged (-8, HTTP 503). */
  maxPendingCharges: number;
  /**
   * A number of an allocated block that the segment data lacks answers its carrier from the
   * numbering plan with an empty Area (on, the default); off answers it -4.
   */
  planFallback: boolean;
  /** How often a server looks whether segment versions or overrides changed in the store, in ms. */
  segmentsFollowMs: number;
  /** The upstream providers file (MNPD_UPSTREAMS); unset: every answer from local data. */
  upstreamsFile?: string;
  /** Addresses or CIDRs callbacks may go to although private, loopback … (MNPD_CALLBACK_ALLOW). */
  callbackAllow: string[];
  /** The first retry of a failed callback, in ms (doubling from there, at most an hour apart). */
  callbackFirstRetryMs: number;
  /** How often a node looks for ended jobs to announce and callbacks due, in ms. */
  callbackPollMs: number;
  /** `scheme://host[:port]` clients reach the API at, for results URLs; else the submission's host. */
  publicUrl: string | undefined;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_TLS_PORT = 8443;
export const DEFAULT_TRIAL_QUOTA = 20;
export const DEFAULT_QPS = 200;
export const DEFAULT_RETENTION_DAYS = 90;
/** A 1000-number batch is about 15 kB; this leaves room for form encoding and whitespace. */
export const DEFAULT_BODY_LIMIT = 256 * 1024;
/** As billing's MAX_PENDING_CHARGES: about a second of the largest load one node takes. */
export const DEFAULT_MAX_PENDING_CHARGES = 100_000;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = env[name]?.trim().toLowerCase();
  if (text === undefined || text === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new ConfigError(`${name} must be on or off, got ${JSON.stringify(env[name])}`);
}

/** MNPD_NPDB_SHARED, on by default when DATABASE_URL names PostgreSQL (the store of a cluster). */
export function npdbSharedFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return flag(env, 'MNPD_NPDB_SHARED', /^postgres(ql)?:\/\//i.test(env.DATABASE_URL?.trim() ?? ''));
}

/** MNPD_PLAN_FALLBACK, on by default: the CLI's offline lookups answer as the servers do. */
export function planFallbackFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return flag(env, 'MNPD_PLAN_FALLBACK', true);
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const cert = env.MNPD_TLS_CERT || undefined;
  const key = env.MNPD_TLS_KEY || undefined;
  if ((cert === undefined) !== (key === undefined))
    throw new ConfigError('MNPD_TLS_CERT and MNPD_TLS_KEY go together');
  return {
    port: integer(env, 'MNPD_PORT', DEFAULT_PORT, 0, 65535),
    host: env.MNPD_HOST || '0.0.0.0',
    tls:
      cert && key
        ? { cert, key, port: integer(env, 'MNPD_TLS_PORT', DEFAULT_TLS_PORT, 0, 65535) }
        : undefined,
    dataDir: env.MNPD_DATA_DIR || './var',
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.MNPD_REDIS_URL || undefined,
    segmentsFile: env.MNPD_SEGMENTS || undefined,
    trustedProxies: (env.MNPD_TRUSTED_PROXIES ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
    trialEnabled: flag(env, 'MNPD_TRIAL', true),
    trialDailyQuota: integer(env, 'MNPD_TRIAL_QUOTA', DEFAULT_TRIAL_QUOTA, 0, 1_000_000),
    defaultQps: integer(env, 'MNPD_DEFAULT_QPS', DEFAULT_QPS, 1, 1_000_000),
    retentionDays: integer(env, 'MNPD_LOG_RETENTION_DAYS', DEFAULT_RETENTION_DAYS, 1, 36_500),
    bodyLimit: integer(env, 'MNPD_BODY_LIMIT', DEFAULT_BODY_LIMIT, 1024, 64 * 1024 * 1024),
    inboxIntervalMs: integer(env, 'MNPD_INBOX_INTERVAL_MS', 2000, 50, 3_600_000),
    npdbShared: npdbSharedFromEnv(env),
    npdbFollowMs: integer(env, 'MNPD_NPDB_FOLLOW_MS', 5000, 50, 3_600_000),
    snapshotWatchMs: integer(env, 'MNPD_SNAPSHOT_WATCH_MS', 1000, 50, 3_600_000),
    maxPendingCharges: integer(env, 'MNPD_MAX_PENDING_CHARGES', DEFAULT_MAX_PENDING_CHARGES, 1, 10_000_000),
    planFallback: planFallbackFromEnv(env),
    segmentsFollowMs: integer(env, 'MNPD_SEGMENTS_FOLLOW_MS', 2000, 50, 3_600_000),
    upstreamsFile: env.MNPD_UPSTREAMS || undefined,
    callbackAllow: (env.MNPD_CALLBACK_ALLOW ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
    callbackFirstRetryMs: integer(env, 'MNPD_CALLBACK_FIRST_RETRY_MS', 30_000, 10, 3_600_000),
    callbackPollMs: integer(env, 'MNPD_CALLBACK_POLL_MS', 1000, 10, 3_600_000),
    publicUrl: env.MNPD_PUBLIC_URL?.trim().replace(/\/+$/, '') || undefined,
  };
}
