/**
 * The types of OPA's type checker: `any` (optionally a union of types), the scalars, arrays
 * with a static prefix and a dynamic rest, sets, objects with static (string) keys and a
 * dynamic part, and functions. Unification follows OPA's rules, which are loose on purpose:
 * two types unify when some value could have both, so that the checker only reports what
 * can never hold.
 */
import type { Value } from '../value/value.js';

export type RegoType =
  /** `any`: every type when `of` is empty, else the union of `of`. */
  | { readonly kind: 'any'; readonly of: readonly RegoType[] }
  | { readonly kind: 'null' | 'boolean' | 'number' | 'string' }
  | {
      readonly kind: 'array';
      readonly items: readonly RegoType[];
      readonly dynamic: RegoType | undefined;
    }
  | { readonly kind: 'set'; readonly of: RegoType }
  | {
      readonly kind: 'object';
      readonly props: ReadonlyMap<string, RegoType>;
      readonly dynamic: { readonly key: RegoType; readonly value: RegoType } | undefined;
    }
  | {
      readonly kind: 'function';
      readonly args: readonly RegoType[];
      readonly result: RegoType | undefined;
    };

export const ANY: RegoType = Object.freeze({ kind: 'any', of: [] });
export const NULL_T: RegoType = Object.freeze({ kind: 'null' });
export const BOOLEAN: RegoType = Object.freeze({ kind: 'boolean' });
export const NUMBER: RegoType = Object.freeze({ kind: 'number' });
export const STRING: RegoType = Object.freeze({ kind: 'string' });

export function anyOf(...types: RegoType[]): RegoType {
  let out: RegoType | undefined;
  for (const t of types) out = or(out, t);
  return out ?? ANY;
}

export function arrayOf(of: RegoType): RegoType {
  return { kind: 'array', items: [], dynamic: of };
}

export function tupleOf(items: readonly RegoType[], dynamic?: RegoType): RegoType {
  return { kind: 'array', items, dynamic };
}

export function setOf(of: RegoType): RegoType {
  return { kind: 'set', of };
}

export function objectOf(key: RegoType, value: RegoType): RegoType {
  return { kind: 'object', props: new Map(), dynamic: { key, value } };
}

export function objectWith(
  props: ReadonlyMap<string, RegoType>,
  dynamic?: { key: RegoType; value: RegoType },
): RegoType {
  return { kind: 'object', props, dynamic };
}

export function fnType(args: readonly RegoType[], result: RegoType | undefined): RegoType {
  return { kind: 'function', args, result };
}

const isAnyAll = (t: RegoType): boolean => t.kind === 'any' && t.of.length === 0;
const SCALARS: ReadonlySet<RegoType['kind']> = new Set(['null', 'boolean', 'number', 'string']);
const SCALAR_TYPES = { null: NULL_T, boolean: BOOLEAN, number: NUMBER, string: STRING } as const;

/** Types of constants, computed once per value: policies repeat large constant lists. */
const valueTypes = new WeakMap<Value, RegoType>();

