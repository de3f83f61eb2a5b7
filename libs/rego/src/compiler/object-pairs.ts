/**
 * Pairs the values of two object terms with the same constant keys (`{"a": x, "b": 1} =
 * {"b": y, "a": 2}` pairs x with 2 and 1 with y), so that unification goes value by value,
 * as it does for arrays. The scheduler and the evaluator both take the pairs in this order.
 */
import { keyOf } from '../value/value-key.js';
import type { Term } from './ir.js';

type ObjectTerm = Extract<Term, { k: 'obj' }>;

/** The values of `a` and the matching values of `b`, in `a`'s order; undefined unless the constant keys match. */
export function constantKeyPairs(a: ObjectTerm, b: ObjectTerm): [Term[], Term[]] | undefined {
  if (a.entries.length !== b.entries.length) return undefined;
  const byKey = new Map<string, Term>();
  for (const [key, value] of b.entries) {
    if (key.k !== 'val') return undefined;
    byKey.set(keyOf(key.v), value);
  }
  const left: Term[] = [];
  const right: Term[] = [];
  for (const [key, value] of a.entries) {
    if (key.k !== 'val') return undefined;
    const other = byKey.get(keyOf(key.v));
    if (other === undefined) return undefined;
    left.push(value);
    right.push(other);
  }
  return [left, right];
}
