import { isIP } from 'node:net';

/**
 * Addresses a metadata fetch must not reach in production: everything that is not the public
 * internet, where an admin-entered URL could otherwise read the deployment's own network
 * (server-side request forgery): the cloud metadata service at 169.254.169.254, a database on
 * 10.x, the service itself on 127.0.0.1. IPv6 forms that carry an IPv4 address (mapped, the old
 * compatible form, NAT64) are judged by that IPv4 address.
 */
const IPV4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, '"this network"'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'shared (carrier-grade NAT, RFC 6598)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignment'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const IPV6_RANGES: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (private)'],
  ['ff00::', 8, 'multicast'],
];

/** IPv6 prefixes whose last 32 bits are an IPv4 address: ::ffff:0:0/96, ::/96, 64:ff9b::/96. */
const EMBEDDED_IPV4: [string, number][] = [
  ['::ffff:0:0', 96],
  ['::', 96],
  ['64:ff9b::', 96],
];

function ipv4Bits(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** 128 bits of an IPv6 address in any textual form (zone index dropped, dotted tail read). */
function ipv6Bits(address: string): bigint {
  let text = address.replace(/%.*$/, '').toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4Bits(dotted[1]!);
    text = `${text.slice(0, -dotted[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headParts : [...headParts, ...Array<string>(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function inRange(bits: bigint, width: number, base: bigint, prefix: number): boolean {
  const shift = BigInt(width - prefix);
  return bits >> shift === base >> shift;
}

function ipv4Reason(bits: bigint): string | null {
  for (const [base, prefix, label] of IPV4_RANGES) if (inRange(bits, 32, ipv4Bits(base), prefix)) return label;
  return null;
}

/**
 * Null when `address` (an IP literal) is a public address, else what kind of address it is
 * ("loopback", "private (RFC 1918)" …). Anything that is not an IP address is refused too.
 */
export function nonPublicAddressKind(address: string): string | null {
  const family = isIP(address.replace(/%.*$/, ''));
  if (family === 4) return ipv4Reason(ipv4Bits(address));
  if (family !== 6) return 'not an IP address';
  const bits = ipv6Bits(address);
  // The exact :: and ::1 first: both lie inside ::/96, whose last 32 bits read as 0.0.0.0 / 0.0.0.1.
  for (const [base, prefix, label] of IPV6_RANGES.slice(0, 2)) if (inRange(bits, 128, ipv6Bits(base), prefix)) return label;
  for (const [base, prefix] of EMBEDDED_IPV4) {
    if (inRange(bits, 128, ipv6Bits(base), prefix)) {
      const v4 = ipv4Reason(bits & 0xffffffffn);
      return v4 ? `${v4}, IPv4 inside IPv6` : null;
    }
  }
  for (const [base, prefix, label] of IPV6_RANGES.slice(2)) if (inRange(bits, 128, ipv6Bits(base), prefix)) return label;
  return null;
}