/** The union of two types; `undefined` is the type of nothing yet. */
export function or(a: RegoType | undefined, b: RegoType | undefined): RegoType | undefined {
  if (a === undefined) return b;
  if (b === undefined || a === b) return a;
  if (isAnyAll(a) || isAnyAll(b)) return ANY;
  if (a.kind === b.kind && SCALARS.has(a.kind)) return a;
  const members = new Map<string, RegoType>();
  for (const t of [a, b]) {
    for (const m of t.kind === 'any' ? t.of : [t]) members.set(sprint(m), m);
  }
  if (members.size === 1) return [...members.values()][0];
  const of = [...members.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return { kind: 'any', of: of.map(([, t]) => t) };
}

/** The type of a constant value. */
export function typeOfValue(v: Value): RegoType {
  if (v.kind !== 'array' && v.kind !== 'set' && v.kind !== 'object') return SCALAR_TYPES[v.kind];
  let type = valueTypes.get(v);
  if (type === undefined) {
    type = compositeType(v);
    valueTypes.set(v, type);
  }
  return type;
}

function compositeType(v: Extract<Value, { kind: 'array' | 'set' | 'object' }>): RegoType {
  switch (v.kind) {
    case 'array':
      return tupleOf(v.items.map(typeOfValue));
    case 'set': {
      let of: RegoType | undefined;
      for (const item of v.items.values()) of = or(of, typeOfValue(item));
      return setOf(of ?? ANY);
    }
    case 'object': {
      const props = new Map<string, RegoType>();
      let dynKey: RegoType | undefined;
      let dynValue: RegoType | undefined;
      for (const [k, value] of v.entries.values()) {
        if (k.kind === 'string') props.set(k.value, typeOfValue(value));
        else {
          dynKey = or(dynKey, typeOfValue(k));
          dynValue = or(dynValue, typeOfValue(value));
        }
      }
      return objectWith(props, dynKey && dynValue ? { key: dynKey, value: dynValue } : undefined);
    }
  }
}

/** The type of the keys a ref may use on a value of type `t`; undefined for scalars. */
export function keysOf(t: RegoType): RegoType | undefined {
  switch (t.kind) {
    case 'array':
      return NUMBER;
    case 'set':
      return t.of;
    case 'object': {
      let k: RegoType | undefined = t.props.size > 0 ? STRING : undefined;
      if (t.dynamic) k = or(k, t.dynamic.key);
      return k ?? ANY;
    }
    case 'any': {
      if (t.of.length === 0) return ANY;
      let k: RegoType | undefined;
      for (const m of t.of) k = or(k, keysOf(m));
      return k;
    }
    default:
      return undefined;
  }
}

/** The type of the values of a collection; undefined for scalars. */
export function valuesOf(t: RegoType): RegoType | undefined {
  switch (t.kind) {
    case 'array': {
      let v: RegoType | undefined = t.dynamic;
      for (const i of t.items) v = or(v, i);
      return v ?? ANY;
    }
    case 'set':
      return t.of;
    case 'object': {
      let v: RegoType | undefined = t.dynamic?.value;
      for (const p of t.props.values()) v = or(v, p);
      return v ?? ANY;
    }
    case 'any': {
      if (t.of.length === 0) return ANY;
      let v: RegoType | undefined;
      for (const m of t.of) v = or(v, valuesOf(m));
      return v;
    }
    default:
      return undefined;
  }
}

/**
 * The type under a constant key, or undefined when no value of type `t` can have that key
 * (an object without the property and without a dynamic part, an index past a fixed array).
 */
export function selectConstant(t: RegoType, key: Value): RegoType | undefined {
  switch (t.kind) {
    case 'array': {
      if (key.kind !== 'number') return undefined;
      const i = Number(key.value);
      if (Number.isInteger(i) && i >= 0 && i < t.items.length) return t.items[i];
      return t.dynamic;
    }
    case 'object': {
      if (key.kind === 'string') {
        const p = t.props.get(key.value);
        if (p !== undefined) return p;
      }
      return t.dynamic?.value;
    }
    case 'set':
      return unifies(t.of, typeOfValue(key)) ? t.of : undefined;
    case 'any': {
      if (t.of.length === 0) return ANY;
      let out: RegoType | undefined;
      for (const m of t.of) out = or(out, selectConstant(m, key));
      return out;
    }
    default:
      return undefined;
  }
}

/** Whether some value could have both types (OPA's `unifies`). */
export function unifies(a: RegoType, b: RegoType): boolean {
  if (a.kind === 'any' && b.kind !== 'function' && unifiesAny(a, b)) return true;
  if (b.kind === 'any' && a.kind !== 'function' && unifiesAny(b, a)) return true;
  if (a.kind === 'any' || b.kind === 'any') return false;
  switch (a.kind) {
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
      return a.kind === b.kind;
    case 'array': {
      if (b.kind !== 'array') return false;
      const n = Math.max(a.items.length, b.items.length);
      for (let i = 0; i < n; i++) {
        const x = i < a.items.length ? a.items[i] : a.dynamic;
        const y = i < b.items.length ? b.items[i] : b.dynamic;
        if (x === undefined || y === undefined || !unifies(x, y)) return false;
      }
      return a.dynamic === undefined || b.dynamic === undefined || unifies(a.dynamic, b.dynamic);
    }
    case 'object': {
      if (b.kind !== 'object') return false;
      const staticOk = (x: typeof a, y: typeof b): boolean => {
        for (const [k, t] of x.props) {
          const other = y.props.get(k) ?? y.dynamic?.value;
          if (other === undefined || !unifies(t, other)) return false;
        }
        return true;
      };
      if (!staticOk(a, b) || !staticOk(b, a)) return false;
      return (
        a.dynamic === undefined ||
        b.dynamic === undefined ||
        unifies(a.dynamic.value, b.dynamic.value)
      );
    }
    case 'set':
      return b.kind === 'set' && unifies(a.of, b.of);
    case 'function':
      return (
        b.kind === 'function' &&
        a.args.length === b.args.length &&
        a.args.every((t, i) => unifies(t, b.args[i]!))
      );
  }
}

function unifiesAny(a: Extract<RegoType, { kind: 'any' }>, b: RegoType): boolean {
  return a.of.length === 0 || a.of.some((m) => unifies(m, b));
}

/** OPA's notation: `string`, `array[number]`, `object<a: string>[string: any]`, `any<null, string>`. */
export function sprint(t: RegoType | undefined): string {
  if (t === undefined) return '???';
  switch (t.kind) {
    case 'any':
      return t.of.length === 0 ? 'any' : `any<${t.of.map(sprint).join(', ')}>`;
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
      return t.kind;
    case 'array':
      return `array${t.items.length > 0 ? `<${t.items.map(sprint).join(', ')}>` : ''}${
        t.dynamic ? `[${sprint(t.dynamic)}]` : ''
      }`;
    case 'set':
      return `set[${sprint(t.of)}]`;
    case 'object': {
      const props = [...t.props.entries()]
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .map(([k, v]) => `${k}: ${sprint(v)}`);
      return `object${props.length > 0 ? `<${props.join(', ')}>` : ''}${
        t.dynamic ? `[${sprint(t.dynamic.key)}: ${sprint(t.dynamic.value)}]` : ''
      }`;
    }
    case 'function':
      return `(${t.args.map(sprint).join(', ')}) => ${sprint(t.result)}`;
  }
}
