/**
 * Values of rule sets: complete rules (one value, conflicts are errors, `default` and
 * `else`), partial set rules, object rules (ref heads ending in variables) and functions.
 * Rule values are cached per context.
 */

import type { ArgumentDecided } from '../compiler/input-free-rules.js';
import type { CompiledRule, RuleSet } from '../compiler/ir.js';
import { RegoEvalError } from '../errors/rego-error.js';
import type { Value } from '../value/value.js';
import { keyOf } from '../value/value-key.js';
import { argumentDecision, FAILS, HOLDS, RUNS } from './argument-decisions.js';
import { planOf } from './body-plan.js';
import type { EvalContext } from './context.js';
import { enter, IN_PROGRESS, leave, UNDEFINED } from './context.js';
import type { BranchPlan } from './eval-branch.js';
import { runBranch } from './eval-branch.js';
import { quickPlan } from './eval-quick.js';
import type { Frame } from './eval-term.js';
import { evalList, evalTerm, unifyValue } from './eval-term.js';
import { equal } from './value-access.js';

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

/** A rule of a rule set with its branches' plans. */
export interface RulePlan {
  readonly rule: CompiledRule;
  readonly branches: readonly BranchPlan[];
  /** A function's parameters' slots when every one is a plain variable, else undefined. */
  readonly argSlots: readonly number[] | undefined;
  /** What a function definition's arguments alone decide (`argument-decisions.ts`), if anything. */
  readonly decided: ArgumentDecided | undefined;
}

/**
 * The plans of a rule set's rules (not its default), made on first use and kept by rule set
 * id for the policy's evaluations (`Shared.rulePlans`): an array index, where a WeakMap
 * lookup per rule set or function call was a measurable part of an evaluation.
 */
function plansOf(ctx: EvalContext, rs: RuleSet): readonly RulePlan[] {
  const kept = ctx.shared.rulePlans;
  let plans = kept[rs.id];
  if (plans === undefined) {
    const decided = ctx.shared.argumentDecided[rs.id];
    plans = rs.rules.map((rule, index) => ({
      rule,
      branches: rule.branches.map((b) => ({
        body: planOf(b.body),
        value: b.value,
        quickValue: quickPlan(b.value),
        constant: b.constant,
      })),
      argSlots: rule.args.every((a) => a.k === 'var')
        ? rule.args.map((a) => (a as { slot: number }).slot)
        : undefined,
      decided: decided?.[index],
    }));
    kept[rs.id] = plans;
  }
  return plans;
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
    if (runBranch(ctx, frame, branches[b]!, 0, onValue)) return true;
  }
  return false;
}

function evalComplete(ctx: EvalContext, rs: RuleSet): Value | undefined {
  const plans = plansOf(ctx, rs);
  let result: Value | undefined;
  for (let p = 0; p < plans.length; p++) {
    result = completeRule(ctx, rs, plans[p]!, result);
    // When every rule has the same constant value, the first rule that holds decides.
    if (result !== undefined && rs.uniform) break;
  }
  if (result === undefined && rs.defaultRule !== undefined)
    result = defaultValue(ctx, rs.defaultRule);
  return result;
}

/**
 * One rule of a complete rule set, its values merged into `result`: the value callback's
 * captured variables are this function's alone (one context per rule, not one per rule set
 * and another per loop iteration).
 */
function completeRule(
  ctx: EvalContext,
  rs: RuleSet,
  plan: RulePlan,
  result: Value | undefined,
): Value | undefined {
  const rule = plan.rule;
  evalBranches(ctx, new Array(rule.frameSize), plan, (v) => {
    if (result === undefined) result = v;
    else if (!equal(result, v)) {
      // As OPA, the rule that produced the second value is the one named.
      throw new RegoEvalError(
        'eval_conflict_error',
        `complete rules must not produce multiple outputs (data.${rs.path.join('.')})`,
        rule.loc,
      );
    }
  });
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
  for (const plan of plansOf(ctx, rs)) evalBranches(ctx, new Array(plan.rule.frameSize), plan, add);
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
  let result: Value | undefined;
  enter(ctx);
  try {
    const plans = plansOf(ctx, rs);
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
      result = runDefinition(ctx, rs, plan, args, result);
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

/**
 * Runs one definition of function `rs` on `args`, merging its outputs into `result`. Apart
 * from `callFunction`, whose variables a value callback would otherwise capture: V8 then
 * allocates their context on every call, decided ones included.
 */
function runDefinition(
  ctx: EvalContext,
  rs: RuleSet,
  plan: RulePlan,
  args: readonly Value[],
  result: Value | undefined,
): Value | undefined {
  const rule = plan.rule;
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
