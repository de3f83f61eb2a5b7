/**
 * Evaluation of bodies and literals: conjunction with backtracking, negation, `some … in`,
 * `every`, and the `with` modifier (which evaluates its literal in a derived context).
 */
import type { Body, Lit, Term } from '../compiler/ir.js';
import { RegoEvalError } from '../errors/rego-error.js';
import type { Value } from '../value/value.js';
import type { EvalContext, Mock } from './context.js';
import { step } from './context.js';
import { NOT_QUICK as CANNOT_QUICK, canQuick, quickValue, tryQuick } from './eval-quick.js';
import type { Frame, K } from './eval-term.js';
import { evalTerm, unify, unifyValue } from './eval-term.js';
import { equal, iterate, setPath } from './value-access.js';

export function evalBody(ctx: EvalContext, frame: Frame, body: Body, i: number, k: K): boolean {
  // Literals with one outcome (no iteration) run in this loop, without continuations; the
  // slots they bind are unbound when the body returns, as backtracking requires. The first
  // two such slots are kept in locals, further ones in an array: most bodies bind one or two,
  // and an array per body was a good part of what an evaluation allocates.
  let b0 = -1;
  let b1 = -1;
  let more: number[] | undefined;
  for (; i < body.length; i++) {
    step(ctx);
    const outcome = quickLiteral(ctx, frame, body[i]!);
    if (outcome === QUICK_FAILED) {
      unbind(frame, b0, b1, more);
      return false;
    }
    if (outcome === NOT_QUICK) break;
    if (outcome >= 0) {
      if (b0 < 0) b0 = outcome;
      else if (b1 < 0) b1 = outcome;
      else {
        more ??= [];
        more.push(outcome);
      }
    }
  }
  let stop: boolean;
  if (i === body.length) stop = k();
  else {
    const next = i + 1;
    stop = evalLit(
      ctx,
      frame,
      body[i]!,
      next === body.length ? k : () => evalBody(ctx, frame, body, next, k),
    );
  }
  unbind(frame, b0, b1, more);
  return stop;
}

function unbind(frame: Frame, b0: number, b1: number, more: number[] | undefined): void {
  if (b0 >= 0) frame[b0] = undefined;
  if (b1 >= 0) frame[b1] = undefined;
  if (more !== undefined) for (const s of more) frame[s] = undefined;
}

const QUICK_HELD = -1;
const QUICK_FAILED = -2;
const NOT_QUICK = -3;

/**
 * Evaluates a literal directly when it cannot iterate: returns QUICK_HELD, QUICK_FAILED,
 * NOT_QUICK, or the slot it bound (a variable assigned, or a query's captured value).
 */
function quickLiteral(ctx: EvalContext, frame: Frame, lit: Lit): number {
  if (lit.withs !== undefined) return NOT_QUICK;
  const e = lit.expr;
  switch (e.k) {
    case 'true':
      return QUICK_HELD;
    case 'term': {
      const t = e.term;
      if (t.k === 'call' && t.hasOutput) return NOT_QUICK;
      const v = tryQuick(ctx, frame, t);
      if (v === CANNOT_QUICK) return NOT_QUICK;
      if (lit.negated)
        return v === undefined || (v.kind === 'boolean' && !v.value) ? QUICK_HELD : QUICK_FAILED;
      if (v === undefined) return QUICK_FAILED;
      if (lit.capture !== undefined) {
        frame[lit.capture] = v;
        return lit.capture;
      }
      return v.kind === 'boolean' && !v.value ? QUICK_FAILED : QUICK_HELD;
    }
    case 'unify': {
      if (lit.negated) return NOT_QUICK;
      const { a, b } = e;
      if (a.k === 'var' && frame[a.slot] === undefined) return bindQuick(ctx, frame, a.slot, b);
      if (b.k === 'var' && frame[b.slot] === undefined) return bindQuick(ctx, frame, b.slot, a);
      // b is checked first, so that a is not evaluated twice when b must take the general path.
      if (!canQuick(ctx, b, frame)) return NOT_QUICK;
      const va = tryQuick(ctx, frame, a);
      if (va === CANNOT_QUICK) return NOT_QUICK;
      if (va === undefined) return QUICK_FAILED;
      const vb = quickValue(ctx, frame, b);
      return vb !== undefined && equal(va, vb) ? QUICK_HELD : QUICK_FAILED;
    }
    default:
      return NOT_QUICK;
  }
}

function bindQuick(ctx: EvalContext, frame: Frame, slot: number, t: Term): number {
  const v = tryQuick(ctx, frame, t);
  if (v === CANNOT_QUICK) return NOT_QUICK;
  if (v === undefined) return QUICK_FAILED;
  frame[slot] = v;
  return slot;
}

function evalLit(ctx: EvalContext, frame: Frame, lit: Lit, k: K): boolean {
  if (lit.withs !== undefined) return evalWith(ctx, frame, lit, k);
  return evalPlainLit(ctx, frame, lit, k);
}

