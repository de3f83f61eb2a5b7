/**
 * Comprehensions: `[t | body]`, `{t | body}` and `{k: v | body}` collect what their body's
 * solutions give. A comprehension has exactly one value whatever its body does (an empty
 * collection when the body has no solution), so both the general evaluator and the quick
 * path take its value from here.
 */
import type { Term } from '../compiler/ir.js';
import { RegoEvalError } from '../errors/rego-error.js';
import type { Value } from '../value/value.js';
import { arr } from '../value/value-builders.js';
import { keyOf } from '../value/value-key.js';
import type { EvalContext } from './context.js';
import { enter, leave } from './context.js';
import { evalBody } from './eval-body.js';
import { type BranchPlan, branchPlan, runBranch } from './eval-rules.js';
import type { Frame } from './eval-term.js';
import { evalTerm } from './eval-term.js';
import { equal } from './value-access.js';

export type ComprehensionTerm = Extract<Term, { k: 'acompr' | 'scompr' | 'ocompr' }>;

/** The collection a comprehension builds in the current frame. */
export function comprehensionValue(ctx: EvalContext, frame: Frame, term: ComprehensionTerm): Value {
  enter(ctx);
  try {
    switch (term.k) {
      case 'acompr': {
        const items: Value[] = [];
        runBranch(ctx, frame, collectingBranch(term), (v) => {
          items.push(v);
        });
        return arr(items);
      }
      case 'scompr': {
        const items = new Map<string, Value>();
        runBranch(ctx, frame, collectingBranch(term), (v) => {
          items.set(keyOf(v), v);
        });
        return { kind: 'set', items };
      }
      case 'ocompr': {
        const entries = new Map<string, readonly [Value, Value]>();
        evalBody(ctx, frame, term.body, 0, () =>
          evalTerm(ctx, frame, term.key, (key) =>
            evalTerm(ctx, frame, term.value, (value) => {
              const kk = keyOf(key);
              const existing = entries.get(kk);
              if (existing !== undefined && !equal(existing[1], value)) {
                throw new RegoEvalError(
                  'eval_conflict_error',
                  'object keys must be unique',
                  term.loc,
                );
              }
              entries.set(kk, [key, value]);
              return false;
            }),
          ),
        );
        return { kind: 'object', entries };
      }
    }
  } finally {
    leave(ctx);
  }
}

const collectingBranches = new WeakMap<ComprehensionTerm, BranchPlan>();

/**
 * An array or set comprehension as a rule branch that collects every value (`runBranch`,
 * never constant, so it stops at no solution): its literals that take their quick form, and
 * a `some … in` over its elements, run in the branch's loops, and a term with one value is
 * computed directly, without the general evaluator's continuations (`digit_count`'s ten
 * `strings.count` calls).
 */
function collectingBranch(
  term: Extract<ComprehensionTerm, { k: 'acompr' | 'scompr' }>,
): BranchPlan {
  let plan = collectingBranches.get(term);
  if (plan === undefined) {
    plan = branchPlan(term.body, term.term, false);
    collectingBranches.set(term, plan);
  }
  return plan;
}
