/**
 * The quick forms of literals (`body-plan.ts`) compiled to JavaScript source, each with its
 * terms' statements inline (`quick-source.ts`), so that a literal is one function whose call
 * sites V8 can inline. Each mirrors the closure `body-plan.ts` makes for the same literal, and
 * is undefined where code generation is not allowed.
 */
import { ComparisonOp } from '../builtins/comparison.js';
import type { CallTerm, Term } from '../compiler/ir.js';
import type { QuickLit } from './body-plan.js';
import type { QuickPlan } from './eval-quick.js';
import { NOT_QUICK, QUICK_FAILED, QUICK_HELD } from './quick-outcome.js';
import { type QuickFallback, SourceGenerator } from './quick-source.js';

const HELD = `return ${QUICK_HELD};`;
const FAILED = `return ${QUICK_FAILED};`;
const UNBOUND = `return ${NOT_QUICK};`;

const isFalse = (v: string): string => `(${v}.kind === 'boolean' && !${v}.value)`;

/** `t` as a literal: held when true-ish, failed when undefined or false; negated, the reverse. */
export function termLitSource(
  t: Term,
  slots: readonly number[],
  negated: boolean,
  capture: number | undefined,
  fallback: QuickFallback,
): QuickLit | undefined {
  const gen = new SourceGenerator(fallback, negated ? HELD : FAILED);
  gen.unbound(slots, UNBOUND);
  const v = gen.term(t);
  if (negated) return gen.compile([`return ${isFalse(v)} ? ${QUICK_HELD} : ${QUICK_FAILED};`]);
  // Query expressions are captured, as OPA's query API does, so `false` is a result there.
  if (capture !== undefined)
    return gen.compile([`frame[${capture}] = ${v};`, `return ${capture};`]);
  return gen.compile([`return ${isFalse(v)} ? ${QUICK_FAILED} : ${QUICK_HELD};`]);
}

const OPERATOR_SOURCE: Record<ComparisonOp, string> = {
  [ComparisonOp.Equal]: '===',
  [ComparisonOp.NotEqual]: '!==',
  [ComparisonOp.Less]: '<',
  [ComparisonOp.LessOrEqual]: '<=',
  [ComparisonOp.Greater]: '>',
  [ComparisonOp.GreaterOrEqual]: '>=',
};

/**
 * A comparison (`count(found) > 0`): its operands compared directly. Under a `with` that mocks
 * functions it takes the call's own quick form, which looks the mock up.
 */
export function comparisonLitSource(
  t: CallTerm,
  op: ComparisonOp,
  plan: QuickPlan,
  fallback: QuickFallback,
): QuickLit | undefined {
  const gen = new SourceGenerator(fallback, FAILED);
  gen.unbound(plan.slots, UNBOUND);
  // The call's own function, compiled only if a `with` ever mocks a function around it.
  const call = gen.constant(plan);
  gen.lines.push(
    'if (ctx.mocks !== undefined) {',
    `const v = ${call}.fn(ctx, frame);`,
    `return v === undefined || ${isFalse('v')} ? ${QUICK_FAILED} : ${QUICK_HELD};`,
    '}',
  );
  const x = gen.term(t.args[0]!);
  const y = gen.term(t.args[1]!);
  return gen.compile([
    `return compareOperands(${x}, ${y}) ${OPERATOR_SOURCE[op]} 0 ? ${QUICK_HELD} : ${QUICK_FAILED};`,
  ]);
}

/** `a = b`: a slot that receives a value, or two values compared. */
export function unifyLitSource(
  a: Term,
  b: Term,
  pa: QuickPlan | null,
  pb: QuickPlan | null,
  fallback: QuickFallback,
): QuickLit | undefined {
  const gen = new SourceGenerator(fallback, FAILED);
  const bindInto = (slot: number, term: Term, plan: QuickPlan | null): void => {
    gen.lines.push(`if (frame[${slot}] === undefined) {`);
    if (plan === null) gen.lines.push(UNBOUND);
    else {
      gen.unbound(plan.slots, UNBOUND);
      const v = gen.term(term);
      gen.lines.push(`frame[${slot}] = ${v};`, `return ${slot};`);
    }
    gen.lines.push('}');
  };
  if (a.k === 'var') bindInto(a.slot, b, pb);
  if (b.k === 'var') bindInto(b.slot, a, pa);
  if (pa === null || pb === null) return gen.compile([UNBOUND]);
  // b is checked first, so that a is not evaluated twice when b must take the general path.
  gen.unbound(pb.slots, UNBOUND);
  gen.unbound(pa.slots, UNBOUND);
  const va = gen.term(a);
  const vb = gen.term(b);
  return gen.compile([`return equal(${va}, ${vb}) ? ${QUICK_HELD} : ${QUICK_FAILED};`]);
}
