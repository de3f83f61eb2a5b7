/** Calls builtins straight from the registry, with a test context, for the builtins-*.test.ts files. */
import { BUILTINS, type BuiltinContext } from '../src/builtins/index.js';
import type { Value } from '../src/value/index.js';
import { fromJs, toJs } from '../src/value/index.js';

export const NOW_NS = 1_703_444_325_734_390_000n;

export function testContext(overrides: Partial<BuiltinContext> = {}): BuiltinContext {
  return { strict: true, nowNs: NOW_NS, print: () => {}, cache: new Map(), ...overrides };
}

function isValue(x: unknown): x is Value {
  return (
    typeof x === 'object' &&
    x !== null &&
    'kind' in x &&
    typeof (x as { kind: unknown }).kind === 'string'
  );
}

/** Calls a builtin with JavaScript (or Value) operands; returns the Value or undefined. */
export function callValue(
  name: string,
  args: readonly unknown[],
  context = testContext(),
): Value | undefined {
  const definition = BUILTINS.get(name);
  if (definition === undefined) throw new Error(`no builtin ${name}`);
  if (definition.arity !== args.length)
    throw new Error(`${name} takes ${definition.arity} operands`);
  return definition.implementation(
    args.map((a) => (isValue(a) ? a : fromJs(a))),
    context,
  );
}

/** Calls a builtin and converts the result to JavaScript (sets become sorted arrays). */
export function call(name: string, ...args: unknown[]): unknown {
  const result = callValue(name, args);
  return result === undefined ? undefined : toJs(result);
}

/** The message of the error a call raises; fails when the call succeeds. */
export function callError(name: string, ...args: unknown[]): string {
  try {
    callValue(name, args);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error(`${name} did not fail`);
}
