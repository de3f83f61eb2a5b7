import { describe, expect, it } from 'vitest';
import { RegoEngine, RegoEvalError } from '../src/index.js';

/** The error a query raises, with strict builtin errors, on the quick or the general path. */
function errorOf(
  source: string,
  query: string,
  input: unknown,
  quickPath: boolean,
): RegoEvalError | undefined {
  const engine = new RegoEngine({ strictBuiltinErrors: true, quickPath });
  engine.addModule('policy.rego', source);
  try {
    engine.evalRule(query, { input });
  } catch (error) {
    if (error instanceof RegoEvalError) return error;
    throw error;
  }
  return undefined;
}

const cases = [
  {
    note: 'a complete rule with two values names the rule that produced the second',
    source: 'package p\n\nx := 1 if input.a\nx := 2 if input.b',
    query: 'data.p.x',
    input: { a: true, b: true },
    message:
      'policy.rego:4:1: eval_conflict_error: complete rules must not produce multiple outputs (data.p.x)',
  },
  {
    note: 'a function with two outputs for one input names the second definition',
    source: 'package p\n\nf(_) := 1\nf(_) := 2\nr := f(0)',
    query: 'data.p.r',
    input: undefined,
    message:
      'policy.rego:4:1: eval_conflict_error: functions must not produce multiple outputs for same inputs (data.p.f)',
  },
  {
    note: 'an object rule with two values for one key names the second rule',
    source: 'package p\n\no[k] := 1 if k := "a"\no[k] := 2 if k := "a"',
    query: 'data.p.o',
    input: undefined,
    message: 'policy.rego:4:1: eval_conflict_error: object keys must be unique (data.p.o)',
  },
  {
    note: 'an object comprehension with two values for one key names the comprehension',
    source: 'package p\n\nr := {k: v | some v in [1, 2]; k := "a"}',
    query: 'data.p.r',
    input: undefined,
    message: 'policy.rego:3:6: eval_conflict_error: object keys must be unique',
  },
  {
    note: 'an operand of the wrong type names the expression',
    source: 'package p\n\nr := input.a + 1',
    query: 'data.p.r',
    input: { a: 's' },
    message: 'policy.rego:3:6: eval_type_error: plus: operand 1 must be number but got string',
  },
  {
    note: 'a failing builtin names its call',
    source: 'package p\n\nr if {\n  x := 1 / input.z\n  x > 0\n}',
    query: 'data.p.r',
    input: { z: 0 },
    message: 'policy.rego:4:8: eval_builtin_error: div: divide by zero',
  },
];

describe.each([
  { path: 'quick', quickPath: true },
  { path: 'general', quickPath: false },
])('evaluation errors on the $path path', ({ quickPath }) => {
  it.each(cases)('$note', ({ source, query, input, message }) => {
    const error = errorOf(source, query, input, quickPath);
    expect(error?.message).toBe(message);
    const [file, line, column] = message.split(':');
    expect([error?.file, error?.line, error?.column]).toEqual([file, Number(line), Number(column)]);
  });
});

describe('evaluation errors', () => {
  it('name no location when the budget stops a query, wherever it was', () => {
    const engine = new RegoEngine({ maxSteps: 1000 });
    engine.addModule(
      'policy.rego',
      'package p\n\nn := count([x | some x in numbers.range(1, 5000)])',
    );
    try {
      engine.evalRule('data.p.n');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RegoEvalError);
      expect((error as RegoEvalError).message).toBe('evaluation exceeded its budget of 1000 steps');
      expect((error as RegoEvalError).file).toBeUndefined();
    }
  });

  it('name the query when a call in the query itself fails', () => {
    const engine = new RegoEngine({ strictBuiltinErrors: true });
    expect(() => engine.evalQuery('x := 1\ny := x / 0')).toThrowError(
      /^query:2:6: eval_builtin_error: div: divide by zero$/,
    );
  });
});
