import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_BODY_LIMIT,
  DEFAULT_PORT,
  DEFAULT_QPS,
  DEFAULT_RETENTION_DAYS,
  DEFAULT_TRIAL_QUOTA,
  configFromEnv,
} from './config.js';

describe('configFromEnv', () => {
  it('starts a fresh install with every default', () => {
    expect(configFromEnv({})).toEqual({
      port: DEFAULT_PORT,
      host: '0.0.0.0',
      tls: undefined,
      dataDir: './var',
      databaseUrl: undefined,
      segmentsFile: undefined,
      trustedProxies: [],
      trialEnabled: true,
      trialDailyQuota: DEFAULT_TRIAL_QUOTA,
      defaultQps: DEFAULT_QPS,
      retentionDays: DEFAULT_RETENTION_DAYS,
      bodyLimit: DEFAULT_BODY_LIMIT,
      inboxIntervalMs: 2000,
      npdbShared: false,
      npdbFollowMs: 5000,
      snapshotWatchMs: 1000,
      maxPendingCharges: 100_000,
      planFallback: true,
      segmentsFollowMs: 2000,
      callbackAllow: [],
      callbackFirstRetryMs: 30_000,
      callbackPollMs: 1000,
      publicUrl: undefined,
    });
  });

  it('reads every MNPD_* setting', () => {
    const config = configFromEnv({
      MNPD_PORT: '9000',
      MNPD_HOST: '127.0.0.1',
      MNPD_TLS_CERT: '/c.pem',
      MNPD_TLS_KEY: '/k.pem',
      MNPD_TLS_PORT: '9443',
      MNPD_DATA_DIR: '/data',
      DATABASE_URL: 'postgres://x/y',
      MNPD_SEGMENTS: '/s.dat',
      MNPD_TRUSTED_PROXIES: ' 10.0.0.1, 192.168.0.0/16 ,,',
      MNPD_TRIAL: 'off',
      MNPD_TRIAL_QUOTA: '0',
      MNPD_DEFAULT_QPS: '50',
      MNPD_LOG_RETENTION_DAYS: '30',
      MNPD_BODY_LIMIT: '1024',
      MNPD_INBOX_INTERVAL_MS: '500',
      MNPD_NPDB_FOLLOW_MS: '250',
      MNPD_SNAPSHOT_WATCH_MS: '200',
      MNPD_MAX_PENDING_CHARGES: '50',
      MNPD_PLAN_FALLBACK: 'off',
      MNPD_SEGMENTS_FOLLOW_MS: '300',
      MNPD_CALLBACK_ALLOW: '10.0.0.0/8, 127.0.0.1',
      MNPD_CALLBACK_FIRST_RETRY_MS: '100',
      MNPD_CALLBACK_POLL_MS: '20',
      MNPD_PUBLIC_URL: 'https://mnpd.example.com/',
    });
    expect(config).toEqual({
      port: 9000,
      host: '127.0.0.1',
      tls: { cert: '/c.pem', key: '/k.pem', port: 9443 },
      dataDir: '/data',
      databaseUrl: 'postgres://x/y',
      segmentsFile: '/s.dat',
      trustedProxies: ['10.0.0.1', '192.168.0.0/16'],
      trialEnabled: false,
      trialDailyQuota: 0,
      defaultQps: 50,
      retentionDays: 30,
      bodyLimit: 1024,
      inboxIntervalMs: 500,
      // PostgreSQL is the store of a cluster: its nodes share portability feeds unless told not to.
      npdbShared: true,
      npdbFollowMs: 250,
      snapshotWatchMs: 200,
      maxPendingCharges: 50,
      planFallback: false,
      segmentsFollowMs: 300,
      callbackAllow: ['10.0.0.0/8', '127.0.0.1'],
      callbackFirstRetryMs: 100,
      callbackPollMs: 20,
      publicUrl: 'https://mnpd.example.com',
    });
  });

  it('shares portability feeds by default on PostgreSQL only, and as MNPD_NPDB_SHARED says', () => {
    expect(configFromEnv({ DATABASE_URL: 'postgresql://x/y' }).npdbShared).toBe(true);
    expect(configFromEnv({ DATABASE_URL: 'sqlite:/tmp/x.sqlite' }).npdbShared).toBe(false);
    expect(configFromEnv({ DATABASE_URL: 'postgres://x/y', MNPD_NPDB_SHARED: 'off' }).npdbShared).toBe(false);
    expect(configFromEnv({ MNPD_NPDB_SHARED: 'on' }).npdbShared).toBe(true);
    expect(() => configFromEnv({ MNPD_NPDB_SHARED: 'maybe' })).toThrow(/MNPD_NPDB_SHARED must be on or off/);
  });

  it.each([
    ['on', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['off', false],
    ['No', false],
    ['0', false],
  ])('reads MNPD_TRIAL=%s as %s', (value, expected) => {
    expect(configFromEnv({ MNPD_TRIAL: value }).trialEnabled).toBe(expected);
  });

  it.each([
    [{ MNPD_PORT: '70000' }, /MNPD_PORT must be a whole number from 0 to 65535/],
    [{ MNPD_PORT: '80.5' }, /MNPD_PORT/],
    [{ MNPD_DEFAULT_QPS: '0' }, /MNPD_DEFAULT_QPS/],
    [{ MNPD_BODY_LIMIT: '100' }, /MNPD_BODY_LIMIT must be a whole number from 1024/],
    [{ MNPD_TRIAL_QUOTA: 'many' }, /MNPD_TRIAL_QUOTA/],
    [{ MNPD_TRIAL: 'maybe' }, /MNPD_TRIAL must be on or off/],
    [{ MNPD_TLS_CERT: '/c.pem' }, /MNPD_TLS_CERT and MNPD_TLS_KEY go together/],
  ])('refuses %j', (env, message) => {
    expect(() => configFromEnv(env)).toThrow(ConfigError);
    expect(() => configFromEnv(env)).toThrow(message);
  });
});
