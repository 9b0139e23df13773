import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../../test-support/test-server.js';
import { hashSecret, newSecret, secretHint } from '../../service/accounts/secrets.js';
import {
  YICHANG,
  YICHANG_ANSWER,
  allRecords,
  codeOnly,
  forgetCachedKeys,
  uniqueName,
} from '../test-support/fixtures.js';
import { get } from '../test-support/http-client.js';

/** Connects from 127.0.0.1 and trusts no proxy. */
let direct: TestServer;
/** Believes X-Forwarded-For from 127.0.0.1, as behind a local reverse proxy. */
let proxied: TestServer;

beforeAll(async () => {
  [direct, proxied] = await Promise.all([
    startTestServer('sqlite'),
    startTestServer('sqlite', { MNPD_TRUSTED_PROXIES: '127.0.0.1' }),
  ]);
});
afterAll(async () => {
  await Promise.all([direct?.close(), proxied?.close()]);
});

/** An account whose whitelist is exactly `cidrs` (empty: any address). */
async function accountWithRules(server: TestServer, cidrs: string[], qpsLimit = 10_000) {
  const created = await server.account({ name: uniqueName('sec'), balance: 100, qpsLimit });
  for (const cidr of cidrs) await server.server.deps.store.addIpRule(created.account.id, cidr);
  forgetCachedKeys(server);
  return created;
}

function carrier(server: TestServer, apikey: string, headers: Record<string, string> = {}) {
  return get(server.url, '/carrier', { apikey, mobile: YICHANG }, headers);
}

describe('IP whitelist (the server listens on 127.0.0.1)', () => {
  it.each([
    [[], 0],
    [['127.0.0.0/8'], 0],
    [['127.0.0.1/32'], 0],
    [['10.0.0.0/8', '127.0.0.0/8'], 0],
    [['10.0.0.0/8'], -9],
    [['127.0.0.2/32'], -9],
    [['192.168.0.0/16', '203.0.113.0/24'], -9],
    [['2001:db8::/32'], -9],
    [['::1/128'], -9],
  ] as const)('whitelist %j answers %i', async (cidrs, code) => {
    const { account, apikey } = await accountWithRules(direct, [...cidrs]);
    const answer = await carrier(direct, apikey);
    expect(answer.body).toEqual(code === 0 ? YICHANG_ANSWER : codeOnly(code));
    expect(await direct.server.deps.store.ledgerSum(account.id)).toBe(code === 0 ? 99 : 100);
  });

  it('takes a changed whitelist into account once the key cache is refreshed', async () => {
    const { account, apikey } = await accountWithRules(direct, ['10.0.0.0/8']);
    expect((await carrier(direct, apikey)).body).toEqual(codeOnly(-9));
    await direct.server.deps.store.addIpRule(account.id, '127.0.0.0/8');
    forgetCachedKeys(direct);
    expect((await carrier(direct, apikey)).body).toEqual(YICHANG_ANSWER);
    await direct.server.deps.store.removeIpRule(account.id, '127.0.0.0/8');
    forgetCachedKeys(direct);
    expect((await carrier(direct, apikey)).body).toEqual(codeOnly(-9));
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const denied = await accountWithRules(direct, ['10.0.0.0/8']);
    expect((await carrier(direct, denied.apikey, { 'x-forwarded-for': '10.1.2.3' })).body).toEqual(
      codeOnly(-9),
    );
    const allowed = await accountWithRules(direct, ['127.0.0.0/8']);
    expect((await carrier(direct, allowed.apikey, { 'x-forwarded-for': '203.0.113.9' })).body).toEqual(
      YICHANG_ANSWER,
    );
    const [row] = await allRecords(direct, allowed.apikey);
    expect(row.clientIp).toBe('127.0.0.0');
  });

  it('logs the client IP masked to its /24 in /records', async () => {
    const { apikey } = await accountWithRules(direct, []);
    await carrier(direct, apikey);
    const rows = await allRecords(direct, apikey);
    expect(rows.map((row) => row.clientIp)).toEqual(['127.0.0.0']);
  });
});

