import { describe, expect, it } from 'vitest';
import { RegoCompileError, RegoEngine, RegoEvalError, RegoParseError } from '../src/index.js';

const POLICY = `package test

default allow := false

allow if input.user == "alice"

deny contains msg if {
  some item in input.items
  item > 2
  msg := sprintf("item %v too large", [item])
}
`;

describe('RegoEngine', () => {
  it('evaluates a rule with input and falls back to its default', () => {
    const engine = new RegoEngine();
    engine.addModule('policy.rego', POLICY);
    expect(engine.evalRule('data.test.allow', { input: { user: 'alice' } })).toBe(true);
    expect(engine.evalRule('data.test.allow', { input: { user: 'bob' } })).toBe(false);
  });

  it('returns every result of a query with its bindings and expression values', () => {
    const engine = new RegoEngine();
    engine.addModule('policy.rego', POLICY);
    const out = engine.evalQuery('x := data.test.deny[_]', { input: { items: [1, 3, 4] } });
    expect(out.results.map((r) => r.bindings.x).sort()).toEqual([
      'item 3 too large',
      'item 4 too large',
    ]);
    expect(out.results[0]?.expressions[0]).toEqual({ value: true, text: 'x := data.test.deny[_]' });
  });

  it('returns undefined for a rule that does not hold', () => {
    const engine = new RegoEngine();
    engine.addModule('p.rego', 'package p\nq if input.x == 1');
    expect(engine.evalRule('data.p.q', { input: { x: 2 } })).toBeUndefined();
  });

  it('reports a syntax error with file, line, column and what was expected', () => {
    const engine = new RegoEngine();
    let error: unknown;
    try {
      engine.addModule('bad.rego', 'package p\n\nallow if {\n  input.x ==\n}\n');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RegoParseError);
    const parseError = error as RegoParseError;
    expect(parseError.file).toBe('bad.rego');
    expect(parseError.line).toBe(5);
    expect(parseError.column).toBe(1);
    expect(parseError.message).toMatch(/^bad\.rego:5:1: unexpected '}', expected term/);
    expect(parseError.code).toBe('rego_parse_error');
  });

  it('rejects an unknown function at compile time, naming it', () => {
    const engine = new RegoEngine();
    expect(() => engine.addModule('p.rego', 'package p\nx := nosuch.fn(1)')).toThrowError(
      /undefined function nosuch\.fn/,
    );
  });

  it('rejects recursive rules with a recursion error', () => {
    const engine = new RegoEngine();
    try {
      engine.addModule('p.rego', 'package p\na := b\nb := a');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RegoCompileError);
      expect((e as RegoCompileError).code).toBe('rego_recursion_error');
    }
  });

  it('raises eval_conflict_error when a complete rule has two values', () => {
    const engine = new RegoEngine();
    engine.addModule('p.rego', 'package p\nx := 1 if input.a\nx := 2 if input.b');
    expect(engine.evalRule('data.p.x', { input: { a: true } })).toBe(1);
    try {
      engine.evalRule('data.p.x', { input: { a: true, b: true } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RegoEvalError);
      expect((e as RegoEvalError).code).toBe('eval_conflict_error');
    }
  });

  it('ends a runaway query with eval_budget_exceeded', () => {
    const engine = new RegoEngine({ maxSteps: 10_000 });
    engine.addModule(
      'p.rego',
      'package p\nn := count([x | some a in numbers.range(1, 200); some b in numbers.range(1, 200); x := a * b])',
    );
    try {
      engine.evalRule('data.p.n');
      expect.unreachable();
    } catch (e) {
      expect((e as RegoEvalError).code).toBe('eval_budget_exceeded');
    }
  });

  it('merges base data with rules under data', () => {
    const engine = new RegoEngine();
    engine.setData({ test: { base: 1 } });
    engine.addModule('p.rego', 'package test\nvirtual := data.test.base + 1');
    expect(engine.evalRule('data.test')).toEqual({ base: 1, virtual: 2 });
  });

  it('refuses a rule and base data defining the same path, in either order, as OPA does', () => {
    const conflict = /p\.rego:2:1: conflicting rule for data path test\/rule1 found/;
    const dataFirst = new RegoEngine();
    dataFirst.setData({ test: { rule1: 0 } });
    expect(() => dataFirst.addModule('p.rego', 'package test\nrule1 := 6')).toThrow(conflict);
    const rulesFirst = new RegoEngine();
    rulesFirst.addModule('p.rego', 'package test\nrule1 := 6');
    expect(() => rulesFirst.setData({ test: { rule1: 0 } })).toThrow(conflict);
    expect(() => rulesFirst.setData({ test: 'not an object' })).toThrow(
      /conflicting rule for data path test\/rule1/,
    );
    expect(rulesFirst.evalRule('data.test.rule1')).toBe(6);
    rulesFirst.setData({ test: { other: 1 } });
    expect(rulesFirst.evalRule('data.test')).toEqual({ other: 1, rule1: 6 });
  });

  it('collects print output, each line prefixed with the file and line of its call', () => {
    const engine = new RegoEngine();
    engine.addModule('p.rego', 'package p\nx if { print("hello", 1, input.missing) }');
    const out = engine.evalQuery('data.p.x', { input: {} });
    expect(out.prints).toEqual(['p.rego:2: hello 1 <undefined>']);
  });

  it('ends a query over its time budget with eval_budget_exceeded', () => {
    const engine = new RegoEngine({ timeoutMs: 20, maxSteps: Number.MAX_SAFE_INTEGER });
    engine.addModule(
      'p.rego',
      'package p\nn := count([x | some a in numbers.range(1, 3000); some b in numbers.range(1, 3000); x := a * b])',
    );
    expect(() => engine.evalRule('data.p.n')).toThrowError(/time budget/);
  });

  it('turns input nested too deeply for the stack into an error, not a crash', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const engine = new RegoEngine();
    try {
      engine.evalQuery('x := input', { input: deep });
      expect.unreachable();
    } catch (e) {
      expect((e as RegoEvalError).code).toBe('eval_budget_exceeded');
    }
  });

  it('turns source nested too deeply into a parse error', () => {
    const engine = new RegoEngine();
    const source = `package p\nx := ${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    try {
      engine.addModule('deep.rego', source);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RegoParseError);
      expect((e as RegoParseError).code).toBe('rego_parse_error');
      expect((e as RegoParseError).file).toBe('deep.rego');
    }
  });

  it('compiles once and evaluates many inputs, keeping modules after a failed addModule', () => {
    const engine = new RegoEngine();
    engine.addModule('p.rego', 'package p\ndouble := input * 2');
    expect(() => engine.addModule('q.rego', 'package q\nx := nosuch(1)')).toThrowError();
    expect([1, 2, 3].map((n) => engine.evalRule('data.p.double', { input: n }))).toEqual([2, 4, 6]);
  });

  it('accepts v0 modules when asked, and v1 modules that import rego.v1 in v0 mode', () => {
    const engine = new RegoEngine({ regoVersion: 'v0' });
    engine.addModule(
      'a.rego',
      'package a\nallow { input.x == 1 }\nnames[n] { n := input.names[_] }',
    );
    engine.addModule('b.rego', 'package b\nimport rego.v1\nallow if input.x == 1');
    expect(engine.evalRule('data.a', { input: { x: 1, names: ['n'] } })).toEqual({
      allow: true,
      names: ['n'],
    });
    expect(engine.evalRule('data.b.allow', { input: { x: 1 } })).toBe(true);
  });

  it('makes a builtin error undefined by default and an error in strict mode', () => {
    const lenient = new RegoEngine();
    lenient.addModule('p.rego', 'package p\nx := 1 / 0');
    expect(lenient.evalRule('data.p.x')).toBeUndefined();
    const strict = new RegoEngine({ strictBuiltinErrors: true });
    strict.addModule('p.rego', 'package p\nx := 1 / 0');
    try {
      strict.evalRule('data.p.x');
      expect.unreachable();
    } catch (e) {
      expect((e as RegoEvalError).code).toBe('eval_builtin_error');
    }
  });

  it('reports operand type errors as eval_type_error in strict mode', () => {
    const engine = new RegoEngine({ strictBuiltinErrors: true });
    engine.addModule('p.rego', 'package p\nx := input.a + 1');
    try {
      engine.evalRule('data.p.x', { input: { a: 's' } });
      expect.unreachable();
    } catch (e) {
      expect((e as RegoEvalError).code).toBe('eval_type_error');
    }
    expect(engine.evalRule('data.p.x', { input: { a: 's' }, strict: false })).toBeUndefined();
  });

  it('reports expression values of a query, a lone false included', () => {
    const engine = new RegoEngine();
    expect(engine.evalQuery('1 == 2').results).toEqual([
      { bindings: {}, expressions: [{ value: false, text: '1 == 2' }] },
    ]);
    expect(engine.evalQuery('1 == 2; true').results).toEqual([]);
  });

  it('counts iteration over a collection against the step budget', () => {
    const engine = new RegoEngine({ maxSteps: 1000 });
    engine.addModule('p.rego', 'package p\nxs := [x | some x in input]');
    expect(engine.evalRule('data.p.xs', { input: [1, 2, 3] })).toEqual([1, 2, 3]);
    const big = Array.from({ length: 5000 }, (_, i) => i);
    expect(() => engine.evalRule('data.p.xs', { input: big })).toThrowError(/budget/);
  });
});