function evalPlainLit(ctx: EvalContext, frame: Frame, lit: Lit, k: K): boolean {
  if (lit.negated) return evalExpr(ctx, frame, lit, () => true) ? false : k();
  return evalExpr(ctx, frame, lit, k);
}

function evalExpr(ctx: EvalContext, frame: Frame, lit: Lit, k: K): boolean {
  const e = lit.expr;
  switch (e.k) {
    case 'term': {
      const capture = lit.capture;
      if (e.term.k === 'call' && e.term.hasOutput) {
        return evalTerm(ctx, frame, e.term, (v) => capturing(frame, capture, v, k));
      }
      return evalTerm(ctx, frame, e.term, (v) => {
        // Query expressions are captured, as OPA's query API does, so `false` is a result there.
        if (v.kind === 'boolean' && !v.value && capture === undefined) return false;
        return capturing(frame, capture, v, k);
      });
    }
    case 'unify':
      return unify(ctx, frame, e.a, e.b, k);
    case 'somein': {
      // `some k, v in xs` with fresh variables (the usual case): bind them directly.
      const keySlot = freshSlot(e.key, frame);
      const valueSlot = freshSlot(e.value, frame);
      if ((e.key === undefined || (keySlot >= 0 && keySlot !== valueSlot)) && valueSlot >= 0) {
        const coll = tryQuick(ctx, frame, e.coll);
        if (coll === undefined) return false;
        if (coll !== CANNOT_QUICK) {
          return iterate(coll, (key, value) => {
            step(ctx);
            if (keySlot >= 0) frame[keySlot] = key;
            frame[valueSlot] = value;
            const stop = k();
            if (keySlot >= 0) frame[keySlot] = undefined;
            frame[valueSlot] = undefined;
            return stop;
          });
        }
      }
      return evalTerm(ctx, frame, e.coll, (coll) =>
        iterate(coll, (key, value) => {
          step(ctx);
          if (e.key === undefined) return unifyValue(ctx, frame, e.value, value, k);
          const valueTerm = e.value;
          return unifyValue(ctx, frame, e.key, key, () =>
            unifyValue(ctx, frame, valueTerm, value, k),
          );
        }),
      );
    }
    case 'every':
      return evalTerm(ctx, frame, e.domain, (domain) => {
        if (domain.kind !== 'array' && domain.kind !== 'set' && domain.kind !== 'object')
          return false;
        const failed = iterate(domain, (key, value) => {
          step(ctx);
          const holds = bindPattern(ctx, frame, e.key, key, () =>
            bindPattern(ctx, frame, e.value, value, () =>
              evalBody(ctx, frame, e.body, 0, () => true),
            ),
          );
          return !holds;
        });
        return failed ? false : k();
      });
    case 'true':
      return k();
  }
}

/** The slot of a term that is a variable not bound yet, or -1. */
function freshSlot(t: Term | undefined, frame: Frame): number {
  return t !== undefined && t.k === 'var' && frame[t.slot] === undefined ? t.slot : -1;
}

function bindPattern(
  ctx: EvalContext,
  frame: Frame,
  term: Term | undefined,
  v: Value,
  k: K,
): boolean {
  if (term === undefined) return k();
  return unifyValue(ctx, frame, term, v, k);
}

function capturing(frame: Frame, slot: number | undefined, v: Value, k: K): boolean {
  if (slot === undefined) return k();
  frame[slot] = v;
  const stop = k();
  frame[slot] = undefined;
  return stop;
}

/** Evaluates the `with` values, then the literal in a context where they replace their targets. */
function evalWith(ctx: EvalContext, frame: Frame, lit: Lit, k: K): boolean {
  const withs = lit.withs!;
  const values: Value[] = [];
  for (const w of withs) {
    let value: Value | undefined;
    evalTerm(ctx, frame, w.value, (v) => {
      value = v;
      return true;
    });
    if (value === undefined && !(w.kind === 'fn' && w.replacement !== undefined)) return false;
    values.push(value ?? { kind: 'null' });
  }
  let input = ctx.input;
  let data = ctx.data;
  let overrides: Map<string, Value> | undefined;
  let mocks: Map<string, Mock> | undefined;
  withs.forEach((w, i) => {
    const value = values[i]!;
    switch (w.kind) {
      case 'input':
        input = setPath(input, w.path, value);
        return;
      case 'data':
        if (w.path.length === 0)
          throw new RegoEvalError('rego_compile_error', 'with cannot replace all of data', lit.loc);
        data = setPath(data, w.path, value);
        overrides ??= new Map(ctx.overrides ?? []);
        overrides.set(w.path.join('\u0000'), value);
        return;
      case 'fn':
        mocks ??= new Map(ctx.mocks ?? []);
        mocks.set(
          w.key,
          w.replacement?.kind === 'user'
            ? { kind: 'replacement', target: w.replacement, outer: ctx.mocks }
            : (w.replacement ?? { kind: 'constant', value }),
        );
        return;
    }
  });
  const inner = ctx.derive(input, data, overrides ?? ctx.overrides, mocks ?? ctx.mocks);
  return evalPlainLit(inner, frame, lit, k);
}
