/**
 * CIDR builtins for IPv4 and IPv6: `net.cidr_contains`, `net.cidr_intersects`,
 * `net.cidr_is_valid`, `net.cidr_contains_matches`, `net.cidr_expand` and `net.cidr_merge`;
 * and `net.lookup_ip_addr`, which resolves only hosts the engine's network access allows.
 */

import type { Value } from '../value/value.js';
import { arr, bool, num, set, str } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import {
  contains,
  formatAddress,
  formatCidr,
  intersects,
  lastAddress,
  mask,
  type Network,
  parseAddress,
  parseCidr,
  parseCidrOrIp,
} from './net/ip-address.js';
import { lookupBlocking } from './network/blocking-io.js';
import { deniedMessage, hostAllowed } from './network/network-access.js';
import { builtinError, operandError, sortedSetItems, stringArg } from './operands.js';

/** How long `net.lookup_ip_addr` waits for the resolver. */
const LOOKUP_TIMEOUT_MS = 5_000;

/** Expanding more addresses than this would exhaust memory; OPA relies on cancellation instead. */
const MAX_EXPAND = 65_536n;

/** An address or network for `net.cidr_merge`: a bare IPv4 address gets its classful mask, as Go's DefaultMask. */
function mergeInput(text: string): Network {
  if (text.includes('/')) {
    const network = parseCidr(text);
    if (network === undefined)
      throw builtinError('net.cidr_merge', `invalid CIDR address: ${text}`);
    return network;
  }
  const address = parseAddress(text);
  if (address === undefined) throw builtinError('net.cidr_merge', `invalid CIDR address: ${text}`);
  if (address.bits === 128)
    throw builtinError('net.cidr_merge', 'IPv6 invalid: needs prefix length');
  const first = Number(address.value >> 24n);
  const prefix = first < 128 ? 8 : first < 192 ? 16 : 24;
  return { bits: 32, base: address.value & mask(32, prefix), prefix };
}

/** The fewest networks covering first..last exactly. */
function rangeToCidrs(bits: 32 | 128, first: bigint, last: bigint): Network[] {
  const out: Network[] = [];
  let start = first;
  while (start <= last) {
    let size = 0;
    while (
      size < bits &&
      (start & ((1n << BigInt(size + 1)) - 1n)) === 0n &&
      start + (1n << BigInt(size + 1)) - 1n <= last
    ) {
      size++;
    }
    out.push({ bits, base: start, prefix: bits - size });
    start += 1n << BigInt(size);
  }
  return out;
}

interface Range {
  readonly bits: 32 | 128;
  readonly first: bigint;
  readonly last: bigint;
  /** The input network, while the range has not been merged with another. */
  readonly network?: Network;
}

/** Go's ordering of ranges: IPv4 before IPv6, then by last address, then by first. */
function compareRanges(a: Range, b: Range): number {
  if (a.bits !== b.bits) return a.bits - b.bits;
  if (a.last !== b.last) return a.last < b.last ? -1 : 1;
  return a.first < b.first ? -1 : a.first > b.first ? 1 : 0;
}

/** OPA's merge: sort, fold each range into its predecessor when they overlap or touch. */
function mergeNetworks(networks: readonly Network[]): Network[] {
  const ranges: Range[] = networks
    .map((n) => ({ bits: n.bits, first: n.base, last: lastAddress(n), network: n }))
    .sort(compareRanges);
  for (let i = ranges.length - 1; i > 0; i--) {
    const current = ranges[i] as Range;
    const previous = ranges[i - 1] as Range;
    if (current.bits === previous.bits && current.first - 1n <= previous.last) {
      // biome-ignore lint/complexity/useMathMinMax: Math.min does not take bigints
      const first = previous.first < current.first ? previous.first : current.first;
      ranges[i - 1] = { bits: current.bits, first, last: current.last };
      ranges.splice(i, 1);
    }
  }
  return ranges.flatMap((r) =>
    r.network !== undefined ? [r.network] : rangeToCidrs(r.bits, r.first, r.last),
  );
}

function cidrArg(name: string, args: readonly Value[], index: number, allowIp: boolean): Network {
  const s = stringArg(name, args, index);
  const network = allowIp ? parseCidrOrIp(s) : parseCidr(s);
  if (network === undefined) {
    throw builtinError(
      name,
      allowIp
        ? `not a valid textual representation of an IP address or CIDR: ${s}`
        : `invalid CIDR address: ${s}`,
    );
  }
  return network;
}

