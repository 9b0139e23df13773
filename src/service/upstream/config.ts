import { LineCounter, parseDocument } from 'yaml';
import { FieldReader, isFields } from './field-reader.js';
import type { Secret } from './secret.js';

/**
 * The providers file (`MNPD_UPSTREAMS=FILE`), YAML or JSON:
 *
 * ```yaml
 * policy: cache-first          # local | cache-first | realtime
 * cacheTtl: 24h
 * onFailure: local             # local | error (-8, uncharged)
 * providers:                   # asked in this order
 *   - name: main
 *     kind: qxt                # qxt | isp-appcode | aliyun-dytns
 *     url: https://isp.example.com
 *     apikey: {env: MAIN_APIKEY}
 *     timeoutMs: 800
 *     costFen: 3
 *     maxQps: 500
 *     maxConcurrency: 50
 * ```
 */
export type UpstreamPolicy = 'local' | 'cache-first' | 'realtime';
export const UPSTREAM_POLICIES: readonly UpstreamPolicy[] = ['local', 'cache-first', 'realtime'];

export type ProviderKind = 'qxt' | 'isp-appcode' | 'aliyun-dytns';
export const PROVIDER_KINDS: readonly ProviderKind[] = ['qxt', 'isp-appcode', 'aliyun-dytns'];

export type HttpMethod = 'GET' | 'POST';
/** How aliyun-dytns sends the number: hashed (it never leaves mnpd in clear) or as it is. */
export type DytnsMask = 'sha256' | 'md5' | 'none';

export interface BreakerSettings {
  /** Consecutive failures that open the breaker; the operator's trouble opens it at the first. */
  failures: number;
  /** How long an open breaker waits before one probe call, in ms. */
  halfOpenAfterMs: number;
}

export interface CommonProviderConfig {
  name: string;
  timeoutMs: number;
  /** What one answered call costs the operator, in fen (0.01 yuan); may be fractional. */
  costFen: number;
  maxQps: number;
  maxConcurrency: number;
  breaker: BreakerSettings;
  /** A PEM file of extra CAs to trust (an upstream with its own CA); read by loadUpstreamConfig. */
  caFile?: string;
  /** The PEM text of caFile, once read. */
  ca?: string;
}

export interface QxtProviderConfig extends CommonProviderConfig {
  kind: 'qxt';
  url: string;
  apikey: Secret;
  method: HttpMethod;
  /** Polling of the upstream `/balance`; null when switched off. */
  balance: { intervalMs: number; warnBelow: number } | null;
}

export interface IspAppcodeProviderConfig extends CommonProviderConfig {
  kind: 'isp-appcode';
  url: string;
  appcode: Secret;
  method: HttpMethod;
}

export interface AliyunDytnsProviderConfig extends CommonProviderConfig {
  kind: 'aliyun-dytns';
  endpoint: string;
  accessKeyId: Secret;
  accessKeySecret: Secret;
  /** The 授权码 of the approved 号码百科 tag. */
  authCode: Secret;
  mask: DytnsMask;
}

export type ProviderConfig = QxtProviderConfig | IspAppcodeProviderConfig | AliyunDytnsProviderConfig;

export interface UpstreamConfig {
  policy: UpstreamPolicy;
  cacheTtlMs: number;
  onFailure: 'local' | 'error';
  providers: ProviderConfig[];
}

export type ParsedUpstreamConfig = { ok: true; config: UpstreamConfig } | { ok: false; errors: string[] };

export const MAX_PROVIDERS = 16;
export const DEFAULT_CACHE_TTL_MS = 24 * 3_600_000;
export const DEFAULT_TIMEOUT_MS = 800;
export const DEFAULT_MAX_QPS = 100;
export const DEFAULT_MAX_CONCURRENCY = 50;
export const DEFAULT_BREAKER: BreakerSettings = { failures: 5, halfOpenAfterMs: 10_000 };
export const DEFAULT_BALANCE_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_BALANCE_WARN_BELOW = 1000;
export const DEFAULT_DYTNS_ENDPOINT = 'https://dytnsapi.aliyuncs.com';
/** The seed's apikeys are 32 characters, and so are mnpd's; its code 1 answers any other length. */
export const QXT_APIKEY_LENGTH = 32;

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const NAME_HINT = 'must be 1 to 32 lower-case letters, digits, - or _';
const MAX_CACHE_TTL_MS = 365 * 86_400_000;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the providers file's text. Pure: secrets named as `{"env": "NAME"}` are read from `env`.
 * Returns the config, or every mistake found, one line each, naming provider and field.
 */
export function parseUpstreamConfig(text: string, env: Env): ParsedUpstreamConfig {
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((e) => `line ${lines.linePos(e.pos[0]).line}: ${e.message}`),
    };
  }
  const root: unknown = document.toJS();
  if (!isFields(root)) return { ok: false, errors: ['the file must hold an object with a providers list'] };
  const errors: string[] = [];
  const top = new FieldReader(root, '', errors);
  const policy = top.oneOf('policy', UPSTREAM_POLICIES, 'cache-first');
  const cacheTtlMs = top.duration('cacheTtl', {
    min: 1000,
    max: MAX_CACHE_TTL_MS,
    fallback: DEFAULT_CACHE_TTL_MS,
  });
  const onFailure = top.oneOf('onFailure', ['local', 'error'] as const, 'local');
  const providers = readProviders(top, root.providers, env, errors, policy);
  top.rejectUnknown();
  return errors.length > 0
    ? { ok: false, errors }
    : { ok: true, config: { policy, cacheTtlMs, onFailure, providers } };
}

