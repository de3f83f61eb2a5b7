/**
 * A user function's definitions compiled to JavaScript source (`callFunction` in
 * `eval-rules.ts` runs it): one function per rule set that asks each definition's argument
 * decision (`argument-decisions.ts`), binds the arguments into a frame and runs the
 * definition's branches' compiled functions, so that each of those calls has one target,
 * which V8 inlines. It mirrors `callFunction`'s loop step for step. Undefined where code
 * generation is not allowed, or where a branch was not compiled.
 */
import type { ArgumentDecided } from '../compiler/input-free-rules.js';
import type { CompiledRule, RuleSet } from '../compiler/ir.js';
import type { Value } from '../value/value.js';
import { argumentDecision, FAILS, HOLDS, RUNS } from './argument-decisions.js';
import type { BranchRun } from './branch-source.js';
import type { EvalContext } from './context.js';
import { enter, leave } from './context.js';
import type { Frame } from './eval-term.js';
import { compileSource } from './quick-source.js';

/** Calls the function on its arguments: its value, or undefined. */
export type FunctionCall = (ctx: EvalContext, args: readonly Value[]) => Value | undefined;

/** A definition as `eval-rules.ts` plans it. */
export interface FunctionDefinition<B> {
  readonly rule: CompiledRule;
  readonly branches: readonly (B & { readonly run: BranchRun<B> | undefined })[];
  readonly argSlots: readonly number[] | undefined;
  readonly decided: ArgumentDecided | undefined;
}

/** What the compiled function hands over to in `eval-rules.ts`. */
export interface FunctionFallbacks<P> {
  /** A definition's value where its arguments made its body hold. */
  readonly valueOfHeld: (ctx: EvalContext, plan: P, args: readonly Value[]) => Value | undefined;
  /** Agreeing outputs, or the conflict error naming `rule`. */
  readonly mergeOutput: (
    rs: RuleSet,
    rule: CompiledRule,
    result: Value | undefined,
    v: Value,
  ) => Value;
  /** Plain variables bound to the arguments: false when a repeated one got two values. */
  readonly bindPlainArgs: (
    frame: Frame,
    slots: readonly number[] | undefined,
    args: readonly Value[],
  ) => boolean | undefined;
  /** A definition with argument patterns (`f([a, b])`), on the general path. */
  readonly runWithPatterns: (
    ctx: EvalContext,
    frame: Frame,
    plan: P,
    args: readonly Value[],
    onValue: (v: Value) => void,
  ) => void;
  readonly defaultValue: (ctx: EvalContext, rule: CompiledRule) => Value | undefined;
}

export function functionSource<B, P extends FunctionDefinition<B>>(
  rs: RuleSet,
  plans: readonly P[],
  fallbacks: FunctionFallbacks<P>,
): FunctionCall | undefined {
  const constants: unknown[] = [
    rs,
    plans.map((p) => p.rule),
    fallbacks.mergeOutput,
    fallbacks.valueOfHeld,
    fallbacks.bindPlainArgs,
    fallbacks.runWithPatterns,
    fallbacks.defaultValue,
    argumentDecision,
    enter,
    leave,
    FAILS,
    HOLDS,
    RUNS,
  ];
  const constant = (x: unknown): string => {
    constants.push(x);
    return `k${constants.length - 1}`;
  };
  // A uniform function (every definition gives the same constant) ends at its first value.
  const done = (always: boolean): string =>
    rs.uniform ? (always ? 'break all;' : 'if (result !== undefined) break all;') : '';
  const lines: string[] = [];
  for (const [index, plan] of plans.entries()) {
    const p = constant(plan);
    const rule = `rules[${index}]`;
    lines.push(`definition${index}: {`, `at = ${index};`);
    if (plan.decided !== undefined) {
      lines.push(
        'if (decides) {',
        `const d = argumentDecision(ctx, rs, ${index}, ${p}, ${constant(plan.decided)}, args);`,
        `if (d === FAILS) break definition${index};`,
        'if (d === HOLDS) {',
        `const v = valueOfHeld(ctx, ${p}, args);`,
        `if (v !== undefined) result = mergeOutput(rs, ${rule}, result, v);`,
        done(false),
        `break definition${index};`,
        '}',
        'if (d !== RUNS) {',
        `result = mergeOutput(rs, ${rule}, result, d);`,
        done(true),
        `break definition${index};`,
        '}',
        '}',
      );
    }
    lines.push(`const frame = new Array(${plan.rule.frameSize});`);
    if (plan.argSlots === undefined) {
      lines.push(`runWithPatterns(ctx, frame, ${p}, args, onValue);`);
    } else {
      const runs: string[] = [];
      for (const branch of plan.branches) {
        if (branch.run === undefined) return undefined;
        runs.push(`${constant(branch.run)}(ctx, frame, ${constant(branch)}, 0, onValue)`);
      }
      lines.push(
        `if (bindPlainArgs(frame, ${constant(plan.argSlots)}, args) === true) ${runs.join(' || ')};`,
      );
    }
    lines.push(done(false), '}');
  }
  const fallback =
    rs.defaultRule === undefined
      ? []
      : [`if (result === undefined) result = defaultValue(ctx, ${constant(rs.defaultRule)});`];
  const body = [
    'const [rs, rules, mergeOutput, valueOfHeld, bindPlainArgs, runWithPatterns, defaultValue, argumentDecision, enter, leave, FAILS, HOLDS, RUNS] = c;',
    ...constants.slice(13).map((_, i) => `const k${i + 13} = c[${i + 13}];`),
    'return function call(ctx, args) {',
    'let result;',
    'let at = 0;',
    // The definition running is `at`, so that a conflict names the one that produced it.
    'const onValue = (v) => { result = mergeOutput(rs, rules[at], result, v); };',
    'enter(ctx);',
    'try {',
    // Outside a `with` (whose mocks and data could change them), what the arguments decide.
    'const decides = ctx.mocks === undefined && ctx.overrides === undefined;',
    'all: {',
    ...lines,
    '}',
    ...fallback,
    '} finally {',
    'leave(ctx);',
    '}',
    'return result;',
    '};',
  ];
  return compileSource<FunctionCall>(constants, body.join('\n'));
}
