/**
 * IPv4 and IPv6 addresses and networks as integers (bigint), parsed and printed as Go's
 * `net` package does: no leading zeros in IPv4, RFC 5952 text for IPv6.
 */

export interface Network {
  readonly bits: 32 | 128;
  readonly base: bigint;
  readonly prefix: number;
}

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseIPv6(s: string): bigint | undefined {
  let text = s;
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    text = text.slice(0, lastColon + 1);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const group = (h: string) => (h === '' ? [] : h.split(':'));
  const head = group(halves[0] as string);
  const rest = halves.length === 2 ? group(halves[1] as string) : [];
  const words: bigint[] = [];
  for (const g of [...head, ...rest]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
  }
  const total = head.length + rest.length + tail.length;
  if (halves.length === 1 && total !== 8) return undefined;
  if (halves.length === 2 && total > 7) return undefined;
  words.push(...head.map((g) => BigInt(`0x${g}`)));
  if (halves.length === 2) for (let i = 0; i < 8 - total; i++) words.push(0n);
  words.push(...rest.map((g) => BigInt(`0x${g}`)), ...tail);
  return words.reduce((acc, w) => (acc << 16n) | w, 0n);
}

export function parseAddress(s: string): { bits: 32 | 128; value: bigint } | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { bits: 32, value: v4 };
  const v6 = s.includes(':') ? parseIPv6(s) : undefined;
  return v6 === undefined ? undefined : { bits: 128, value: v6 };
}

export function mask(bits: number, prefix: number): bigint {
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

export function parseCidr(s: string): Network | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseAddress(s.slice(0, slash));
  const prefixText = s.slice(slash + 1);
  if (address === undefined || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > address.bits) return undefined;
  return { bits: address.bits, base: address.value & mask(address.bits, prefix), prefix };
}

/** A CIDR, or a single address as a full-length network. */
export function parseCidrOrIp(s: string): Network | undefined {
  if (s.includes('/')) return parseCidr(s);
  const address = parseAddress(s);
  return address && { bits: address.bits, base: address.value, prefix: address.bits };
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address, as Go's To4 sees it. */
function asIPv4(n: Network): Network {
  if (n.bits === 128 && n.prefix >= 96 && n.base >> 32n === 0xffffn) {
    return { bits: 32, base: n.base & 0xffffffffn, prefix: n.prefix - 96 };
  }
  return n;
}

export function contains(outerNetwork: Network, innerNetwork: Network): boolean {
  const outer = outerNetwork;
  const inner = outer.bits === 32 ? asIPv4(innerNetwork) : innerNetwork;
  if (outer.bits !== inner.bits || inner.prefix < outer.prefix) return false;
  return (inner.base & mask(outer.bits, outer.prefix)) === outer.base;
}

export function intersects(a: Network, b: Network): boolean {
  return contains(a, b) || contains(b, a);
}

/** The last address of a network. */
export function lastAddress(n: Network): bigint {
  return n.base | ((1n << BigInt(n.bits - n.prefix)) - 1n);
}

/** Go's `net.IP.String()`: dotted IPv4; IPv6 in lower case with the longest zero run as `::`. */
export function formatAddress(bits: 32 | 128, value: bigint): string {
  if (bits === 32)
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((value >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return formatAddress(32, value & 0xffffffffn);
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function formatCidr(n: Network): string {
  return `${formatAddress(n.bits, n.base)}/${n.prefix}`;
}