/** Elements of a `net.cidr_contains_matches` operand, each with the key it is reported under. */
function matchItems(name: string, value: Value, position: number): [Value, string][] {
  const entryOf = (key: Value, item: Value): [Value, string] => {
    const cidr = item.kind === 'array' ? item.items[0] : item;
    if (cidr?.kind !== 'string')
      throw operandError(name, position, 'string or array of strings', item);
    return [key, cidr.value];
  };
  switch (value.kind) {
    case 'string':
      return [[value, value.value]];
    case 'array':
      return value.items.map((item, i) => entryOf(num(i), item));
    case 'set':
      return sortedSetItems(value).map((item) => entryOf(item, item));
    case 'object':
      return [...value.entries.values()].map(([k, item]) => entryOf(k, item));
    default:
      throw operandError(name, position, ['string', 'array', 'set', 'object'], value);
  }
}

export const NET_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'net.cidr_contains',
    arity: 2,
    implementation: (args) =>
      bool(
        contains(
          cidrArg('net.cidr_contains', args, 0, false),
          cidrArg('net.cidr_contains', args, 1, true),
        ),
      ),
  },
  {
    name: 'net.cidr_overlap',
    arity: 2,
    deprecated: true,
    implementation: (args) =>
      bool(
        contains(
          cidrArg('net.cidr_overlap', args, 0, false),
          cidrArg('net.cidr_overlap', args, 1, true),
        ),
      ),
  },
  {
    name: 'net.cidr_intersects',
    arity: 2,
    implementation: (args) =>
      bool(
        intersects(
          cidrArg('net.cidr_intersects', args, 0, false),
          cidrArg('net.cidr_intersects', args, 1, false),
        ),
      ),
  },
  {
    name: 'net.cidr_is_valid',
    arity: 1,
    implementation: (args) => {
      const value = args[0] as Value;
      return bool(value.kind === 'string' && parseCidr(value.value) !== undefined);
    },
  },
  {
    name: 'net.cidr_contains_matches',
    arity: 2,
    implementation: (args) => {
      const name = 'net.cidr_contains_matches';
      const cidrs = matchItems(name, args[0] as Value, 1);
      const targets = matchItems(name, args[1] as Value, 2);
      const pairs: Value[] = [];
      for (const [cidrKey, cidrText] of cidrs) {
        const network = parseCidr(cidrText);
        if (network === undefined) throw builtinError(name, `invalid CIDR address: ${cidrText}`);
        for (const [targetKey, targetText] of targets) {
          const target = parseCidrOrIp(targetText);
          if (target === undefined)
            throw builtinError(name, `invalid CIDR or IP address: ${targetText}`);
          if (contains(network, target)) pairs.push(arr([cidrKey, targetKey]));
        }
      }
      return set(pairs);
    },
  },
  {
    name: 'net.cidr_expand',
    arity: 1,
    implementation: (args) => {
      const network = cidrArg('net.cidr_expand', args, 0, false);
      const size = 1n << BigInt(network.bits - network.prefix);
      if (size > MAX_EXPAND)
        throw builtinError(
          'net.cidr_expand',
          `a network of ${size} addresses exceeds the limit of ${MAX_EXPAND}`,
        );
      const addresses: Value[] = [];
      for (let i = 0n; i < size; i++)
        addresses.push(str(formatAddress(network.bits, network.base + i)));
      return set(addresses);
    },
  },
  {
    name: 'net.cidr_merge',
    arity: 1,
    implementation: (args) => {
      const value = args[0] as Value;
      const items =
        value.kind === 'array'
          ? value.items
          : value.kind === 'set'
            ? sortedSetItems(value)
            : undefined;
      if (items === undefined) throw operandError('net.cidr_merge', 1, ['array', 'set'], value);
      const networks = items.map((item) => {
        if (item.kind !== 'string') throw builtinError('net.cidr_merge', 'element must be string');
        return mergeInput(item.value);
      });
      return set(mergeNetworks(networks).map((n) => str(formatCidr(n))));
    },
  },
  {
    name: 'net.lookup_ip_addr',
    arity: 1,
    nondeterministic: true,
    implementation: (args, context) => {
      const name = stringArg('net.lookup_ip_addr', args, 0);
      // An address is its own answer, as Go's resolver gives it, without asking anyone.
      const literal = parseAddress(name);
      if (literal !== undefined) return set([str(formatAddress(literal.bits, literal.value))]);
      if (!hostAllowed(context.network, name, '')) {
        throw builtinError('net.lookup_ip_addr', deniedMessage(context.network, name));
      }
      const reply = lookupBlocking(
        name,
        Math.min(LOOKUP_TIMEOUT_MS, context.network?.maxTimeoutMs ?? LOOKUP_TIMEOUT_MS),
      );
      if (!reply.ok) throw builtinError('net.lookup_ip_addr', reply.message);
      return set(reply.addresses.map(str));
    },
  },
];
