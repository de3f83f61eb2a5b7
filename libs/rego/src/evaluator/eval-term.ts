/**
 * Evaluation of terms in continuation-passing style: a term may have several values (a ref
 * that iterates), so each value is passed to `k`; `k` returns true to stop the search.
 * Also unification, which binds variables in the frame and unbinds them on backtracking.
 */
import type { CallTerm, Term } from '../compiler/ir.js';
import { constantKeyPairs } from '../compiler/object-pairs.js';
import { RegoEvalError } from '../errors/rego-error.js';
import type { Value } from '../value/value.js';
import { arr, obj, set, TRUE } from '../value/value-builders.js';
import type { EvalContext } from './context.js';
import { step } from './context.js';
import { invokeCall } from './eval-call.js';
import { comprehensionValue } from './eval-comprehension.js';
import { walkData } from './eval-data.js';
import { NOT_QUICK, tryQuick } from './eval-quick.js';
import { equal, iterate, lookup, lookupConst } from './value-access.js';

export type Frame = (Value | undefined)[];
export type ValueK = (v: Value) => boolean;
export type K = () => boolean;

export function evalTerm(ctx: EvalContext, frame: Frame, term: Term, k: ValueK): boolean {
  switch (term.k) {
    case 'val':
      return k(term.v);
    case 'var': {
      const v = frame[term.slot];
      if (v === undefined)
        throw new RegoEvalError('rego_unsafe_var_error', `var ${term.name} is unbound`);
      return k(v);
    }
    case 'input':
      if (ctx.input === undefined) return false;
      return evalPath(ctx, frame, ctx.input, term.path, 0, k);
    case 'data':
      return walkData(ctx, frame, term, k);
    case 'ref':
      return evalTerm(ctx, frame, term.head, (v) => evalPath(ctx, frame, v, term.path, 0, k));
    case 'arr':
      return evalList(ctx, frame, term.items, 0, [], (vs) => k(arr(vs)));
    case 'set':
      return evalList(ctx, frame, term.items, 0, [], (vs) => k(set(vs)));
    case 'obj': {
      const flat = term.entries.flat();
      return evalList(ctx, frame, flat, 0, [], (vs) => {
        const pairs: [Value, Value][] = [];
        for (let i = 0; i < vs.length; i += 2) pairs.push([vs[i]!, vs[i + 1]!]);
        return k(obj(pairs));
      });
    }
    case 'acompr':
    case 'scompr':
    case 'ocompr':
      return k(comprehensionValue(ctx, frame, term));
    case 'call':
      return evalCall(ctx, frame, term, k);
  }
}

/** Evaluates terms left to right, each combination of their values passed to `k`. */
export function evalList(
  ctx: EvalContext,
  frame: Frame,
  terms: readonly Term[],
  i: number,
  acc: Value[],
  k: (vs: Value[]) => boolean,
): boolean {
  if (i === terms.length) return k(acc.slice());
  const t = terms[i]!;
  if (t.k === 'val') {
    acc[i] = t.v;
    return evalList(ctx, frame, terms, i + 1, acc, k);
  }
  return evalTerm(ctx, frame, t, (v) => {
    acc[i] = v;
    return evalList(ctx, frame, terms, i + 1, acc, k);
  });
}

/** Follows a ref's path from `base`; unbound variables in the path iterate. */
export function evalPath(
  ctx: EvalContext,
  frame: Frame,
  base: Value,
  path: readonly Term[],
  i: number,
  k: ValueK,
): boolean {
  for (; i < path.length; i++) {
    const seg = path[i]!;
    if (seg.k === 'val') {
      const next = lookupConst(base, seg);
      if (next === undefined) return false;
      base = next;
      continue;
    }
    if (seg.k === 'var') {
      const bound = frame[seg.slot];
      if (bound !== undefined) {
        const next = lookup(base, bound);
        if (next === undefined) return false;
        base = next;
        continue;
      }
      const slot = seg.slot;
      const rest = i + 1;
      return iterate(base, (key, value) => {
        // Each element visited counts against the budget, as a literal does.
        step(ctx);
        frame[slot] = key;
        const stop = evalPath(ctx, frame, value, path, rest, k);
        frame[slot] = undefined;
        return stop;
      });
    }
    const from = base;
    const rest = i + 1;
    if (isPattern(seg) && hasUnboundVar(frame, seg)) {
      // A composite key with unbound variables (`r[[1, x]]`) binds them by unifying with
      // each key of the collection, as OPA does.
      return iterate(from, (key, value) => {
        step(ctx);
        return unifyValue(ctx, frame, seg, key, () => evalPath(ctx, frame, value, path, rest, k));
      });
    }
    return evalTerm(ctx, frame, seg, (key) => {
      const next = lookup(from, key);
      return next === undefined ? false : evalPath(ctx, frame, next, path, rest, k);
    });
  }
  return k(base);
}

