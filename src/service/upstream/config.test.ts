import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BREAKER,
  DEFAULT_DYTNS_ENDPOINT,
  type UpstreamConfig,
  parseUpstreamConfig,
} from './config.js';
import { loadUpstreamConfig } from './config-file.js';
import { selfSignedCertificate } from './test-support/tls-material.js';

const KEY = 'a'.repeat(32);
const ISSUE_EXAMPLE = JSON.stringify({
  policy: 'cache-first',
  cacheTtl: '24h',
  providers: [
    {
      name: 'main',
      kind: 'qxt',
      url: 'http://127.0.0.1:9000',
      apikey: KEY,
      timeoutMs: 800,
      costFen: 3,
      maxQps: 500,
    },
  ],
});

function parsed(text: string, env: Record<string, string> = {}): UpstreamConfig {
  const result = parseUpstreamConfig(text, env);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

function errorsOf(text: string, env: Record<string, string> = {}): string[] {
  const result = parseUpstreamConfig(text, env);
  if (result.ok) throw new Error('expected the file to be refused');
  return result.errors;
}

describe('the providers file', () => {
  it('reads the issue’s example, with defaults for what it leaves out', () => {
    const config = parsed(ISSUE_EXAMPLE);
    expect(config).toMatchObject({ policy: 'cache-first', cacheTtlMs: 86_400_000, onFailure: 'local' });
    expect(config.providers).toHaveLength(1);
    const [main] = config.providers;
    expect(main).toMatchObject({
      name: 'main',
      kind: 'qxt',
      url: 'http://127.0.0.1:9000',
      timeoutMs: 800,
      costFen: 3,
      maxQps: 500,
      maxConcurrency: 50,
      method: 'POST',
      breaker: DEFAULT_BREAKER,
      balance: { intervalMs: 300_000, warnBelow: 1000 },
    });
    expect(main.kind === 'qxt' && main.apikey.reveal()).toBe(KEY);
  });

  it('reads YAML with every kind, secrets from the environment, and nested settings', () => {
    const config = parsed(
      `
policy: realtime
cacheTtl: 15m
onFailure: error
providers:
  - name: cheap
    kind: qxt
    url: https://isp.example.com/api/
    apikey: {env: CHEAP_KEY}
    method: GET
    maxConcurrency: 10
    breaker: {failures: 3, halfOpenAfter: 30s}
    balance: {interval: 1m, warnBelow: 500}
  - name: market
    kind: isp-appcode
    url: https://xhzw.market.example.com
    appcode: {env: MARKET_APPCODE}
    costFen: 0.8
  - name: aliyun
    kind: aliyun-dytns
    accessKeyId: {env: ALI_ID}
    accessKeySecret: {env: ALI_SECRET}
    authCode: Dd1r4id
    mask: md5
`,
      { CHEAP_KEY: KEY, MARKET_APPCODE: 'c0de', ALI_ID: 'LTAIid', ALI_SECRET: 'shh' },
    );
    expect(config).toMatchObject({ policy: 'realtime', cacheTtlMs: 900_000, onFailure: 'error' });
    const [cheap, market, aliyun] = config.providers;
    expect(cheap).toMatchObject({
      url: 'https://isp.example.com/api',
      method: 'GET',
      maxConcurrency: 10,
      breaker: { failures: 3, halfOpenAfterMs: 30_000 },
      balance: { intervalMs: 60_000, warnBelow: 500 },
    });
    expect(cheap.kind === 'qxt' && cheap.apikey.source).toBe('env CHEAP_KEY');
    expect(market).toMatchObject({ kind: 'isp-appcode', method: 'GET', costFen: 0.8 });
    expect(aliyun).toMatchObject({ kind: 'aliyun-dytns', endpoint: DEFAULT_DYTNS_ENDPOINT, mask: 'md5' });
    expect(aliyun.kind === 'aliyun-dytns' && aliyun.accessKeySecret.reveal()).toBe('shh');
  });

  it('defaults aliyun-dytns to mask sha256, and a bare policy local needs no providers', () => {
    const aliyun = parsed(
      '{"providers":[{"name":"a","kind":"aliyun-dytns","accessKeyId":"i","accessKeySecret":"s","authCode":"c"}]}',
    ).providers[0];
    expect(aliyun.kind === 'aliyun-dytns' && aliyun.mask).toBe('sha256');
    expect(parsed('policy: local').providers).toEqual([]);
  });

  it('switches balance polling off with balance: false', () => {
    const text = ISSUE_EXAMPLE.replace('"maxQps":500', '"maxQps":500,"balance":false');
    const [main] = parsed(text).providers;
    expect(main.kind === 'qxt' && main.balance).toBeNull();
  });

  it('names provider and field in one line per mistake', () => {
    const errors = errorsOf(
      JSON.stringify({
        policy: 'sometimes',
        cacheTtl: 'forever',
        providers: [
          {
            name: 'main',
            kind: 'qxt',
            url: 'http://127.0.0.1:9000',
            apikey: 'short',
            timeoutMs: 5,
            maxQps: 0,
          },
          { name: 'main', kind: 'isp-appcode', url: 'ftp://x', appcode: { env: 'NOPE' }, apiKey: 'typo' },
          { name: 'Bad Name', kind: 'telepathy' },
          'not an object',
        ],
      }),
    );
    expect(errors).toEqual([
      'policy must be one of local, cache-first, realtime',
      'cacheTtl must be a duration from 1s to 365d, such as 90s, 15m or 24h',
      'providers[0] (main): timeoutMs must be a whole number from 50 to 60000',
      'providers[0] (main): maxQps must be a whole number from 1 to 100000',
      'providers[0] (main): apikey must be 32 characters',
      'providers[1] (main): url must be an http:// or https:// URL',
      'providers[1] (main): appcode names environment variable NOPE, which is not set',
      'providers[1] (main): apiKey is not a known field here',
      'providers[2] (Bad Name): name must be 1 to 32 lower-case letters, digits, - or _',
      'providers[2] (Bad Name): kind must be one of qxt, isp-appcode, aliyun-dytns',
      'providers[2] (Bad Name): url is required',
      'providers[2] (Bad Name): apikey is required',
      'providers[3]: must be an object',
      'providers[1] (main): name is used twice',
    ]);
  });

  it('never repeats a secret in its messages', () => {
    const secret = 'S3cr3t-value-that-must-not-leak';
    const errors = errorsOf(
      JSON.stringify({ providers: [{ name: 'm', kind: 'qxt', url: 'http://x', apikey: secret }] }),
      {},
    );
    expect(errors).toEqual(['providers[0] (m): apikey must be 32 characters']);
    const fromEnv = errorsOf(
      JSON.stringify({ providers: [{ name: 'm', kind: 'qxt', url: 'http://x', apikey: { env: 'K' } }] }),
      { K: secret },
    );
    expect(fromEnv).toEqual(['providers[0] (m): apikey must be 32 characters (from env K)']);
  });

  it('keeps secrets out of JSON, template strings and util.inspect of the config', () => {
    const config = parsed(ISSUE_EXAMPLE);
    const printed = [
      JSON.stringify(config),
      `${config.providers[0].kind === 'qxt' && config.providers[0].apikey}`,
      inspect(config, { depth: 9 }),
    ];
    for (const text of printed) {
      expect(text).not.toContain(KEY);
      expect(text).toContain('[redacted]');
    }
  });

  it('refuses URLs with credentials or a query, nested mistakes, and an empty provider list', () => {
    const errors = errorsOf(
      JSON.stringify({
        providers: [
          { name: 'a', kind: 'qxt', url: 'http://u:p@x', apikey: KEY, breaker: { failures: 0, after: 1 } },
          { name: 'b', kind: 'qxt', url: 'http://x/?k=1', apikey: KEY, balance: { interval: '1ms' } },
        ],
      }),
    );
    expect(errors).toEqual([
      'providers[0] (a): breaker.failures must be a whole number from 1 to 1000',
      'providers[0] (a): breaker.after is not a known field here',
      'providers[0] (a): url must not carry a user or password; use the secret fields',
      'providers[1] (b): url must not carry a query or fragment',
      'providers[1] (b): balance.interval must be a duration from 1s to 1d, such as 90s, 15m or 24h',
    ]);
    expect(errorsOf('{"providers": []}')).toEqual(['providers must be a list of 1 to 16 providers']);
  });

  it('reports YAML syntax errors with their line, and a file that is not an object', () => {
    expect(errorsOf('providers:\n  - name: a\n   kind: qxt\n')[0]).toMatch(/^line \d+: /);
    expect(errorsOf('policy: local\npolicy: realtime\n')[0]).toMatch(/^line 2: .*unique/);
    expect(errorsOf('- just\n- a list')).toEqual(['the file must hold an object with a providers list']);
  });
});

describe('loading the providers file', () => {
  it('reads it from disk with the CA files it names, relative to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnpd-upstreams-'));
    writeFileSync(join(dir, 'ca.pem'), selfSignedCertificate().cert);
    const file = join(dir, 'upstreams.yaml');
    writeFileSync(
      file,
      `providers:\n  - {name: a, kind: qxt, url: "https://127.0.0.1:1", apikey: ${KEY}, caFile: ca.pem}\n`,
    );
    const result = await loadUpstreamConfig(file, {});
    expect(result.ok).toBe(true);
    const [provider] = result.ok ? result.config.providers : [];
    expect(provider.caFile).toBe(join(dir, 'ca.pem'));
    expect(provider.ca).toBe(selfSignedCertificate().cert);
  });

  it('says which file or CA cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnpd-upstreams-'));
    expect(await loadUpstreamConfig(join(dir, 'missing.yaml'), {})).toEqual({
      ok: false,
      errors: [`${join(dir, 'missing.yaml')}: cannot be read (ENOENT)`],
    });
    const file = join(dir, 'upstreams.json');
    writeFileSync(
      file,
      JSON.stringify({
        providers: [{ name: 'a', kind: 'qxt', url: 'https://x', apikey: KEY, caFile: 'nope.pem' }],
      }),
    );
    expect(await loadUpstreamConfig(file, {})).toEqual({
      ok: false,
      errors: ['providers[0] (a): caFile cannot be read (ENOENT)'],
    });
  });
});
