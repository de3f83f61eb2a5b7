/**
 * Conversions between values and JSON. Sets become sorted arrays and objects with
 * non-string keys get their keys serialised as JSON text, as OPA's API does.
 * Large integers survive the round trip when the JSON text is parsed with `parseJson`.
 */
import { isInteger, parse, stringify } from 'lossless-json';
import { sortInPlace } from './small-sort.js';
import type { Value } from './value.js';
import { arr, bool, NULL, num, set, str } from './value-builders.js';
import { compareValues } from './value-compare.js';

/** Converts a JavaScript value (as from `JSON.parse`) to a Rego value. Bigints are kept exact. */
export function fromJs(input: unknown): Value {
  if (input === null || input === undefined) return NULL;
  switch (typeof input) {
    case 'boolean':
      return bool(input);
    case 'number':
      if (!Number.isFinite(input))
        throw new TypeError(`cannot represent ${input} as a Rego number`);
      return num(input);
    case 'bigint':
      return num(input);
    case 'string':
      return str(input);
    case 'object':
      if (Array.isArray(input)) return arr(input.map(fromJs));
      if (input instanceof Set) return set([...input].map(fromJs));
      return objectFromJs(input as Record<string, unknown>);
    default:
      throw new TypeError(`cannot represent a ${typeof input} as a Rego value`);
  }
}

/** A plain object: its keys are strings, whose canonical key is the string after a quote. */
function objectFromJs(input: Record<string, unknown>): Value {
  const entries = new Map<string, readonly [Value, Value]>();
  for (const k of Object.keys(input)) {
    const key = memberKey(k);
    entries.set(key.canonical, [key.value, fromJs(input[k])]);
  }
  return { kind: 'object', entries };
}

/** A member name's canonical key and string value, made once for names seen before. */
interface MemberKey {
  readonly canonical: string;
  readonly value: Value;
}

/**
 * Member names recur in every input (`prompt`, `user_id`): their canonical key (a string the
 * map must hash) and value are made once, rather than per object converted. Bounded in number
 * and in length, since the names come from callers: a long name is not kept (4,096 names of a
 * megabyte each would hold 4 GB), and past the count the cache starts again.
 */
const memberKeys = new Map<string, MemberKey>();
const MAX_MEMBER_KEYS = 4096;
const MAX_KEPT_NAME_LENGTH = 64;

function memberKey(name: string): MemberKey {
  let key = memberKeys.get(name);
  if (key === undefined) {
    key = { canonical: `"${name}`, value: str(name) };
    if (name.length > MAX_KEPT_NAME_LENGTH) return key;
    if (memberKeys.size >= MAX_MEMBER_KEYS) memberKeys.clear();
    memberKeys.set(name, key);
  }
  return key;
}

/** Converts a Rego value to plain JSON-compatible JavaScript (bigints stay bigints). */
export function toJs(value: Value): unknown {
  switch (value.kind) {
    case 'null':
      return null;
    case 'boolean':
    case 'number':
    case 'string':
      return value.value;
    case 'array':
      return value.items.map(toJs);
    case 'set':
      return sortInPlace([...value.items.values()], compareValues).map(toJs);
    case 'object': {
      const entries = [...value.entries.values()];
      // String keys (nearly always) sort by plain comparison, as compareValues would.
      if (entries.every((e) => e[0].kind === 'string')) sortInPlace(entries, byStringKey);
      else sortInPlace(entries, (a, b) => compareValues(a[0], b[0]));
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) {
        const key = k.kind === 'string' ? k.value : stringifyJson(toJs(k));
        // Defined, not assigned, where assigning would set the prototype instead of a member.
        if (key === '__proto__')
          Object.defineProperty(out, key, {
            value: toJs(v),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else out[key] = toJs(v);
      }
      return out;
    }
  }
}

function byStringKey(a: readonly [Value, Value], b: readonly [Value, Value]): number {
  const x = (a[0] as { value: string }).value;
  const y = (b[0] as { value: string }).value;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** JSON text of a JavaScript value produced by `toJs`, writing bigints as exact integers. */
export function stringifyJson(input: unknown): string {
  return stringify(input, undefined, undefined, [bigintStringifier]) ?? 'null';
}

/** Parses JSON text, keeping integers past 2^53 exact as bigints. */
export function parseJson(text: string): unknown {
  return parse(text, null, parseExactNumber);
}

function parseExactNumber(text: string): number | bigint {
  if (isInteger(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
}

const bigintStringifier = {
  test: (value: unknown) => typeof value === 'bigint',
  stringify: (value: unknown) => String(value),
};
