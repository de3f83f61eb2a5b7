import { describe, expect, it } from 'vitest';
import { RegoCompileError, RegoEvalError } from '../src/index.js';
import { engineFor, evalIn } from './evaluator-harness.js';

describe('evaluator: rules', () => {
  it('gives a complete rule its value when the body holds, and undefined otherwise', () => {
    expect(evalIn('x := 7 if input.a', 'x', { a: true })).toBe(7);
    expect(evalIn('x := 7 if input.a', 'x', { a: false })).toBeUndefined();
  });

  it('falls back to the default value', () => {
    expect(evalIn('default x := "no"\nx := "yes" if input.a', 'x', {})).toBe('no');
  });

  it('takes the first else branch whose body holds', () => {
    const body = 'x := 1 if input.n == 1\nelse := 2 if input.n == 2\nelse := 3';
    expect([1, 2, 5].map((n) => evalIn(body, 'x', { n }))).toEqual([1, 2, 3]);
  });

  it('moves to the else branch when the value is undefined', () => {
    expect(evalIn('x := input.missing if true\nelse := 2', 'x', {})).toBe(2);
  });

  it('accepts several definitions that agree and rejects ones that conflict', () => {
    expect(evalIn('x := 1 if true\nx := 1 if true', 'x')).toBe(1);
    expect(() => evalIn('x := 1 if true\nx := 2 if true', 'x')).toThrowError(RegoEvalError);
  });

  it('collects partial set rules into a set', () => {
    expect(
      evalIn('s contains x if { some x in input }\ns contains "z"', 's', ['b', 'a', 'b']),
    ).toEqual(['a', 'b', 'z']);
  });

  it('builds objects from rules whose ref ends in variables', () => {
    expect(evalIn('o[k] := v if { some k, v in input }', 'o', { a: 1, b: 2 })).toEqual({
      a: 1,
      b: 2,
    });
    expect(evalIn('o[a][b] := 1 if { some a in ["x"]; some b in ["y", "z"] }', 'o')).toEqual({
      x: { y: 1, z: 1 },
    });
  });

  it('raises a conflict when an object rule gives one key two values', () => {
    expect(() => evalIn('o[k] := v if { some v in [1, 2]; k := "a" }', 'o')).toThrowError(
      /object keys must be unique/,
    );
  });

  it('nests rules under data by their ref heads and merges them with base data', () => {
    const engine = engineFor({
      modules: ['package a.b\nc.d := 1\nc.e := 2', 'package a\nf := 3'],
      data: { a: { base: true, b: { c: { g: 4 } } } },
    });
    expect(engine.evalRule('data.a')).toEqual({ base: true, b: { c: { d: 1, e: 2, g: 4 } }, f: 3 });
  });

  it('evaluates functions with several definitions and argument patterns', () => {
    const body =
      'f(1) := "one"\nf(x) := "big" if { is_number(x); x > 10 }\nf([a, b]) := a + b\nr := [f(1), f(11), f([2, 3])]';
    expect(evalIn(body, 'r')).toEqual(['one', 'big', 5]);
  });

  it('makes a function call undefined when no definition applies, or uses its default', () => {
    expect(evalIn('f(x) := 1 if x == 1\nr := f(2)', 'r')).toBeUndefined();
    expect(evalIn('default f(_) := 0\nf(x) := 1 if x == 1\nr := f(2)', 'r')).toBe(0);
  });

  it('rejects functions that give two outputs for the same input', () => {
    expect(() => evalIn('f(_) := 1\nf(_) := 2\nr := f(0)', 'r')).toThrowError(/multiple outputs/);
  });

  it('rejects recursion through rules and functions at compile time', () => {
    expect(() => evalIn('f(x) := g(x)\ng(x) := f(x)\nr := f(1)', 'r')).toThrowError(
      RegoCompileError,
    );
    expect(() => evalIn('p if q\nq if p', 'p')).toThrowError(/recursive/);
  });

  it('checks the arity of calls and names unknown functions', () => {
    expect(() => evalIn('r := count(1, 2, 3)', 'r')).toThrowError(/count takes 1 argument/);
    expect(() => evalIn('r := foo.bar(1)', 'r')).toThrowError(/undefined function foo\.bar/);
  });

  it('rejects two imports under the same name', () => {
    expect(() => evalIn('import data.a.x\nimport data.b.x\nr := 1', 'r')).toThrowError(
      /shadows an earlier import/,
    );
  });

  it('reads the same rule in v0 syntax when asked to', () => {
    const engine = engineFor({
      regoVersion: 'v0',
      modules: ['package t\ns[x] { x := input[_] }\np = 1 { true }'],
    });
    expect(engine.evalRule('data.t', { input: [1, 2] })).toEqual({ s: [1, 2], p: 1 });
  });
});
