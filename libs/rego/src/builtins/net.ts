/** CIDR builtins (`net.cidr_contains`, `net.cidr_intersects`, `net.cidr_is_valid`, `net.cidr_contains_matches`) for IPv4 and IPv6. */

import type { Value } from '../value/value.js';
import { arr, bool, num, set } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { builtinError, operandError, sortedSetItems, stringArg } from './operands.js';

interface Network {
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

function parseAddress(s: string): { bits: 32 | 128; value: bigint } | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { bits: 32, value: v4 };
  const v6 = s.includes(':') ? parseIPv6(s) : undefined;
  return v6 === undefined ? undefined : { bits: 128, value: v6 };
}

function mask(bits: number, prefix: number): bigint {
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
function parseCidrOrIp(s: string): Network | undefined {
  if (s.includes('/')) return parseCidr(s);
  const address = parseAddress(s);
  return address && { bits: address.bits, base: address.value, prefix: address.bits };
}

function contains(outer: Network, inner: Network): boolean {
  if (outer.bits !== inner.bits || inner.prefix < outer.prefix) return false;
  return (inner.base & mask(outer.bits, outer.prefix)) === outer.base;
}

function intersects(a: Network, b: Network): boolean {
  return contains(a, b) || contains(b, a);
}

function cidrArg(name: string, args: readonly Value[], index: number, allowIp: boolean): Network {
  const s = stringArg(name, args, index);
  const network = allowIp ? parseCidrOrIp(s) : parseCidr(s);
  if (network === undefined) throw builtinError(name, `invalid CIDR address: ${s}`);
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
];