describe('X-Forwarded-For from a trusted proxy (MNPD_TRUSTED_PROXIES=127.0.0.1)', () => {
  it('takes the client IP from X-Forwarded-For', async () => {
    const { account, apikey } = await accountWithRules(proxied, ['10.0.0.0/8']);
    expect((await carrier(proxied, apikey, { 'x-forwarded-for': '10.1.2.3' })).body).toEqual(YICHANG_ANSWER);
    expect((await carrier(proxied, apikey, { 'x-forwarded-for': '203.0.113.9' })).body).toEqual(codeOnly(-9));
    // Without the header the peer itself is the client.
    expect((await carrier(proxied, apikey)).body).toEqual(codeOnly(-9));
    // /records obeys the same whitelist, through the same header.
    expect((await get(proxied.url, '/records', { apikey })).body).toEqual(codeOnly(-9));
    const records = await get(proxied.url, '/records', { apikey }, { 'x-forwarded-for': '10.200.0.1' });
    expect(records.body).toMatchObject({ code: 0, result: { rows: [{ clientIp: '10.1.2.0' }], next: null } });
    expect(await proxied.server.deps.store.ledgerSum(account.id)).toBe(99);
  });

  it('takes the rightmost untrusted address of a chain', async () => {
    const { account, apikey } = await accountWithRules(proxied, ['10.0.0.0/8']);
    // A client can prepend anything; only what the trusted proxy appended counts.
    expect((await carrier(proxied, apikey, { 'x-forwarded-for': '203.0.113.9, 10.1.2.3' })).body).toEqual(
      YICHANG_ANSWER,
    );
    expect((await carrier(proxied, apikey, { 'x-forwarded-for': '10.1.2.3, 203.0.113.9' })).body).toEqual(
      codeOnly(-9),
    );
    // A trusted hop at the end is skipped.
    expect((await carrier(proxied, apikey, { 'x-forwarded-for': '10.9.8.7, 127.0.0.1' })).body).toEqual(
      YICHANG_ANSWER,
    );
    const rows = (await proxied.server.deps.store.queryLog(account.id)).rows;
    expect(rows.map((row) => row.clientIp)).toEqual(['10.9.8.0', '10.1.2.0']);
  });

  it('matches IPv6 clients against IPv6 rules and masks them to their /48', async () => {
    const { account, apikey } = await accountWithRules(proxied, ['2001:db8::/32']);
    expect((await carrier(proxied, apikey, { 'x-forwarded-for': '2001:db8:1:2::5' })).body).toEqual(
      YICHANG_ANSWER,
    );
    expect((await carrier(proxied, apikey, { 'x-forwarded-for': '2001:db9::5' })).body).toEqual(codeOnly(-9));
    expect((await carrier(proxied, apikey, { 'x-forwarded-for': '10.1.2.3' })).body).toEqual(codeOnly(-9));
    const rows = (await proxied.server.deps.store.queryLog(account.id)).rows;
    expect(rows.map((row) => row.clientIp)).toEqual(['2001:db8:1::']);
  });

  it('reads an IPv4-mapped IPv6 client as IPv4', async () => {
    const { account, apikey } = await accountWithRules(proxied, ['10.0.0.0/8']);
    expect((await carrier(proxied, apikey, { 'x-forwarded-for': '::ffff:10.1.2.3' })).body).toEqual(
      YICHANG_ANSWER,
    );
    const rows = (await proxied.server.deps.store.queryLog(account.id)).rows;
    expect(rows.map((row) => row.clientIp)).toEqual(['10.1.2.0']);
  });

  it('answers -9 for an X-Forwarded-For that is not an address', async () => {
    const { apikey } = await accountWithRules(proxied, ['10.0.0.0/8']);
    expect((await carrier(proxied, apikey, { 'x-forwarded-for': 'not-an-ip' })).body).toEqual(codeOnly(-9));
  });
});

describe('rate limits', () => {
  it('limits each key on its own', async () => {
    const limited = await accountWithRules(direct, [], 1);
    const other = await accountWithRules(direct, [], 1);
    expect((await carrier(direct, limited.apikey)).body).toEqual(YICHANG_ANSWER);
    expect((await carrier(direct, limited.apikey)).status).toBe(429);
    expect((await carrier(direct, other.apikey)).body).toEqual(YICHANG_ANSWER);
    // A second key of the limited account has its own bucket.
    const second = newSecret();
    await direct.server.deps.store.createKey(
      limited.account.id,
      'apikey',
      hashSecret(second),
      secretHint(second),
      'second',
    );
    expect((await carrier(direct, second)).body).toEqual(YICHANG_ANSWER);
  });

  it('refills over time', async () => {
    const { apikey } = await accountWithRules(direct, [], 2);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await carrier(direct, apikey)).body.code);
    expect(codes).toEqual([0, 0, -6]);
    // 600 ms at 2 per second is more than one token.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await carrier(direct, apikey)).body).toEqual(YICHANG_ANSWER);
  });
});
