/**
 * Evaluation of bodies and literals: conjunction with backtracking, negation, `some … in`,
 * `every`, and the `with` modifier (which evaluates its literal in a derived context).
 */
import type { Body, Lit, Term } from '../compiler/ir.js';
import { RegoEvalError } from '../errors/rego-error.js';
import type { Value } from '../value/value.js';
import type { BodyPlan } from './body-plan.js';
import { NOT_QUICK, planOf, QUICK_FAILED } from './body-plan.js';
import type { EvalContext, Mock } from './context.js';
import { step } from './context.js';
import type { Frame, K } from './eval-term.js';
import { evalTerm, unify, unifyValue } from './eval-term.js';
import { iterate, setPath } from './value-access.js';

export function evalBody(ctx: EvalContext, frame: Frame, body: Body, i: number, k: K): boolean {
  return runPlan(ctx, frame, planOf(body), i, k);
}

/** Plans of bodies for the general path only (the engine's `quickPath: false`). */
export const NO_QUICK: readonly undefined[] = [];

/** Runs a body's plan from literal `i`; `k` is called for each solution and returns true to stop. */
export function runPlan(ctx: EvalContext, frame: Frame, plan: BodyPlan, i: number, k: K): boolean {
  // Literals with one outcome (no iteration) run in this loop, without continuations; the
  // slots they bind are unbound when the body returns, as backtracking requires. The first
  // two such slots are kept in locals, further ones in an array: most bodies bind one or two,
  // and an array per body was a good part of what an evaluation allocates.
  const lits = plan.lits;
  const n = lits.length;
  const quickPath = ctx.shared.quickPath;
  const quick = quickPath ? plan.quick : NO_QUICK;
  let b0 = -1;
  let b1 = -1;
  let more: number[] | undefined;
  for (; i < n; i++) {
    step(ctx);
    const q = quick[i];
    if (q === undefined) break;
    const outcome = q(ctx, frame);
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
  const stop = i === n ? k() : runFrom(ctx, frame, plan, i, k);
  unbind(frame, b0, b1, more);
  return stop;
}

/**
 * Runs a body's plan from literal `i`, already counted as a step, whose quick form could not
 * take it: its compiled iteration, else the general path, then the rest of the body.
 */
export function runFrom(ctx: EvalContext, frame: Frame, plan: BodyPlan, i: number, k: K): boolean {
  const n = plan.lits.length;
  const next = i + 1;
  const rest = next === n ? k : () => runPlan(ctx, frame, plan, next, k);
  const iter = ctx.shared.quickPath ? plan.iter[i] : undefined;
  const done = iter === undefined ? undefined : iter(ctx, frame, rest);
  return done ?? evalLit(ctx, frame, plan.lits[i]!, rest);
}

/** Unbinds the slots a body's quick literals bound (the first two kept apart from the rest). */
export function unbind(frame: Frame, b0: number, b1: number, more: number[] | undefined): void {
  if (b0 >= 0) frame[b0] = undefined;
  if (b1 >= 0) frame[b1] = undefined;
  if (more !== undefined) for (const s of more) frame[s] = undefined;
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
      // `some k, v in xs` with fresh variables (the usual case) is compiled (`body-plan.ts`).
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
