/**
 * Values of rule sets: complete rules (one value, conflicts are errors, `default` and
 * `else`), partial set rules, object rules (ref heads ending in variables) and functions.
 * Rule values are cached per context.
 */

import type { ArgumentDecided } from '../compiler/input-free-rules.js';
import type { Body, CompiledRule, RuleSet, Term } from '../compiler/ir.js';
import { RegoEvalError } from '../errors/rego-error.js';
import type { Value } from '../value/value.js';
import { num } from '../value/value-builders.js';
import { keyOf } from '../value/value-key.js';
import { argumentDecision, FAILS, HOLDS, RUNS } from './argument-decisions.js';
import type { BodyPlan, SomeIn } from './body-plan.js';
import { allBound, NOT_QUICK, planOf, QUICK_FAILED } from './body-plan.js';
import { type BranchFallbacks, type BranchRun, branchSource } from './branch-source.js';
import type { EvalContext } from './context.js';
import { enter, IN_PROGRESS, leave, step, UNDEFINED } from './context.js';
import { NO_QUICK, runFrom, unbind } from './eval-body.js';
import type { QuickPlan } from './eval-quick.js';
import { quickFn, quickPlan } from './eval-quick.js';
import type { Frame } from './eval-term.js';
import { evalList, evalTerm, unifyValue } from './eval-term.js';
import { type FunctionCall, type FunctionFallbacks, functionSource } from './function-source.js';
import { type RulesRun, rulesSource } from './rules-source.js';
import { equal, sortedEntries, sortedMembers } from './value-access.js';

export function evalRuleSet(ctx: EvalContext, rs: RuleSet): Value | undefined {
  const cached = ctx.ruleCache[rs.id];
  if (cached !== undefined) {
    if (cached === IN_PROGRESS) {
      throw new RegoEvalError(
        'rego_recursion_error',
        `rule data.${rs.path.join('.')} is recursive`,
        (rs.rules[0] ?? rs.defaultRule)?.loc,
      );
    }
    return cached === UNDEFINED ? undefined : cached;
  }
  // A rule whose value no evaluation changes is computed once per engine, outside `with`
  // (whose data overrides and function mocks could change it).
  const shared = ctx.shared;
  const keep =
    shared.inputFree[rs.id] === true && ctx.overrides === undefined && ctx.mocks === undefined;
  if (keep) {
    const kept = shared.constants[rs.id];
    if (kept !== undefined && kept !== IN_PROGRESS) {
      ctx.ruleCache[rs.id] = kept;
      return kept === UNDEFINED ? undefined : kept;
    }
  }
  ctx.ruleCache[rs.id] = IN_PROGRESS;
  enter(ctx);
  let value: Value | undefined;
  try {
    switch (rs.kind) {
      case 'complete':
        value = evalComplete(ctx, rs);
        break;
      case 'set':
        value = evalSetRules(ctx, rs);
        break;
      case 'object':
        value = evalObjectRules(ctx, rs);
        break;
      case 'function':
        // A function without arguments can be read as a value.
        value = rs.arity === 0 ? callFunction(ctx, rs, []) : undefined;
        break;
    }
  } catch (error) {
    ctx.ruleCache[rs.id] = undefined;
    throw error;
  } finally {
    leave(ctx);
  }
  ctx.ruleCache[rs.id] = value ?? UNDEFINED;
  if (keep) shared.constants[rs.id] = value ?? UNDEFINED;
  return value;
}

/** A rule branch ready to run: its body's plan and its value's quick plan, made once. */
export interface BranchPlan {
  readonly body: BodyPlan;
  readonly value: Term;
  readonly quickValue: QuickPlan | null;
  readonly constant: boolean;
  /** Its literal loop compiled (`branch-source.ts`), or undefined where code generation is not allowed. */
  readonly run: BranchRun<BranchPlan> | undefined;
}

/** A branch's plan: its body's, its value's quick plan, and its compiled literal loop. */
export function branchPlan(body: Body, value: Term, constant: boolean): BranchPlan {
  const plan = planOf(body);
  const quickValue = quickPlan(value);
  // One object literal of all five fields, not a spread: a spread's copies were of several
  // hidden classes, and every read of a branch's field became a megamorphic lookup.
  const run = branchSource<BranchPlan>(
    { body: plan, value, quickValue, constant },
    BRANCH_FALLBACKS,
  );
  return { body: plan, value, quickValue, constant, run };
}

/** A rule of a rule set with its branches' plans. */
export interface RulePlan {
  readonly rule: CompiledRule;
  readonly branches: readonly BranchPlan[];
  /** A function's parameters' slots when every one is a plain variable, else undefined. */
  readonly argSlots: readonly number[] | undefined;
  /** What a function definition's arguments alone decide (`argument-decisions.ts`), if anything. */
  readonly decided: ArgumentDecided | undefined;
}