function readProviders(top: FieldReader, list: unknown, env: Env, errors: string[], policy: UpstreamPolicy) {
  top.known('providers');
  if (list === undefined && policy === 'local') return [];
  if (!Array.isArray(list) || (list.length === 0 && policy !== 'local')) {
    top.error('providers', `must be a list of 1 to ${MAX_PROVIDERS} providers`);
    return [];
  }
  if (list.length > MAX_PROVIDERS)
    top.error('providers', `must be a list of 1 to ${MAX_PROVIDERS} providers`);
  const providers: ProviderConfig[] = [];
  list.slice(0, MAX_PROVIDERS).forEach((entry, i) => {
    const name = isFields(entry) && typeof entry.name === 'string' ? ` (${entry.name})` : '';
    const where = `providers[${i}]${name}: `;
    if (!isFields(entry)) errors.push(`${where}must be an object`);
    else providers.push(readProvider(new FieldReader(entry, where, errors), env));
  });
  const seen = new Set<string>();
  providers.forEach((provider, i) => {
    if (provider.name && seen.has(provider.name))
      errors.push(`providers[${i}] (${provider.name}): name is used twice`);
    seen.add(provider.name);
  });
  return providers;
}

function readProvider(fields: FieldReader, env: Env): ProviderConfig {
  const common = readCommon(fields);
  const kind = fields.oneOf('kind', PROVIDER_KINDS);
  let provider: ProviderConfig;
  if (kind === 'qxt') {
    provider = {
      ...common,
      kind,
      url: fields.url('url'),
      apikey: fields.secret('apikey', env, (value) =>
        value.length === QXT_APIKEY_LENGTH ? undefined : `must be ${QXT_APIKEY_LENGTH} characters`,
      ),
      method: fields.oneOf('method', ['POST', 'GET'] as const, 'POST'),
      balance: readBalance(fields),
    };
  } else if (kind === 'isp-appcode') {
    provider = {
      ...common,
      kind,
      url: fields.url('url'),
      appcode: fields.secret('appcode', env),
      method: fields.oneOf('method', ['GET', 'POST'] as const, 'GET'),
    };
  } else {
    provider = {
      ...common,
      kind,
      endpoint: fields.url('endpoint', DEFAULT_DYTNS_ENDPOINT),
      accessKeyId: fields.secret('accessKeyId', env),
      accessKeySecret: fields.secret('accessKeySecret', env),
      authCode: fields.secret('authCode', env),
      mask: fields.oneOf('mask', ['sha256', 'md5', 'none'] as const, 'sha256'),
    };
  }
  fields.rejectUnknown();
  return provider;
}

function readCommon(fields: FieldReader): CommonProviderConfig {
  const caFile = fields.has('caFile') ? fields.string('caFile', { max: 4096 }) : undefined;
  return {
    name: fields.string('name', { pattern: NAME, hint: NAME_HINT }),
    timeoutMs: fields.number('timeoutMs', {
      min: 50,
      max: 60_000,
      fallback: DEFAULT_TIMEOUT_MS,
      whole: true,
    }),
    costFen: fields.number('costFen', { min: 0, max: 100_000, fallback: 0 }),
    maxQps: fields.number('maxQps', { min: 1, max: 100_000, fallback: DEFAULT_MAX_QPS, whole: true }),
    maxConcurrency: fields.number('maxConcurrency', {
      min: 1,
      max: 10_000,
      fallback: DEFAULT_MAX_CONCURRENCY,
      whole: true,
    }),
    breaker: readBreaker(fields),
    ...(caFile ? { caFile } : {}),
  };
}

function readBreaker(fields: FieldReader): BreakerSettings {
  const value = fields.known('breaker');
  if (value === undefined) return DEFAULT_BREAKER;
  if (!isFields(value)) {
    fields.error('breaker', 'must be an object such as {"failures": 5, "halfOpenAfter": "10s"}');
    return DEFAULT_BREAKER;
  }
  const inner = fields.nested('breaker', value);
  const settings = {
    failures: inner.number('failures', {
      min: 1,
      max: 1000,
      fallback: DEFAULT_BREAKER.failures,
      whole: true,
    }),
    halfOpenAfterMs: inner.duration('halfOpenAfter', {
      min: 100,
      max: 3_600_000,
      fallback: DEFAULT_BREAKER.halfOpenAfterMs,
    }),
  };
  inner.rejectUnknown();
  return settings;
}

function readBalance(fields: FieldReader): QxtProviderConfig['balance'] {
  const value = fields.known('balance');
  if (value === false) return null;
  if (value === undefined)
    return { intervalMs: DEFAULT_BALANCE_INTERVAL_MS, warnBelow: DEFAULT_BALANCE_WARN_BELOW };
  if (!isFields(value)) {
    fields.error('balance', 'must be false, or an object such as {"interval": "5m", "warnBelow": 1000}');
    return null;
  }
  const inner = fields.nested('balance', value);
  const balance = {
    intervalMs: inner.duration('interval', {
      min: 1000,
      max: 86_400_000,
      fallback: DEFAULT_BALANCE_INTERVAL_MS,
    }),
    warnBelow: inner.number('warnBelow', {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      fallback: DEFAULT_BALANCE_WARN_BELOW,
      whole: true,
    }),
  };
  inner.rejectUnknown();
  return balance;
}
