import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where a callback may be sent. A customer names the URL, but mnpd makes the request, from inside
 * the operator's network: a URL naming (or resolving to) a private, loopback, link-local,
 * unique-local, multicast, unspecified or otherwise special address would let a customer reach
 * what only mnpd's network can (cloud metadata at 169.254.169.254, an admin port on localhost).
 * Only global unicast addresses are allowed, IPv4-mapped IPv6 judged as its IPv4 address, plus
 * what the operator lists (MNPD_CALLBACK_ALLOW).
 */

/** Longer URLs are refused before they are parsed. */
export const MAX_CALLBACK_URL_LENGTH = 2048;

/** All the addresses a name resolves to, as `dns.lookup(name, { all: true })` gives them. */
export type ResolveHost = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

export interface CallbackTargetPolicy {
  /** CIDRs or addresses allowed even though they are not global unicast. */
  allow: CallbackAllowList;
  /** Injected by tests; the system resolver otherwise. */
  resolve?: ResolveHost;
}

/** A URL that passed, and the one address the delivery must connect to. */
export interface CallbackTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/**
 * - `malformed-url`, `unsupported-scheme` (only http and https), `credentials-in-url`;
 * - `unresolvable-host`: no address for the name (retrying later may help);
 * - `forbidden-address`: the name or one of its addresses is not allowed (`address`, `range`).
 */
export type CallbackTargetRefusal =
  | { ok: false; reason: 'malformed-url' | 'unsupported-scheme' | 'credentials-in-url'; message: string }
  | { ok: false; reason: 'unresolvable-host'; message: string }
  | { ok: false; reason: 'forbidden-address'; message: string; address: string; range: string };

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** The operator's exceptions, parsed once; a bad entry stops the start with its text. */
export class CallbackAllowList {
  readonly #ranges: Range[];

  constructor(cidrs: readonly string[]) {
    this.#ranges = cidrs
      .map((cidr) => cidr.trim())
      .filter((cidr) => cidr !== '')
      .map(parseRange);
  }

  includes(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return this.#ranges.some(
      ([network, bits]) => network.kind() === address.kind() && address.match(network, bits),
    );
  }
}

function parseRange(cidr: string): Range {
  const address = cidr.split('/')[0];
  // ipaddr.js also reads inet_aton forms (`10.1` is 10.0.0.1): an allow-list means what it says.
  if (address.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(address)) {
    try {
      if (cidr.includes('/')) return ipaddr.parseCIDR(cidr);
      const parsed = ipaddr.parse(cidr);
      return [parsed, parsed.kind() === 'ipv4' ? 32 : 128];
    } catch {
      // Reported below.
    }
  }
  throw new Error(`callback allow-list: "${cidr}" is not an IP address or CIDR`);
}

const systemResolve: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Checks a callback URL and resolves it once; the delivery connects to the address returned. */
export async function checkCallbackTarget(
  text: string,
  policy: CallbackTargetPolicy,
): Promise<({ ok: true } & CallbackTarget) | CallbackTargetRefusal> {
  const url = parseCallbackUrl(text);
  if ('reason' in url) return url;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: readonly { address: string; family: number }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await (policy.resolve ?? systemResolve)(host);
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      return { ok: false, reason: 'unresolvable-host', message: `${host} could not be resolved (${why})` };
    }
  }
  if (addresses.length === 0) {
    return { ok: false, reason: 'unresolvable-host', message: `${host} has no address` };
  }
  // Every answer is judged: a name that also points inside could be made to use that answer.
  for (const { address } of addresses) {
    const range = forbiddenRange(address, policy.allow);
    if (range) {
      return {
        ok: false,
        reason: 'forbidden-address',
        address,
        range,
        message: `${host} is ${address}, a ${range} address, where callbacks are not sent`,
      };
    }
  }
  const [first] = addresses;
  return { ok: true, url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

function parseCallbackUrl(text: string): URL | CallbackTargetRefusal {
  if (text.length > MAX_CALLBACK_URL_LENGTH) {
    return {
      ok: false,
      reason: 'malformed-url',
      message: `longer than ${MAX_CALLBACK_URL_LENGTH} characters`,
    };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'malformed-url', message: 'not an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: 'unsupported-scheme', message: 'only http and https URLs' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'credentials-in-url', message: 'a callback URL carries no user or password' };
  }
  return url;
}

/** The special range an address is in, or undefined for a global unicast or allowed address. */
export function forbiddenRange(text: string, allow: CallbackAllowList): string | undefined {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.parse(text);
  } catch {
    return 'unparsable';
  }
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  if (allow.includes(address)) return undefined;
  const range = address.range();
  return range === 'unicast' ? undefined : range;
}
