import ipaddr from 'ipaddr.js';

/** Parses `203.0.113.0/24`, `2001:db8::/32` or a single address into its normalised CIDR. */
export function normaliseCidr(text: string): string | undefined {
  const trimmed = text.trim();
  // ipaddr.js also reads inet_aton forms (`10.1`, `0x7f.1`, octal `010.0.0.1` = 8.0.0.1): a
  // whitelist must mean the address the operator wrote, so IPv4 is four plain decimal parts.
  const address = trimmed.split('/')[0];
  if (!address.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(address)) return undefined;
  try {
    if (trimmed.includes('/')) {
      const [address, bits] = ipaddr.parseCIDR(trimmed);
      const network = ipaddr.fromByteArray(
        address.toByteArray().map((byte, i) => {
          const keep = Math.max(0, Math.min(8, bits - i * 8));
          return byte & (0xff << (8 - keep));
        }),
      );
      return `${network.toString()}/${bits}`;
    }
    const address = ipaddr.parse(trimmed);
    return `${address.toString()}/${address.kind() === 'ipv4' ? 32 : 128}`;
  } catch {
    return undefined;
  }
}

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

function parseAddress(ip: string): Parsed | undefined {
  try {
    const address = ipaddr.parse(ip);
    // ::ffff:1.2.3.4 is how a dual-stack socket reports an IPv4 client.
    return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
      ? (address as ipaddr.IPv6).toIPv4Address()
      : address;
  } catch {
    return undefined;
  }
}

/** An empty whitelist allows any address; otherwise the address must fall in one of the CIDRs. */
export function ipAllowed(ip: string, cidrs: readonly string[]): boolean {
  if (cidrs.length === 0) return true;
  const address = parseAddress(ip);
  if (!address) return false;
  for (const cidr of cidrs) {
    try {
      const range = ipaddr.parseCIDR(cidr);
      if (range[0].kind() === address.kind() && address.match(range)) return true;
    } catch {
      // A malformed stored rule allows nothing.
    }
  }
  return false;
}

/**
 * Masked addresses of recent clients. A platform's clients are a few servers calling again and
 * again, and parsing and printing an address cost more than the rest of the query log row.
 */
const maskedIps = new Map<string, string>();
export const MAX_MASKED_IPS = 10_000;

/** For the query log: 203.0.113.7 → 203.0.113.0, IPv6 keeps its /48. */
export function maskIp(ip: string): string {
  let masked = maskedIps.get(ip);
  if (masked === undefined) {
    if (maskedIps.size >= MAX_MASKED_IPS) maskedIps.clear();
    masked = maskAddress(ip);
    maskedIps.set(ip, masked);
  }
  return masked;
}

function maskAddress(ip: string): string {
  const address = parseAddress(ip);
  if (!address) return '';
  const bytes = address.toByteArray();
  const keep = address.kind() === 'ipv4' ? 3 : 6;
  return ipaddr.fromByteArray(bytes.map((byte, i) => (i < keep ? byte : 0))).toString();
}
