/** `uuid.rfc4122` (random v4, stable per seed within a query) and `uuid.parse` (fields by version). */

import type { Value } from '../value/value.js';
import { num, objFromRecord, str } from '../value/value-builders.js';
import type { BuiltinContext, BuiltinDefinition } from './builtin.js';
import { toHex } from './encoding/bytes.js';
import { stringArg } from './operands.js';

interface SeedCache {
  nowNs: bigint;
  values: Map<string, string>;
}

function randomUuid(context: BuiltinContext, seed: string): string {
  let cache = context.cache.get('uuid.rfc4122') as SeedCache | undefined;
  if (cache === undefined || cache.nowNs !== context.nowNs) {
    cache = { nowNs: context.nowNs, values: new Map() };
    context.cache.set('uuid.rfc4122', cache);
  }
  let id = cache.values.get(seed);
  if (id === undefined) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
    const hex = toHex(bytes);
    id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    cache.values.set(seed, id);
  }
  return id;
}

/** The 16 bytes of a UUID in any of the textual forms Go's uuid.Parse accepts. */
function uuidBytes(text: string): Uint8Array | undefined {
  let s = text;
  if (s.length === 45 && s.toLowerCase().startsWith('urn:uuid:')) s = s.slice(9);
  else if (s.length === 38 && s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  let hex: string;
  if (s.length === 36) {
    if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s))
      return undefined;
    hex = s.replace(/-/g, '');
  } else if (s.length === 32 && /^[0-9a-fA-F]{32}$/.test(s)) {
    hex = s;
  } else {
    return undefined;
  }
  return Uint8Array.from({ length: 16 }, (_, i) =>
    Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  );
}

const GREGORIAN_OFFSET = 0x01b21dd213814000n;

function variantName(b: number): string {
  if ((b & 0x80) === 0) return 'Reserved';
  if ((b & 0xc0) === 0x80) return 'RFC4122';
  if ((b & 0xe0) === 0xc0) return 'Microsoft';
  return 'Future';
}

function uint(bytes: Uint8Array, start: number, end: number): bigint {
  let n = 0n;
  for (let i = start; i < end; i++) n = (n << 8n) | BigInt(bytes[i] as number);
  return n;
}

function describe(bytes: Uint8Array): Value {
  const version = (bytes[6] as number) >> 4;
  const fields: Record<string, Value> = {
    version: num(version),
    variant: str(variantName(bytes[8] as number)),
  };
  const gregorian = (ts: bigint) => num((ts - GREGORIAN_OFFSET) * 100n);
  if (version === 1 || version === 2) {
    const ts =
      ((uint(bytes, 6, 8) & 0x0fffn) << 48n) | (uint(bytes, 4, 6) << 32n) | uint(bytes, 0, 4);
    fields.time = gregorian(ts);
    fields.clocksequence = num((((bytes[8] as number) & 0x3f) << 8) | (bytes[9] as number));
    const node = Array.from(bytes.subarray(10, 16), (b) => b.toString(16).padStart(2, '0'));
    fields.nodeid = str(node.join('-'));
    const first = bytes[10] as number;
    fields.macvariables = str(
      `${first & 0x02 ? 'local' : 'global'}:${first & 0x01 ? 'multicast' : 'unicast'}`,
    );
    if (version === 2) {
      const domains = ['Person', 'Group', 'Org'];
      fields.domain = str(domains[bytes[9] as number] ?? `Domain${bytes[9]}`);
      fields.id = num(uint(bytes, 0, 4));
    }
  } else if (version === 6) {
    const ts =
      (uint(bytes, 0, 4) << 28n) | (uint(bytes, 4, 6) << 12n) | (uint(bytes, 6, 8) & 0x0fffn);
    fields.time = gregorian(ts);
  } else if (version === 7) {
    fields.time = num(uint(bytes, 0, 6) * 1_000_000n);
  }
  return objFromRecord(fields);
}

export const UUID_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'uuid.rfc4122',
    arity: 1,
    nondeterministic: true,
    implementation: (args, context) => str(randomUuid(context, stringArg('uuid.rfc4122', args, 0))),
  },
  {
    name: 'uuid.parse',
    arity: 1,
    implementation: (args) => {
      const bytes = uuidBytes(stringArg('uuid.parse', args, 0));
      return bytes === undefined ? undefined : describe(bytes);
    },
  },
];
