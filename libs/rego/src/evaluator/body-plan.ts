/**
 * Bodies compiled once into closures: each literal that cannot iterate gets a function that
 * evaluates it directly (what the body loop in `eval-body.ts` calls its quick form), with its
 * terms' compiled functions and the slots they read captured, so that an evaluation reads no
 * IR node to decide what a literal does. Literals that may iterate (`some x in xs` with fresh
 * variables) get a compiled iteration too; the rest go through the general evaluator.
 */
import { compareOperands, comparisonOperator, satisfies } from '../builtins/comparison.js';
import type { Body, CallTerm, Lit, Term } from '../compiler/ir.js';
import type { Value } from '../value/value.js';
import type { EvalContext } from './context.js';
import { step } from './context.js';
import type { QuickPlan } from './eval-quick.js';
import { quickFn, quickPlan } from './eval-quick.js';
import type { Frame, K } from './eval-term.js';
import { comparisonLitSource, termLitSource, unifyLitSource } from './quick-lit-source.js';
import { NOT_QUICK, QUICK_FAILED, QUICK_HELD } from './quick-outcome.js';
import { equal as equalValues, iterate } from './value-access.js';

export { NOT_QUICK, QUICK_FAILED, QUICK_HELD };

/** A literal's quick form: QUICK_HELD, QUICK_FAILED, NOT_QUICK, or the slot it bound. */
export type QuickLit = (ctx: EvalContext, frame: Frame) => number;
/**
 * A literal's compiled iteration: calls `k` for each solution, or returns undefined (before
 * anything is bound) when the general path must take the literal now.
 */
export type IterLit = (ctx: EvalContext, frame: Frame, k: K) => boolean | undefined;

export interface BodyPlan {
  readonly lits: readonly Lit[];
  /** Per literal: its quick form, or undefined when its shape rules one out. */
  readonly quick: readonly (QuickLit | undefined)[];
  /** Per literal: its compiled iteration, or undefined. */
  readonly iter: readonly (IterLit | undefined)[];
  /** Per literal: `some k, v in coll` with fresh variables (what `iter` runs), or undefined. */
  readonly some: readonly (SomeIn | undefined)[];
}

/** A `some k, v in coll` literal's parts: the collection's quick plan and the slots it binds. */
export interface SomeIn {
  readonly coll: QuickPlan;
  readonly valueSlot: number;
  /** -1 without a key variable. */
  readonly keySlot: number;
}

const plans = new WeakMap<Body, BodyPlan>();

/** The body's plan, compiled on first use and shared by every evaluation of the policy. */
export function planOf(body: Body): BodyPlan {
  let plan = plans.get(body);
  if (plan === undefined) {
    plan = {
      lits: body,
      quick: body.map(quickLit),
      iter: body.map(iterLit),
      some: body.map(someIn),
    };
    plans.set(body, plan);
  }
  return plan;
}

/** The quick form of a literal, mirroring the general path's semantics for one outcome. */
function quickLit(lit: Lit): QuickLit | undefined {
  if (lit.withs !== undefined) return undefined;
  const e = lit.expr;
  switch (e.k) {
    case 'true':
      return () => QUICK_HELD;
    case 'term': {
      const t = e.term;
      if (t.k === 'call' && t.hasOutput) return undefined;
      const plan = quickPlan(t);
      if (plan === null) return undefined;
      if (t.k === 'call' && !lit.negated && lit.capture === undefined) {
        const comparison = comparisonLit(t, plan);
        if (comparison !== undefined) return comparison;
      }
      return (
        termLitSource(t, plan.slots, lit.negated, lit.capture, quickFn) ??
        termLit(plan, lit.negated, lit.capture)
      );
    }
    case 'unify':
      return lit.negated ? undefined : unifyLit(e.a, e.b);
    default:
      return undefined;
  }
}

/** Whether every slot a quick plan reads is bound. */
export function allBound(slots: readonly number[], frame: Frame): boolean {
  for (let i = 0; i < slots.length; i++) if (frame[slots[i]!] === undefined) return false;
  return true;
}

function isFalse(v: Value): boolean {
  return v.kind === 'boolean' && !v.value;
}

function termLit(plan: QuickPlan, negated: boolean, capture: number | undefined): QuickLit {
  const { slots, fn } = plan;
  if (negated) {
    return (ctx, frame) => {
      if (!allBound(slots, frame)) return NOT_QUICK;
      const v = fn(ctx, frame);
      return v === undefined || isFalse(v) ? QUICK_HELD : QUICK_FAILED;
    };
  }
  if (capture !== undefined) {
    // Query expressions are captured, as OPA's query API does, so `false` is a result there.
    return (ctx, frame) => {
      if (!allBound(slots, frame)) return NOT_QUICK;
      const v = fn(ctx, frame);
      if (v === undefined) return QUICK_FAILED;
      frame[capture] = v;
      return capture;
    };
  }
  if (slots.length === 0) {
    return (ctx, frame) => {
      const v = fn(ctx, frame);
      return v === undefined || isFalse(v) ? QUICK_FAILED : QUICK_HELD;
    };
  }
  return (ctx, frame) => {
    if (!allBound(slots, frame)) return NOT_QUICK;
    const v = fn(ctx, frame);
    return v === undefined || isFalse(v) ? QUICK_FAILED : QUICK_HELD;
  };
}

