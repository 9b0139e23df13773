import { describe, expect, it } from 'vitest';
import { ipAllowed, maskIp, normaliseCidr } from './ip-rules.js';

describe('normaliseCidr', () => {
  it.each([
    ['203.0.113.0/24', '203.0.113.0/24'],
    ['203.0.113.77/24', '203.0.113.0/24'],
    [' 10.1.2.3/8 ', '10.0.0.0/8'],
    ['10.1.2.3/12', '10.0.0.0/12'],
    ['10.31.2.3/12', '10.16.0.0/12'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['203.0.113.7', '203.0.113.7/32'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:db8:abcd:12::1/48', '2001:db8:abcd::/48'],
    ['2001:0DB8:0000::1', '2001:db8::1/128'],
    ['::1', '::1/128'],
  ])('normalises %j to %s', (input, expected) => {
    expect(normaliseCidr(input)).toBe(expected);
  });

  it.each([
    [''],
    ['nonsense'],
    ['300.1.1.1'],
    ['10.0.0.0/33'],
    ['2001:db8::/129'],
    ['10.0.0/8'],
    ['1.2.3.4/-1'],
    ['10.1'],
    ['0x7f.0.0.1'],
    ['192.168.001.010'],
    ['010.0.0.0/8'],
  ])('refuses %j', (input) => {
    expect(normaliseCidr(input)).toBeUndefined();
  });
});

describe('ipAllowed', () => {
  it('allows any address with an empty whitelist, even one it cannot parse', () => {
    expect(ipAllowed('203.0.113.7', [])).toBe(true);
    expect(ipAllowed('2001:db8::1', [])).toBe(true);
    expect(ipAllowed('garbage', [])).toBe(true);
  });

  it('matches IPv4 CIDRs', () => {
    const rules = ['127.0.0.0/8', '203.0.113.0/24'];
    expect(ipAllowed('127.0.0.1', rules)).toBe(true);
    expect(ipAllowed('127.255.255.254', rules)).toBe(true);
    expect(ipAllowed('203.0.113.200', rules)).toBe(true);
    expect(ipAllowed('203.0.114.1', rules)).toBe(false);
    expect(ipAllowed('10.0.0.1', rules)).toBe(false);
    expect(ipAllowed('10.0.0.1', ['10.0.0.1/32'])).toBe(true);
    expect(ipAllowed('10.0.0.2', ['10.0.0.1/32'])).toBe(false);
    expect(ipAllowed('8.8.8.8', ['0.0.0.0/0'])).toBe(true);
  });

  it('matches IPv6 CIDRs and never mixes the families', () => {
    expect(ipAllowed('2001:db8:1::5', ['2001:db8::/32'])).toBe(true);
    expect(ipAllowed('2001:db9::5', ['2001:db8::/32'])).toBe(false);
    expect(ipAllowed('::1', ['::1/128'])).toBe(true);
    expect(ipAllowed('127.0.0.1', ['::1/128', '2001:db8::/32'])).toBe(false);
    expect(ipAllowed('2001:db8::1', ['0.0.0.0/0'])).toBe(false);
  });

  it('reads an IPv4-mapped IPv6 address (a dual-stack socket) as IPv4', () => {
    expect(ipAllowed('::ffff:127.0.0.1', ['127.0.0.0/8'])).toBe(true);
    expect(ipAllowed('::ffff:10.1.2.3', ['127.0.0.0/8'])).toBe(false);
  });

  it('allows nothing for an unparsable address or a malformed stored rule', () => {
    expect(ipAllowed('not-an-ip', ['0.0.0.0/0'])).toBe(false);
    expect(ipAllowed('', ['0.0.0.0/0'])).toBe(false);
    expect(ipAllowed('10.0.0.1', ['10.0.0.0/99', 'junk'])).toBe(false);
    expect(ipAllowed('10.0.0.1', ['junk', '10.0.0.0/8'])).toBe(true);
  });
});

describe('maskIp', () => {
  it.each([
    ['203.0.113.7', '203.0.113.0'],
    ['127.0.0.1', '127.0.0.0'],
    ['::ffff:10.1.2.3', '10.1.2.0'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1::'],
    ['2001:db8::1', '2001:db8::'],
    ['::1', '::'],
  ])('masks %s to %s', (ip, masked) => {
    expect(maskIp(ip)).toBe(masked);
  });

  it('answers an empty string for what is not an address', () => {
    expect(maskIp('nonsense')).toBe('');
    expect(maskIp('')).toBe('');
  });
});