/** A rule set's plans: its rules' (not its default's), and for complete and set rules their compiled run. */
export interface RuleSetPlan {
  readonly plans: readonly RulePlan[];
  /** Every definition in one compiled function (`rules-source.ts`), where code generation is allowed. */
  readonly rules: RulesRun | undefined;
  /** A function's definitions in one compiled function (`function-source.ts`), likewise. */
  readonly call: FunctionCall | undefined;
}

/**
 * A rule set's plans, made on first use and kept by rule set id for the policy's evaluations
 * (`Shared.rulePlans`): an array index, where a WeakMap lookup per rule set or function call
 * was a measurable part of an evaluation.
 */
function ruleSetPlanOf(ctx: EvalContext, rs: RuleSet): RuleSetPlan {
  const kept = ctx.shared.rulePlans;
  let ruleSet = kept[rs.id];
  if (ruleSet === undefined) {
    const decided = ctx.shared.argumentDecided[rs.id];
    const plans = rs.rules.map((rule, index) => ({
      rule,
      branches: rule.branches.map((b) => branchPlan(b.body, b.value, b.constant)),
      argSlots: rule.args.every((a) => a.k === 'var')
        ? rule.args.map((a) => (a as { slot: number }).slot)
        : undefined,
      decided: decided?.[index],
    }));
    const compiled = rs.kind === 'complete' || rs.kind === 'set';
    const rules = compiled
      ? rulesSource(
          plans.map((p) => ({ frameSize: p.rule.frameSize, branches: p.branches })),
          rs.kind === 'complete' && rs.uniform,
        )
      : undefined;
    const call =
      rs.kind === 'function'
        ? functionSource<BranchPlan, RulePlan>(rs, plans, FUNCTION_FALLBACKS)
        : undefined;
    ruleSet = { plans, rules, call };
    kept[rs.id] = ruleSet;
  }
  return ruleSet;
}

function plansOf(ctx: EvalContext, rs: RuleSet): readonly RulePlan[] {
  return ruleSetPlanOf(ctx, rs).plans;
}

/**
 * Runs a rule's branches in order (`else`): the first branch with a solution decides.
 * A branch whose output is constant stops at its first solution: the others cannot differ
 * (this is also OPA's "early exit", which skips errors in later iterations).
 * Returns whether the rule produced a value.
 */
function evalBranches(
  ctx: EvalContext,
  frame: Frame,
  plan: RulePlan,
  onValue: (v: Value) => void,
): boolean {
  const branches = plan.branches;
  for (let b = 0; b < branches.length; b++) {
    if (runBranch(ctx, frame, branches[b]!, onValue)) return true;
  }
  return false;
}

/**
 * One branch. Its leading literals that take their quick form run in this loop, as in
 * `runPlan`, and when they are all of the body (no iteration: the usual rule or function
 * body) its value is produced here too: no continuation is made, which was most of what an
 * evaluation allocated. From the first literal that cannot take its quick form, the rest of
 * the body runs on the general path. Returns whether the branch produced a value.
 */
export function runBranch(
  ctx: EvalContext,
  frame: Frame,
  branch: BranchPlan,
  onValue: (v: Value) => void,
): boolean {
  const body = branch.body;
  const quickPath = ctx.shared.quickPath;
  if (quickPath && branch.run !== undefined) return branch.run(ctx, frame, branch, 0, onValue);
  const quick = quickPath ? body.quick : NO_QUICK;
  const n = body.lits.length;
  let b0 = -1;
  let b1 = -1;
  let more: number[] | undefined;
  let i = 0;
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
 * run in this loop while they take their quick form (`violations contains … if { some code,
 * d in detectors; triggered(d); … }`), and the value is produced here, without the
 * continuations the general path makes per literal and per element. From a literal that
 * cannot take its quick form, the rest runs on the general path.
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
  // A loop per kind of collection and no visitor closure: under tsx (keepNames) a named
  // closure made per call costs a defineProperty, more than the continuations it replaced.
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
  const produced = tail(ctx, frame, branch, i + 1, onValue);
  if (some.keySlot >= 0) frame[some.keySlot] = undefined;
  frame[some.valueSlot] = undefined;
  return produced;
}

/** The literals of a branch from `i` for one element, then its value (see `iterateBranch`). */
function tail(
  ctx: EvalContext,
  frame: Frame,
  branch: BranchPlan,
  i: number,
  onValue: (v: Value) => void,
): boolean {
  if (branch.run !== undefined) return branch.run(ctx, frame, branch, i, onValue);
  const body = branch.body;
  const quick = body.quick;
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
  const found =
    i === n ? branchValue(ctx, frame, branch, onValue) : runRest(ctx, frame, branch, i, onValue);
  unbind(frame, b0, b1, more);
  return found;
}

