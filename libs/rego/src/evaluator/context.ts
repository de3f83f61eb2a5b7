/**
 * The state of one query evaluation: input, base data, caches of rule values, and the
 * overrides a `with` modifier installs (each `with` gets a derived context with fresh caches).
 */
import type { BuiltinContext } from '../builtins/builtin.js';
import type { CompiledPolicy } from '../compiler/compiler.js';
import type { ArgumentDecided } from '../compiler/input-free-rules.js';
import type { FnTarget, TreeNode } from '../compiler/ir.js';
import { RegoEvalError } from '../errors/rego-error.js';
import type { Value } from '../value/value.js';
import type { ArgumentDecisions } from './argument-decisions.js';
import type { RuleSetPlan } from './eval-rules.js';

/**
 * A `with` replacement of a function: another function, or a constant result. A user
 * function replacing another runs with the replacements in force where its `with` was
 * written (`outer`), as OPA does: inside `g`, `f` is the original in `f(1) with f as g`.
 */
export type Mock =
  | FnTarget
  | { readonly kind: 'constant'; readonly value: Value }
  | {
      readonly kind: 'replacement';
      readonly target: FnTarget & { readonly kind: 'user' };
      readonly outer: ReadonlyMap<string, Mock> | undefined;
    };

export interface Budget {
  steps: number;
  readonly maxSteps: number;
  readonly deadline: number | undefined;
  depth: number;
  readonly maxDepth: number;
}

export interface Shared {
  readonly policy: CompiledPolicy;
  readonly strict: boolean;
  /** Terms with one value at most take the quick path (`eval-quick.ts`); false: the general path only. */
  readonly quickPath: boolean;
  readonly builtinContext: BuiltinContext;
  readonly budget: Budget;
  /**
   * By rule set id: whether its value is the same in every evaluation over the engine's
   * data (`input-free-rules.ts`), and the values of those already computed, kept by the
   * engine across evaluations until its modules or data change.
   */
  readonly inputFree: readonly boolean[];
  readonly constants: (CacheEntry | undefined)[];
  /** By rule set id, per definition: what a function's arguments decide (`argument-decisions.ts`). */
  readonly argumentDecided: readonly (readonly (ArgumentDecided | undefined)[] | undefined)[];
  readonly decisions: (ArgumentDecisions[] | undefined)[];
  /** By rule set id: its rules' plans (`eval-rules.ts`), made on first use, kept with the policy. */
  readonly rulePlans: (RuleSetPlan | undefined)[];
}

/** Marks a rule set being evaluated, to catch recursion the compiler could not see. */
export const IN_PROGRESS: unique symbol = Symbol('in progress');
/** A cached undefined result. */
export const UNDEFINED: unique symbol = Symbol('undefined');

export type CacheEntry = Value | typeof IN_PROGRESS | typeof UNDEFINED;

export class EvalContext {
  /**
   * Rule set values by rule set id (ids are dense indexes into the policy's rule sets):
   * an array index is cheaper than a Map lookup, and policies read rules very often.
   */
  readonly ruleCache: (CacheEntry | undefined)[];
  /** Merged documents of tree nodes, made on first use: most evaluations read rules only. */
  nodeCache: Map<TreeNode, CacheEntry> | undefined;

  constructor(
    readonly shared: Shared,
    readonly input: Value | undefined,
    readonly data: Value,
    /** `with data…` overrides by path joined with NUL. */
    readonly overrides: ReadonlyMap<string, Value> | undefined,
    readonly mocks: ReadonlyMap<string, Mock> | undefined,
  ) {
    this.ruleCache = new Array(shared.policy.ruleSets.length).fill(undefined);
  }

  derive(
    input: Value | undefined,
    data: Value,
    overrides: ReadonlyMap<string, Value> | undefined,
    mocks: ReadonlyMap<string, Mock> | undefined,
  ): EvalContext {
    return new EvalContext(this.shared, input, data, overrides, mocks);
  }
}

/** Counts a step and stops the query when its budget is spent. */
export function step(ctx: EvalContext): void {
  const b = ctx.shared.budget;
  b.steps++;
  if (b.steps > b.maxSteps) {
    throw new RegoEvalError(
      'eval_budget_exceeded',
      `evaluation exceeded its budget of ${b.maxSteps} steps`,
    );
  }
  if ((b.steps & 1023) === 0 && b.deadline !== undefined && Date.now() > b.deadline) {
    throw new RegoEvalError('eval_budget_exceeded', 'evaluation exceeded its time budget');
  }
}

export function enter(ctx: EvalContext): void {
  const b = ctx.shared.budget;
  if (++b.depth > b.maxDepth) {
    throw new RegoEvalError(
      'eval_budget_exceeded',
      `evaluation exceeded its depth limit of ${b.maxDepth}`,
    );
  }
}

export function leave(ctx: EvalContext): void {
  ctx.shared.budget.depth--;
}