/**
 * A literal that is a comparison (`count(found) > 0`, `indexof(s, t) != -1`, a third of the
 * literals of a typical policy): its operands compared here, without the builtin call's
 * argument array, dispatch and boolean value. Under a `with` that mocks functions it takes
 * the call's own quick form, which looks the mock up.
 */
function comparisonLit(t: CallTerm, plan: QuickPlan): QuickLit | undefined {
  if (t.fn.kind !== 'builtin' || t.args.length !== 2) return undefined;
  const op = comparisonOperator(t.fn.def);
  if (op === undefined) return undefined;
  const source = comparisonLitSource(t, op, plan, quickFn);
  if (source !== undefined) return source;
  const { slots, fn } = plan;
  const a = quickPlan(t.args[0]!)!.fn;
  const b = quickPlan(t.args[1]!)!.fn;
  return (ctx, frame) => {
    if (!allBound(slots, frame)) return NOT_QUICK;
    if (ctx.mocks !== undefined) {
      const v = fn(ctx, frame);
      return v === undefined || isFalse(v) ? QUICK_FAILED : QUICK_HELD;
    }
    const x = a(ctx, frame);
    if (x === undefined) return QUICK_FAILED;
    const y = b(ctx, frame);
    if (y === undefined) return QUICK_FAILED;
    return satisfies(op, compareOperands(x, y)) ? QUICK_HELD : QUICK_FAILED;
  };
}

/** A slot that receives a value, or a value compared with another. */
function unifyLit(a: Term, b: Term): QuickLit | undefined {
  const pa = quickPlan(a);
  const pb = quickPlan(b);
  const aSlot = a.k === 'var' ? a.slot : -1;
  const bSlot = b.k === 'var' ? b.slot : -1;
  if (pa === null && pb === null) return undefined;
  const source = unifyLitSource(a, b, pa, pb, quickFn);
  if (source !== undefined) return source;
  return (ctx, frame) => {
    if (aSlot >= 0 && frame[aSlot] === undefined) return bindLit(ctx, frame, aSlot, pb);
    if (bSlot >= 0 && frame[bSlot] === undefined) return bindLit(ctx, frame, bSlot, pa);
    // b is checked first, so that a is not evaluated twice when b must take the general path.
    if (pa === null || pb === null || !allBound(pb.slots, frame) || !allBound(pa.slots, frame))
      return NOT_QUICK;
    const va = pa.fn(ctx, frame);
    if (va === undefined) return QUICK_FAILED;
    const vb = pb.fn(ctx, frame);
    return vb !== undefined && equalValues(va, vb) ? QUICK_HELD : QUICK_FAILED;
  };
}

function bindLit(ctx: EvalContext, frame: Frame, slot: number, plan: QuickPlan | null): number {
  if (plan === null || !allBound(plan.slots, frame)) return NOT_QUICK;
  const v = plan.fn(ctx, frame);
  if (v === undefined) return QUICK_FAILED;
  frame[slot] = v;
  return slot;
}

/** The parts of `some k, v in coll` (or `some v in coll`) over plain variables, or undefined. */
function someIn(lit: Lit): SomeIn | undefined {
  if (lit.withs !== undefined || lit.negated) return undefined;
  const e = lit.expr;
  if (e.k !== 'somein' || e.value.k !== 'var') return undefined;
  if (e.key !== undefined && (e.key.k !== 'var' || e.key.slot === e.value.slot)) return undefined;
  const coll = quickPlan(e.coll);
  if (coll === null) return undefined;
  const keySlot = e.key === undefined ? -1 : (e.key as { slot: number }).slot;
  return { coll, valueSlot: e.value.slot, keySlot };
}

/**
 * `some k, v in coll` (or `some v in coll`) with fresh variables, the usual case: binds them
 * directly for each element.
 */
function iterLit(lit: Lit): IterLit | undefined {
  const parts = someIn(lit);
  if (parts === undefined) return undefined;
  const { coll, valueSlot, keySlot } = parts;
  return (ctx, frame, k) => {
    if (frame[valueSlot] !== undefined || (keySlot >= 0 && frame[keySlot] !== undefined))
      return undefined;
    if (!allBound(coll.slots, frame)) return undefined;
    const c = coll.fn(ctx, frame);
    if (c === undefined) return false;
    return iterate(c, (key, value) => {
      step(ctx);
      if (keySlot >= 0) frame[keySlot] = key;
      frame[valueSlot] = value;
      const stop = k();
      if (keySlot >= 0) frame[keySlot] = undefined;
      frame[valueSlot] = undefined;
      return stop;
    });
  };
}