function evalCall(ctx: EvalContext, frame: Frame, call: CallTerm, k: ValueK): boolean {
  const quick = tryQuick(ctx, frame, call);
  if (quick !== NOT_QUICK) return quick === undefined ? false : k(quick);
  const n = call.hasOutput ? call.args.length - 1 : call.args.length;
  const inputs = n === call.args.length ? call.args : call.args.slice(0, n);
  if (call.fn.kind === 'native' && call.fn.name === 'print') {
    return invokeCall(ctx, frame, call, [], k);
  }
  return evalList(ctx, frame, inputs, 0, [], (args) =>
    invokeCall(ctx, frame, call, args, (result) => {
      if (!call.hasOutput) return k(result);
      return unifyValue(ctx, frame, call.args[n]!, result, () => k(TRUE));
    }),
  );
}

/** Unifies two terms: binds unbound variables on either side, or compares values. */
export function unify(ctx: EvalContext, frame: Frame, a: Term, b: Term, k: K): boolean {
  if (a.k === 'var' && frame[a.slot] === undefined) {
    const v = tryQuick(ctx, frame, b);
    if (v !== NOT_QUICK) return v === undefined ? false : bindThen(frame, a.slot, v, k);
    return evalTerm(ctx, frame, b, (v) => bindThen(frame, a.slot, v, k));
  }
  if (b.k === 'var' && frame[b.slot] === undefined)
    return evalTerm(ctx, frame, a, (v) => bindThen(frame, b.slot, v, k));
  if (a.k === 'arr' && b.k === 'arr') {
    if (a.items.length !== b.items.length) return false;
    return unifyPairs(ctx, frame, a.items, b.items, 0, k);
  }
  if (a.k === 'obj' && b.k === 'obj') {
    // Objects with the same constant keys unify value by value, in a's key order (the order
    // the scheduler checked), so a variable on both sides is bound by the first pair.
    const pairs = constantKeyPairs(a, b);
    if (pairs !== undefined) return unifyPairs(ctx, frame, pairs[0], pairs[1], 0, k);
  }
  if (isPattern(a)) return evalTerm(ctx, frame, b, (v) => unifyValue(ctx, frame, a, v, k));
  if (isPattern(b)) return evalTerm(ctx, frame, a, (v) => unifyValue(ctx, frame, b, v, k));
  return evalTerm(ctx, frame, a, (va) =>
    evalTerm(ctx, frame, b, (vb) => (equal(va, vb) ? k() : false)),
  );
}

function unifyPairs(
  ctx: EvalContext,
  frame: Frame,
  as: readonly Term[],
  bs: readonly Term[],
  i: number,
  k: K,
): boolean {
  if (i === as.length) return k();
  return unify(ctx, frame, as[i]!, bs[i]!, () => unifyPairs(ctx, frame, as, bs, i + 1, k));
}

function isPattern(t: Term): boolean {
  return t.k === 'arr' || t.k === 'obj';
}

/** Whether a pattern mentions a variable that is not bound yet. */
function hasUnboundVar(frame: Frame, t: Term): boolean {
  switch (t.k) {
    case 'var':
      return frame[t.slot] === undefined;
    case 'arr':
      return t.items.some((item) => hasUnboundVar(frame, item));
    case 'obj':
      return t.entries.some(([, v]) => hasUnboundVar(frame, v));
    default:
      return false;
  }
}

function bindThen(frame: Frame, slot: number, v: Value, k: K): boolean {
  frame[slot] = v;
  const stop = k();
  frame[slot] = undefined;
  return stop;
}

/** Unifies a term with a known value. */
export function unifyValue(ctx: EvalContext, frame: Frame, term: Term, v: Value, k: K): boolean {
  switch (term.k) {
    case 'var': {
      const bound = frame[term.slot];
      if (bound === undefined) return bindThen(frame, term.slot, v, k);
      return equal(bound, v) ? k() : false;
    }
    case 'val':
      return equal(term.v, v) ? k() : false;
    case 'arr':
      if (v.kind !== 'array' || v.items.length !== term.items.length) return false;
      return unifyItems(ctx, frame, term.items, v.items, 0, k);
    case 'obj': {
      if (v.kind !== 'object' || v.entries.size !== term.entries.length) return false;
      return unifyEntries(ctx, frame, term.entries, v, 0, k);
    }
    default:
      return evalTerm(ctx, frame, term, (tv) => (equal(tv, v) ? k() : false));
  }
}

function unifyItems(
  ctx: EvalContext,
  frame: Frame,
  terms: readonly Term[],
  values: readonly Value[],
  i: number,
  k: K,
): boolean {
  if (i === terms.length) return k();
  return unifyValue(ctx, frame, terms[i]!, values[i]!, () =>
    unifyItems(ctx, frame, terms, values, i + 1, k),
  );
}

function unifyEntries(
  ctx: EvalContext,
  frame: Frame,
  entries: readonly (readonly [Term, Term])[],
  v: Value,
  i: number,
  k: K,
): boolean {
  if (i === entries.length) return k();
  const [keyTerm, valueTerm] = entries[i]!;
  return evalTerm(ctx, frame, keyTerm, (key) => {
    const child = lookup(v, key);
    if (child === undefined) return false;
    return unifyValue(ctx, frame, valueTerm, child, () =>
      unifyEntries(ctx, frame, entries, v, i + 1, k),
    );
  });
}
