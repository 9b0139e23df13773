import { describe, expect, it } from 'vitest';
import { CallbackAllowList, type ResolveHost, checkCallbackTarget } from './callback-target.js';

/** A resolver answering from a table, as DNS would; unknown names fail as DNS fails them. */
function resolverOf(table: Record<string, string[]>): ResolveHost {
  return async (hostname) => {
    const addresses = table[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

const resolve = resolverOf({
  'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'metadata.evil.test': ['169.254.169.254'],
  'rebind.evil.test': ['93.184.216.34', '10.0.0.7'],
  'mapped.evil.test': ['::ffff:127.0.0.1'],
  'nothing.test': [],
});
const policy = { allow: new CallbackAllowList([]), resolve };

describe('checkCallbackTarget', () => {
  it('passes a public name and gives the address to connect to', async () => {
    expect(await checkCallbackTarget('https://hooks.example.com/mnpd?x=1', policy)).toMatchObject({
      ok: true,
      address: '93.184.216.34',
      family: 4,
      url: new URL('https://hooks.example.com/mnpd?x=1'),
    });
    expect(
      await checkCallbackTarget('http://[2606:2800:220:1:248:1893:25c8:1946]:8080/', policy),
    ).toMatchObject({
      ok: true,
      family: 6,
    });
  });

  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.1.2.3:8080/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://10.1.2.3/', 'private'],
    ['http://172.16.0.1/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://169.254.169.254/latest/meta-data/', 'linkLocal'],
    ['http://100.64.0.1/', 'carrierGradeNat'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://255.255.255.255/', 'broadcast'],
    ['http://198.51.100.7/', 'reserved'],
    ['http://[::1]/', 'loopback'],
    ['http://[::]/', 'unspecified'],
    ['http://[fe80::1]/', 'linkLocal'],
    ['http://[fc00::1]/', 'uniqueLocal'],
    ['http://[fd12:3456::1]/', 'uniqueLocal'],
    ['http://[ff02::1]/', 'multicast'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::ffff:a00:1]/', 'private'],
    ['http://[64:ff9b::a00:1]/', 'rfc6052'],
    ['http://[2002:a00:1::]/', '6to4'],
    ['http://metadata.evil.test/', 'linkLocal'],
    ['http://rebind.evil.test/', 'private'],
    ['http://mapped.evil.test/', 'loopback'],
  ])('refuses %s (%s)', async (url, range) => {
    expect(await checkCallbackTarget(url, policy)).toMatchObject({
      ok: false,
      reason: 'forbidden-address',
      range,
    });
  });

  it('resolves with the system resolver when none is given', async () => {
    expect(
      await checkCallbackTarget('http://localhost:9/', { allow: new CallbackAllowList([]) }),
    ).toMatchObject({
      ok: false,
      reason: 'forbidden-address',
      range: 'loopback',
    });
  });

  it('lets the operator allow addresses that would be refused, and only those', async () => {
    const allowing = { allow: new CallbackAllowList(['127.0.0.1/32', '10.0.0.0/8', 'fd00::/8']), resolve };
    expect(await checkCallbackTarget('http://127.0.0.1:8080/hook', allowing)).toMatchObject({ ok: true });
    expect(await checkCallbackTarget('http://[::ffff:127.0.0.1]/', allowing)).toMatchObject({ ok: true });
    expect(await checkCallbackTarget('http://rebind.evil.test/', allowing)).toMatchObject({
      ok: true,
      address: '93.184.216.34',
    });
    expect(await checkCallbackTarget('http://[fd12::1]/', allowing)).toMatchObject({ ok: true });
    expect(await checkCallbackTarget('http://127.0.0.2/', allowing)).toMatchObject({
      reason: 'forbidden-address',
    });
    expect(await checkCallbackTarget('http://metadata.evil.test/', allowing)).toMatchObject({
      reason: 'forbidden-address',
    });
  });

  it('refuses other schemes, credentials, junk and names without an address', async () => {
    expect(await checkCallbackTarget('ftp://hooks.example.com/', policy)).toMatchObject({
      reason: 'unsupported-scheme',
    });
    expect(await checkCallbackTarget('file:///etc/passwd', policy)).toMatchObject({
      reason: 'unsupported-scheme',
    });
    expect(await checkCallbackTarget('https://u:p@hooks.example.com/', policy)).toMatchObject({
      reason: 'credentials-in-url',
    });
    expect(await checkCallbackTarget('hooks.example.com/x', policy)).toMatchObject({
      reason: 'malformed-url',
    });
    expect(await checkCallbackTarget(`https://hooks.example.com/${'a'.repeat(2048)}`, policy)).toMatchObject({
      reason: 'malformed-url',
    });
    expect(await checkCallbackTarget('https://nothing.test/', policy)).toMatchObject({
      reason: 'unresolvable-host',
    });
    expect(await checkCallbackTarget('https://unknown.test/', policy)).toMatchObject({
      reason: 'unresolvable-host',
      message: expect.stringContaining('ENOTFOUND'),
    });
  });

  it('refuses to start with an allow-list entry that is not an address', () => {
    expect(() => new CallbackAllowList(['10.1/16'])).toThrow(/"10.1\/16" is not an IP address or CIDR/);
    expect(() => new CallbackAllowList(['example.com'])).toThrow(/not an IP address/);
    expect(() => new CallbackAllowList([' 10.0.0.0/8 ', ''])).not.toThrow();
  });
});
