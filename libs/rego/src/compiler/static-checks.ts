/**
 * Compile-time facts about compiled terms: unifications and `some … in` that can never hold
 * (OPA's type checker rejects them), and folding of constant composites.
 */

import type { Value } from '../value/value.js';
import { arr, obj, set } from '../value/value-builders.js';
import type { Term } from './ir.js';

/** Two literal composites of different shapes can never unify: OPA's type checker rejects them. */
export function shapesMatch(a: Term, b: Term): boolean {
  const shape = (
    t: Term,
  ):
    | { kind: string; length?: number; items?: readonly Term[]; keys?: string | undefined }
    | undefined => {
    if (t.k === 'arr') return { kind: 'array', length: t.items.length, items: t.items };
    if (t.k === 'obj') {
      const keys = t.entries.map(([k]) =>
        k.k === 'val' && k.v.kind === 'string' ? k.v.value : undefined,
      );
      return {
        kind: 'object',
        keys: keys.every((k) => k !== undefined) ? keys.sort().join('\u0000') : undefined,
      };
    }
    if (t.k === 'set') return { kind: 'set' };
    if (t.k === 'val') {
      if (t.v.kind === 'array') return { kind: 'array', length: t.v.items.length };
      if (t.v.kind === 'object') {
        const keys = [...t.v.entries.values()].map(([k]) =>
          k.kind === 'string' ? k.value : undefined,
        );
        return {
          kind: 'object',
          keys: keys.every((k) => k !== undefined) ? keys.sort().join('\u0000') : undefined,
        };
      }
      return { kind: t.v.kind };
    }
    return undefined;
  };
  const sa = shape(a);
  const sb = shape(b);
  if (sa === undefined || sb === undefined) return true;
  const composite = (k: string) => k === 'array' || k === 'object' || k === 'set';
  if (!composite(sa.kind) && !composite(sb.kind)) return true;
  if (sa.kind !== sb.kind) return false;
  if (sa.kind === 'array' && sa.length !== sb.length) return false;
  if (sa.keys !== undefined && sb.keys !== undefined && sa.keys !== sb.keys) return false;
  if (sa.items && sb.items) return sa.items.every((x, i) => shapesMatch(x, sb.items![i]!));
  return true;
}

/** `some x in 1` and `some [a, b] in [[1, 2, 3]]` can never hold: OPA's type checker rejects them. */
export function someInShapeError(value: Term, coll: Term): string | undefined {
  if (
    coll.k === 'val' &&
    coll.v.kind !== 'array' &&
    coll.v.kind !== 'set' &&
    coll.v.kind !== 'object'
  ) {
    return `\`some .. in collection\` expects array/set/object, got ${coll.v.kind}`;
  }
  const items: Term[] =
    coll.k === 'arr' || coll.k === 'set'
      ? [...coll.items]
      : coll.k === 'val' && coll.v.kind === 'array'
        ? coll.v.items.map((v): Term => ({ k: 'val', v }))
        : [];
  if (items.length > 0 && !items.some((item) => shapesMatch(value, item))) {
    return 'mismatch in number of array elements';
  }
  return undefined;
}

/** Composites of constants become one constant value, so that they cost nothing per evaluation. */
export function foldConstant(term: Term): Term {
  const isVal = (t: Term): t is { k: 'val'; v: Value } => t.k === 'val';
  switch (term.k) {
    case 'arr':
      return term.items.every(isVal) ? { k: 'val', v: arr(term.items.map((i) => i.v)) } : term;
    case 'set':
      return term.items.every(isVal) ? { k: 'val', v: set(term.items.map((i) => i.v)) } : term;
    case 'obj':
      return term.entries.every(([k, v]) => isVal(k) && isVal(v))
        ? {
            k: 'val',
            v: obj(
              term.entries.map(([k, v]) => [(k as { v: Value }).v, (v as { v: Value }).v] as const),
            ),
          }
        : term;
    default:
      return term;
  }
}