/** The rest of a branch from literal `i`, on the general path (see `runFrom`). */
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

/** Where a compiled branch hands over to the general path (`branch-source.ts`). */
const BRANCH_FALLBACKS: BranchFallbacks<BranchPlan> = { runRest, branchValue, quickFn };

function evalComplete(ctx: EvalContext, rs: RuleSet): Value | undefined {
  const { plans, rules } = ruleSetPlanOf(ctx, rs);
  let result: Value | undefined;
  const at = { definition: 0 };
  const onValue = (v: Value): void => {
    if (result === undefined) result = v;
    else if (!equal(result, v)) {
      // As OPA, the rule that produced the second value is the one named.
      throw new RegoEvalError(
        'eval_conflict_error',
        `complete rules must not produce multiple outputs (data.${rs.path.join('.')})`,
        plans[at.definition]!.rule.loc,
      );
    }
  };
  if (rules !== undefined && ctx.shared.quickPath) rules(ctx, onValue, at);
  else {
    for (let index = 0; index < plans.length; index++) {
      const plan = plans[index]!;
      at.definition = index;
      const found = evalBranches(ctx, new Array(plan.rule.frameSize), plan, onValue);
      // When every rule has the same constant value, the first rule that holds decides.
      if (found && rs.uniform) break;
    }
  }
  if (result === undefined && rs.defaultRule !== undefined)
    result = defaultValue(ctx, rs.defaultRule);
  return result;
}

function defaultValue(ctx: EvalContext, rule: CompiledRule): Value | undefined {
  let result: Value | undefined;
  const frame: Frame = new Array(rule.frameSize);
  evalTerm(ctx, frame, rule.branches[0]!.value, (v) => {
    result = v;
    return true;
  });
  return result;
}

function evalSetRules(ctx: EvalContext, rs: RuleSet): Value {
  const items = new Map<string, Value>();
  // One closure for every rule: a set rule has many definitions, most of which do not hold.
  const add = adder(items);
  const { plans, rules } = ruleSetPlanOf(ctx, rs);
  if (rules !== undefined && ctx.shared.quickPath) rules(ctx, add, { definition: 0 });
  else for (const plan of plans) evalBranches(ctx, new Array(plan.rule.frameSize), plan, add);
  return { kind: 'set', items };
}

/** Made by a function, not a named closure, which would cost a defineProperty per call under tsx. */
function adder(items: Map<string, Value>): (v: Value) => void {
  return (v) => {
    items.set(keyOf(v), v);
  };
}

interface ObjectBuilder {
  readonly entries: Map<string, [Value, ObjectBuilder | Value]>;
}

function isBuilder(x: ObjectBuilder | Value): x is ObjectBuilder {
  return !('kind' in x);
}

function evalObjectRules(ctx: EvalContext, rs: RuleSet): Value {
  const root: ObjectBuilder = { entries: new Map() };
  for (const plan of plansOf(ctx, rs)) {
    const rule = plan.rule;
    const frame: Frame = new Array(rule.frameSize);
    evalBranches(ctx, frame, plan, (value) => {
      evalList(ctx, frame, rule.suffix, 0, [], (keys) => {
        let node = root;
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i]!;
          const kk = keyOf(key);
          const existing = node.entries.get(kk);
          if (i === keys.length - 1 && rule.contains) {
            // `p[x] contains v`: the leaf is a set that collects members.
            const current = existing?.[1];
            if (current !== undefined && (isBuilder(current) || current.kind !== 'set'))
              throw objectConflict(rs, rule);
            const items = new Map(current?.kind === 'set' ? current.items : []);
            items.set(keyOf(value), value);
            node.entries.set(kk, [key, { kind: 'set', items }]);
          } else if (i === keys.length - 1) {
            if (existing !== undefined) {
              const current = existing[1];
              if (isBuilder(current) || !equal(current, value)) throw objectConflict(rs, rule);
            } else node.entries.set(kk, [key, value]);
          } else if (existing === undefined) {
            const child: ObjectBuilder = { entries: new Map() };
            node.entries.set(kk, [key, child]);
            node = child;
          } else if (isBuilder(existing[1])) node = existing[1];
          else throw objectConflict(rs, rule);
        }
        return false;
      });
    });
  }
  return buildObject(root);
}

function objectConflict(rs: RuleSet, rule: CompiledRule): RegoEvalError {
  return new RegoEvalError(
    'eval_conflict_error',
    `object keys must be unique (data.${rs.path.join('.')})`,
    rule.loc,
  );
}

function buildObject(b: ObjectBuilder): Value {
  const entries = new Map<string, readonly [Value, Value]>();
  for (const [kk, [key, v]] of b.entries) entries.set(kk, [key, isBuilder(v) ? buildObject(v) : v]);
  return { kind: 'object', entries };
}

