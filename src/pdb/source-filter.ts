import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** A switch sends from a handful of addresses: their verdicts are remembered, up to this many. */
const MAX_REMEMBERED_SOURCES = 4096;

/**
 * Which source addresses may query the pdb endpoint: those inside the operator's CIDRs, or any
 * address when there are none. Parsed once at start, so a bad CIDR stops the start with its text.
 */
export class SourceFilter {
  readonly #ranges: Range[];
  readonly #verdicts = new Map<string, boolean>();

  constructor(cidrs: readonly string[]) {
    this.#ranges = cidrs.map(parseRange);
  }

  allows(address: string): boolean {
    if (this.#ranges.length === 0) return true;
    let verdict = this.#verdicts.get(address);
    if (verdict === undefined) {
      verdict = this.#match(address);
      if (this.#verdicts.size >= MAX_REMEMBERED_SOURCES) this.#verdicts.clear();
      this.#verdicts.set(address, verdict);
    }
    return verdict;
  }

  #match(text: string): boolean {
    let address: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      address = ipaddr.process(text);
    } catch {
      return false;
    }
    return this.#ranges.some(
      ([network, bits]) => network.kind() === address.kind() && address.match(network, bits),
    );
  }
}

function parseRange(cidr: string): Range {
  const text = cidr.trim();
  // ipaddr.js also reads inet_aton forms (`10.1` is 10.0.0.1): an allow-list means what it says.
  const address = text.split('/')[0];
  if (!address.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(address)) throw notAnAddress(cidr);
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text);
    const address = ipaddr.parse(text);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    throw notAnAddress(cidr);
  }
}

function notAnAddress(cidr: string): Error {
  return new Error(`pdb: "${cidr}" is not an IP address or CIDR`);
}
