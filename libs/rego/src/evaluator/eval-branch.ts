/**
 * A body with a value to produce for each of its solutions, run without continuations where
 * it can be: a rule or function branch (`eval-rules.ts`) and an array or set comprehension
 * (`eval-comprehension.ts`). Literals that take their quick form run in a loop, each
 * `some k, v in coll` over fresh variables loops over its collection, nested ones included,
 * and the value is produced where the body holds; from a literal that cannot take its quick
 * form, the rest of the body runs on the general path (`runFrom`).
 */
import type { Term } from '../compiler/ir.js';
import type { Value } from '../value/value.js';
import { num } from '../value/value-builders.js';
import type { BodyPlan, SomeIn } from './body-plan.js';
import { allBound, NOT_QUICK, QUICK_FAILED } from './body-plan.js';
import type { EvalContext } from './context.js';
import { step } from './context.js';
import { NO_QUICK, runFrom, unbind } from './eval-body.js';
import type { QuickPlan } from './eval-quick.js';
import type { Frame } from './eval-term.js';
import { evalTerm } from './eval-term.js';
import { sortedEntries, sortedMembers } from './value-access.js';

/** A body and the value it produces, ready to run: its body's plan and its value's quick plan, made once. */
export interface BranchPlan {
  readonly body: BodyPlan;
  readonly value: Term;
  readonly quickValue: QuickPlan | null;
  /** The value is the same for every solution: the first one decides (`else`, early exit). */
  readonly constant: boolean;
}

/**
 * Runs a branch from its literal `i` (0 for a whole branch), calling `onValue` for each value
 * it produces; returns whether it produced one. The quick literals' loop of this module: a
 * branch, each element of a `some … in` and a comprehension all run it, so that an
 * evaluation makes no continuation until a literal needs the general path.
 */
export function runBranch(
  ctx: EvalContext,
  frame: Frame,
  branch: BranchPlan,
  i: number,
  onValue: (v: Value) => void,
): boolean {
  const body = branch.body;
  const quick = ctx.shared.quickPath ? body.quick : NO_QUICK;
  const n = body.lits.length;
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
  const some = i < n && quick !== NO_QUICK ? body.some[i] : undefined;
  const found =
    i === n
      ? branchValue(ctx, frame, branch, onValue)
      : some !== undefined && canIterate(some, frame)
        ? iterateBranch(ctx, frame, branch, i, some, onValue)
        : runRest(ctx, frame, branch, i, onValue);
  unbind(frame, b0, b1, more);
  return found;
}

/** Whether `some k, v in coll` can bind its fresh variables now (what `iterLit` checks). */
function canIterate(some: SomeIn, frame: Frame): boolean {
  return (
    frame[some.valueSlot] === undefined &&
    (some.keySlot < 0 || frame[some.keySlot] === undefined) &&
    allBound(some.coll.slots, frame)
  );
}

/**
 * A branch from its literal `i`, `some k, v in coll`: for each element, the literals after it
 * run in `runBranch` (`violations contains … if { some code, d in detectors; triggered(d); …
 * }`). A loop per kind of collection and no visitor closure: under tsx (keepNames) a named
 * closure made per call costs a defineProperty, more than the continuations it replaced.
 */
function iterateBranch(
  ctx: EvalContext,
  frame: Frame,
  branch: BranchPlan,
  i: number,
  some: SomeIn,
  onValue: (v: Value) => void,
): boolean {
  const coll = some.coll.fn(ctx, frame);
  if (coll === undefined) return false;
  let found = false;
  switch (coll.kind) {
    case 'array': {
      const items = coll.items;
      for (let j = 0; j < items.length; j++) {
        if (element(ctx, frame, branch, i, some, num(j), items[j]!, onValue)) {
          found = true;
          if (branch.constant) break;
        }
      }
      break;
    }
    case 'object': {
      const entries = coll.entries.size < 2 ? [...coll.entries.values()] : sortedEntries(coll);
      for (let j = 0; j < entries.length; j++) {
        if (element(ctx, frame, branch, i, some, entries[j]![0], entries[j]![1], onValue)) {
          found = true;
          if (branch.constant) break;
        }
      }
      break;
    }
    case 'set': {
      const members = coll.items.size < 2 ? [...coll.items.values()] : sortedMembers(coll);
      for (let j = 0; j < members.length; j++) {
        if (element(ctx, frame, branch, i, some, members[j]!, members[j]!, onValue)) {
          found = true;
          if (branch.constant) break;
        }
      }
      break;
    }
    default:
      break;
  }
  return found;
}

/** One element of `iterateBranch`'s collection: binds it, runs the rest. Returns whether it produced a value. */
function element(
  ctx: EvalContext,
  frame: Frame,
  branch: BranchPlan,
  i: number,
  some: SomeIn,
  key: Value,
  value: Value,
  onValue: (v: Value) => void,
): boolean {
  step(ctx);
  if (some.keySlot >= 0) frame[some.keySlot] = key;
  frame[some.valueSlot] = value;
  const produced = runBranch(ctx, frame, branch, i + 1, onValue);
  if (some.keySlot >= 0) frame[some.keySlot] = undefined;
  frame[some.valueSlot] = undefined;
  return produced;
}

/** The rest of a branch from literal `i`, already counted as a step, on the general path (see `runFrom`). */
function runRest(
  ctx: EvalContext,
  frame: Frame,
  branch: BranchPlan,
  i: number,
  onValue: (v: Value) => void,
): boolean {
  let found = false;
  runFrom(ctx, frame, branch.body, i, () => {
    const produced = branchValue(ctx, frame, branch, onValue);
    if (produced) found = true;
    return produced && branch.constant;
  });
  return found;
}

/**
 * Produces the branch's value (each of its values, for a value that iterates) once its
 * body holds. Returns whether it produced one.
 */
function branchValue(
  ctx: EvalContext,
  frame: Frame,
  branch: BranchPlan,
  onValue: (v: Value) => void,
): boolean {
  const quick = branch.quickValue;
  if (ctx.shared.quickPath && quick !== null && allBound(quick.slots, frame)) {
    const v = quick.fn(ctx, frame);
    if (v === undefined) return false;
    onValue(v);
    return true;
  }
  let found = false;
  evalTerm(ctx, frame, branch.value, (v) => {
    found = true;
    onValue(v);
    return branch.constant;
  });
  return found;
}