/** Calls a user function: every definition whose arguments unify contributes; outputs must agree. */
export function callFunction(
  ctx: EvalContext,
  rs: RuleSet,
  args: readonly Value[],
): Value | undefined {
  const { plans, call } = ruleSetPlanOf(ctx, rs);
  if (call !== undefined && ctx.shared.quickPath) return call(ctx, args);
  let result: Value | undefined;
  enter(ctx);
  try {
    // Outside a `with` (whose mocks and data could change them), what the arguments decide.
    const decides = ctx.mocks === undefined && ctx.overrides === undefined && ctx.shared.quickPath;
    for (let index = 0; index < plans.length; index++) {
      const plan = plans[index]!;
      const rule = plan.rule;
      if (decides && plan.decided !== undefined) {
        const decision = argumentDecision(ctx, rs, index, plan, plan.decided, args);
        if (decision === FAILS) continue;
        if (decision === HOLDS) {
          const v = valueOfHeld(ctx, plan, args);
          if (v !== undefined) result = mergeOutput(rs, rule, result, v);
          if (result !== undefined && rs.uniform) break;
          continue;
        }
        if (decision !== RUNS) {
          result = mergeOutput(rs, rule, result, decision);
          if (rs.uniform) break;
          continue;
        }
      }
      const frame: Frame = new Array(rule.frameSize);
      const bound = bindPlainArgs(frame, plan.argSlots, args);
      // Inline closures, not named ones: a named closure costs a defineProperty per call under tsx.
      if (bound === true) {
        evalBranches(ctx, frame, plan, (v) => {
          result = mergeOutput(rs, rule, result, v);
        });
      } else if (bound === undefined) {
        // Argument patterns (`f([a, b])`, `f(1)`): unify each in turn.
        unifyArgs(ctx, frame, rule, args, 0, () => {
          evalBranches(ctx, frame, plan, (v) => {
            result = mergeOutput(rs, rule, result, v);
          });
          return false;
        });
      }
      // Every definition gives the same constant: the first that holds decides.
      if (result !== undefined && rs.uniform) break;
    }
    if (result === undefined && rs.defaultRule !== undefined)
      result = defaultValue(ctx, rs.defaultRule);
  } finally {
    leave(ctx);
  }
  return result;
}

/** The value of a definition whose body its arguments made hold (HOLDS): its value reads only them. */
function valueOfHeld(ctx: EvalContext, plan: RulePlan, args: readonly Value[]): Value | undefined {
  const slots = plan.argSlots!;
  const frame: Frame = new Array(plan.rule.frameSize);
  for (let i = 0; i < slots.length; i++) frame[slots[i]!] = args[i];
  return plan.branches[0]!.quickValue!.fn(ctx, frame);
}

/** A function's outputs must agree; a conflict names the definition that produced `v`. */
function mergeOutput(rs: RuleSet, rule: CompiledRule, result: Value | undefined, v: Value): Value {
  if (result !== undefined && !equal(result, v)) {
    throw new RegoEvalError(
      'eval_conflict_error',
      `functions must not produce multiple outputs for same inputs (data.${rs.path.join('.')})`,
      rule.loc,
    );
  }
  return v;
}

/**
 * The common case of arguments that are plain variables: bind them directly. Returns true
 * when bound, false when a repeated variable got two different values, undefined when some
 * argument is a pattern.
 */
function bindPlainArgs(
  frame: Frame,
  slots: readonly number[] | undefined,
  args: readonly Value[],
): boolean | undefined {
  if (slots === undefined) return undefined;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const current = frame[slot];
    if (current === undefined) frame[slot] = args[i];
    else if (!equal(current, args[i]!)) return false;
  }
  return true;
}

function unifyArgs(
  ctx: EvalContext,
  frame: Frame,
  rule: CompiledRule,
  args: readonly Value[],
  i: number,
  k: () => boolean,
): boolean {
  if (i === rule.args.length) return k();
  return unifyValue(ctx, frame, rule.args[i]!, args[i]!, () =>
    unifyArgs(ctx, frame, rule, args, i + 1, k),
  );
}

/** A definition with argument patterns (`f([a, b])`): each unified in turn, then its branches. */
function runWithPatterns(
  ctx: EvalContext,
  frame: Frame,
  plan: RulePlan,
  args: readonly Value[],
  onValue: (v: Value) => void,
): void {
  unifyArgs(ctx, frame, plan.rule, args, 0, () => {
    evalBranches(ctx, frame, plan, onValue);
    return false;
  });
}

/** What a compiled function hands over to (`function-source.ts`). */
const FUNCTION_FALLBACKS: FunctionFallbacks<RulePlan> = {
  valueOfHeld,
  mergeOutput,
  bindPlainArgs,
  runWithPatterns,
  defaultValue,
};
