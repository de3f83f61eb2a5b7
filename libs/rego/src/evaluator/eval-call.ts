/**
 * Calls: `with` mocks first, then user functions, builtins (their errors are undefined
 * unless strict), and the evaluator's own natives (`print`, membership, `walk`).
 */
import type { BuiltinDefinition } from '../builtins/builtin.js';
import { BuiltinTypeError } from '../builtins/builtin.js';
import { formatPrintLine } from '../builtins/sprintf/format-term.js';
import type { CallTerm } from '../compiler/ir.js';
import { RegoError, RegoEvalError } from '../errors/rego-error.js';
import type { Value } from '../value/value.js';
import { arr, bool, TRUE } from '../value/value-builders.js';
import type { EvalContext, Mock } from './context.js';
import { callFunction } from './eval-rules.js';
import type { Frame, ValueK } from './eval-term.js';
import { evalTerm } from './eval-term.js';
import { equal, iterate, lookup } from './value-access.js';

export function invokeCall(
  ctx: EvalContext,
  frame: Frame,
  call: CallTerm,
  args: Value[],
  k: ValueK,
): boolean {
  if (call.fn.kind === 'native' && call.fn.name === 'print') return evalPrint(ctx, frame, call, k);
  const callee = calleeOf(ctx, call);
  if (callee.kind === 'native' && callee.name === 'walk') return walkValue(args[0]!, [], k);
  const result = callTarget(ctx, callee, call, args);
  return result === undefined ? false : k(result);
}

/** A call that has one result at most (not `print`, not `walk`), without continuations. */
export function callDirect(ctx: EvalContext, call: CallTerm, args: Value[]): Value | undefined {
  return callTarget(ctx, calleeOf(ctx, call), call, args);
}

/**
 * What a call runs: the `with` mock of its function when one is in scope (a replacement
 * function, or a constant result), else the call's own target.
 */
function calleeOf(ctx: EvalContext, call: CallTerm): Mock {
  return ctx.mocks?.get(call.mockKey) ?? call.fn;
}

/** Runs the callee (the call's target or its mock); errors name the call's location. */
function callTarget(ctx: EvalContext, fn: Mock, call: CallTerm, args: Value[]): Value | undefined {
  switch (fn.kind) {
    case 'user':
      return callFunction(ctx, fn.ruleSet, args);
    case 'builtin':
      try {
        return fn.def.implementation(args, ctx.shared.builtinContext);
      } catch (error) {
        return builtinFailed(ctx, fn.def, call, error);
      }
    case 'native':
      return callNative(fn.name, args, call);
    case 'constant':
      return fn.value;
    case 'replacement': {
      const scope = ctx.derive(ctx.input, ctx.data, ctx.overrides, fn.outer);
      return callFunction(scope, fn.target.ruleSet, args);
    }
  }
}

/**
 * A builtin threw: engine errors and stack overflows go on, other errors make the call
 * undefined, or in strict mode end the query naming the call.
 */
export function builtinFailed(
  ctx: EvalContext,
  def: BuiltinDefinition,
  call: CallTerm,
  error: unknown,
): undefined {
  if (error instanceof RegoError) throw error;
  if (error instanceof RangeError && /call stack/i.test(error.message)) throw error;
  if (!ctx.shared.strict) return undefined;
  const message = error instanceof Error ? error.message : String(error);
  throw new RegoEvalError(
    error instanceof BuiltinTypeError ? 'eval_type_error' : 'eval_builtin_error',
    message.startsWith(`${def.name}:`) ? message : `${def.name}: ${message}`,
    call.loc,
  );
}

function callNative(name: string, args: Value[], call: CallTerm): Value | undefined {
  switch (name) {
    case 'internal.member_2': {
      const [x, coll] = args as [Value, Value];
      if (coll.kind === 'set') return bool(lookup(coll, x) !== undefined);
      return bool(iterate(coll, (_, v) => equal(v, x)));
    }
    case 'internal.member_3': {
      const [key, x, coll] = args as [Value, Value, Value];
      if (coll.kind === 'set') return bool(false);
      const v = lookup(coll, key);
      return bool(v !== undefined && equal(v, x));
    }
    case 'trace':
      return TRUE;
    default:
      throw new RegoEvalError('rego_type_error', `${call.name} cannot be called here`, call.loc);
  }
}

/** `walk(x)`: every [path, value] pair of x, x itself first. */
function walkValue(value: Value, path: Value[], k: ValueK): boolean {
  if (k(arr([arr(path), value]))) return true;
  return iterate(value, (key, child) => walkValue(child, [...path, key], k));
}

/**
 * `print(…)`: one line prefixed with the call's `file:line: `, as OPA's print hook writes it;
 * undefined operands print as `<undefined>`; the call itself always succeeds.
 */
function evalPrint(ctx: EvalContext, frame: Frame, call: CallTerm, k: ValueK): boolean {
  const operands = call.args.map((arg) => {
    let operand: Value | undefined;
    try {
      evalTerm(ctx, frame, arg, (v) => {
        operand = v;
        return true;
      });
    } catch (error) {
      // An operand whose builtin fails prints as undefined, as in OPA.
      if (!(error instanceof RegoEvalError) || !error.code.startsWith('eval_')) throw error;
      if (error.code === 'eval_conflict_error' || error.code === 'eval_budget_exceeded')
        throw error;
    }
    return operand;
  });
  ctx.shared.builtinContext.print(
    `${call.loc.file}:${call.loc.line}: ${formatPrintLine(operands)}`,
  );
  return k(TRUE);
}
