/**
 * What a function definition's arguments decide (`ArgumentDecided`, found by
 * `compiler/input-free-rules.ts`), learnt on the first call with those argument values and
 * kept with the engine's input-free rule values (same policy, data and strictness): a
 * definition whose argument-only literals fail for a row of an input-free table
 * (`detector_text(detector) := prompt_lower if detector.lowercase`) is skipped from then on,
 * and one whose result the arguments decide (`triggered(detector) if not detector.triggers`)
 * gives it without a frame or a literal step.
 *
 * Argument values are keyed by identity: values are never changed once made, and the rows of
 * a kept table are the same objects in every evaluation. A value made afresh by each
 * evaluation only misses, and its entry goes with it (the maps are weak).
 */
import type { ArgumentDecided } from '../compiler/input-free-rules.js';
import type { RuleSet } from '../compiler/ir.js';
import type { Value } from '../value/value.js';
import { allBound, NOT_QUICK, QUICK_FAILED } from './body-plan.js';
import type { EvalContext } from './context.js';
import { step } from './context.js';
import type { RulePlan } from './eval-rules.js';
import type { Frame } from './eval-term.js';

/** The definition fails for these arguments. */
export const FAILS: unique symbol = Symbol('fails');
/** The arguments do not decide it: run its body. */
export const RUNS: unique symbol = Symbol('runs');
/**
 * Its body holds for these arguments, and its value reads only them (and rules): evaluate
 * the value without the body (`detector_text(detector) := prompt if not detector.lowercase`).
 */
export const HOLDS: unique symbol = Symbol('holds');
/** A definition's outcome for some argument values: FAILS, RUNS, HOLDS, or its value. */
export type Decision = Value | typeof FAILS | typeof RUNS | typeof HOLDS;

/** One definition's decisions: `only` when its prefix reads no argument, else by argument values. */
export interface ArgumentDecisions {
  only: Decision | undefined;
  /** By the first key argument; with several, maps nest one level per argument. */
  readonly byArg: WeakMap<Value, unknown>;
  /**
   * Lookups that found a kept decision, and those that did not. A definition called on values
   * each evaluation makes afresh (`luhn_valid(candidate)`) never finds one, and would pay a
   * weak-map entry per call: past MAX_MISSES with more misses than hits, it stops being kept.
   */
  hits: number;
  misses: number;
  off: boolean;
}

const MAX_MISSES = 64;

/**
 * The decision of definition `index` of function `rs` (whose plan has `decided`) for `args`.
 * The caller checks that no `with` is in force: a mock or a data override could change it.
 */
export function argumentDecision(
  ctx: EvalContext,
  rs: RuleSet,
  index: number,
  plan: RulePlan,
  decided: ArgumentDecided,
  args: readonly Value[],
): Decision {
  const all = ctx.shared.decisions;
  let perRule = all[rs.id];
  if (perRule === undefined) {
    perRule = [];
    all[rs.id] = perRule;
  }
  let kept = perRule[index];
  if (kept === undefined) {
    kept = { only: undefined, byArg: new WeakMap(), hits: 0, misses: 0, off: false };
    perRule[index] = kept;
  }
  const keys = decided.keys;
  if (keys.length === 0) {
    kept.only ??= decide(ctx, plan, decided, args);
    return kept.only;
  }
  if (kept.off) return RUNS;
  let map = kept.byArg;
  for (let i = 0; i < keys.length - 1; i++) {
    const a = args[keys[i]!]!;
    let next = map.get(a) as WeakMap<Value, unknown> | undefined;
    if (next === undefined) {
      next = new WeakMap();
      map.set(a, next);
    }
    map = next;
  }
  const last = args[keys[keys.length - 1]!]!;
  let decision = map.get(last) as Decision | undefined;
  if (decision !== undefined) {
    kept.hits++;
    return decision;
  }
  decision = decide(ctx, plan, decided, args);
  if (++kept.misses > MAX_MISSES && kept.misses > kept.hits) kept.off = true;
  else map.set(last, decision);
  return decision;
}

/** Runs the argument-only literals (and the value, when they are the whole body) once. */
function decide(
  ctx: EvalContext,
  plan: RulePlan,
  decided: ArgumentDecided,
  args: readonly Value[],
): Decision {
  const slots = plan.argSlots;
  const branch = plan.branches[0];
  if (slots === undefined || branch === undefined) return RUNS;
  const frame: Frame = new Array(plan.rule.frameSize);
  for (let i = 0; i < slots.length; i++) frame[slots[i]!] = args[i];
  const quick = branch.body.quick;
  for (let i = 0; i < decided.prefix; i++) {
    step(ctx);
    const q = quick[i];
    if (q === undefined) return RUNS;
    const outcome = q(ctx, frame);
    if (outcome === QUICK_FAILED) return FAILS;
    if (outcome === NOT_QUICK) return RUNS;
  }
  const value = branch.quickValue;
  if (value === null || !allBound(value.slots, frame)) return RUNS;
  if (decided.value) return value.fn(ctx, frame) ?? FAILS;
  const whole = decided.prefix === branch.body.lits.length;
  return whole && value.slots.every((slot) => slots.includes(slot)) ? HOLDS : RUNS;
}
