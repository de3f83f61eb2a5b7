import { describe, expect, it } from 'vitest';
import { bindings, engineFor, evalIn } from './evaluator-harness.js';

describe('evaluator: documents and refs', () => {
  it('looks up members of partial sets and keys of partial objects by ref', () => {
    const body = 's contains x if some x in ["a", "b"]\no[k] := 1 if some k in ["x"]';
    expect(evalIn(body, 's["a"]')).toBe('a');
    expect(evalIn(body, 's["z"]')).toBeUndefined();
    expect(evalIn(body, 'o.x')).toBe(1);
    expect(evalIn(body, 'o.y')).toBeUndefined();
  });

  it('follows refs into the value of a complete rule', () => {
    expect(evalIn('cfg := {"limits": {"max": 3}}\nm := cfg.limits.max', 'm')).toBe(3);
  });

  it('reads rules of other packages through data and through imports', () => {
    const engine = engineFor({
      modules: [
        'package lib.util\ndouble(x) := x * 2\nlimit := 10',
        'package app\nimport data.lib.util\nimport data.lib.util.limit as max\nr := [util.double(2), data.lib.util.limit, max]',
      ],
    });
    expect(engine.evalRule('data.app.r')).toEqual([4, 10, 10]);
  });

  it('gives an empty set for a partial set rule whose bodies never hold', () => {
    expect(evalIn('deny contains "x" if input.bad\nok if count(deny) == 0', 'ok', {})).toBe(true);
  });

  it('keeps keys with dots as one key in ref heads and lookups', () => {
    expect(evalIn('p["a.b"] := 1', 'p')).toEqual({ 'a.b': 1 });
  });

  it('outputs objects with non-string keys with their keys as JSON text', () => {
    expect(evalIn('o := {1: "one", [2]: "two"}', 'o')).toEqual({ '1': 'one', '[2]': 'two' });
  });

  it('binds variables of refs into input in query results', () => {
    expect(
      bindings('', 'name := input.users[_].name', { users: [{ name: 'a' }, { name: 'b' }] }),
    ).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it('declares variables with some and iterates through them', () => {
    expect(evalIn('r contains i if { some i; input[i] == 2 }', 'r', [2, 1, 2])).toEqual([0, 2]);
  });

  it('unifies object patterns with input', () => {
    expect(evalIn('r := x if { {"a": x, "b": 2} = input }', 'r', { a: 1, b: 2 })).toBe(1);
    expect(evalIn('r := x if { {"a": x} = input }', 'r', { a: 1, b: 2 })).toBeUndefined();
  });

  it('chains else on functions and negates undefined calls', () => {
    const body =
      'sign(x) := "pos" if x > 0\nelse := "zero" if x == 0\nelse := "neg"\nr := [sign(3), sign(0), sign(-1)]\nn if not sign("a")';
    expect(evalIn(body, 'r')).toEqual(['pos', 'zero', 'neg']);
    expect(evalIn(body, 'n')).toBeUndefined();
  });

  it('iterates keys and values with every over objects', () => {
    expect(evalIn('r if every k, v in input { startswith(v, k) }', 'r', { a: 'ab', b: 'bc' })).toBe(
      true,
    );
    expect(
      evalIn('r if every k, v in input { startswith(v, k) }', 'r', { a: 'xb' }),
    ).toBeUndefined();
  });

  it('treats null and false in input as values, not as undefined', () => {
    expect(evalIn('r if input.x == null', 'r', { x: null })).toBe(true);
    expect(evalIn('r if input.x == false', 'r', { x: false })).toBe(true);
    expect(evalIn('r if input.x', 'r', { x: null })).toBe(true);
  });

  it('prints values in Rego syntax and continues the body', () => {
    const engine = engineFor({
      modules: ['package t\nr if { print("v:", {"a": [1, {2}]}, set()); true }'],
    });
    const out = engine.evalQuery('data.t.r');
    expect(out.prints).toEqual(['m0.rego:2: v: {"a": [1, {2}]} set()']);
    expect(out.results[0]?.expressions[0]?.value).toBe(true);
  });

  it('shows the objects above a function with a ref head as empty, and not the function', () => {
    const engine = engineFor({
      modules: [
        'package t\nfoo["bar"](x) := x + 1\ny := foo.bar(2)\ndefault p.q.f(_) := 100\ndefault g(_) := 1',
      ],
    });
    expect(engine.evalRule('data.t')).toEqual({ foo: {}, y: 3, p: { q: {} } });
    expect(engine.evalQuery('x := data.t.p.q.f(3)').results[0]?.bindings).toEqual({ x: 100 });
  });

  it('merges what a rule with variables in its ref defines with rules defining keys beside it', () => {
    const body = 'a.b.c := 1\ny := a.b\na.b.d := 2\na[p][q] := 3 if {\n  p := "b"\n  q := "e"\n}';
    expect(evalIn(body, 'a')).toEqual({ b: { c: 1, d: 2, e: 3 } });
    expect(evalIn(body, 'y')).toEqual({ c: 1, d: 2, e: 3 });
  });

  it('reads a base document key "2" through data.nested[2], as OPA reads base data by path', () => {
    const engine = engineFor({
      modules: [
        'package t\np := data.nested.x[2]\nq := data.list[1]\nr := o[2] if o := data.nested.x',
      ],
      data: { nested: { x: { '2': 'bar' } }, list: ['a', 'b'] },
    });
    expect(engine.evalRule('data.t.p')).toBe('bar');
    expect(engine.evalRule('data.t.q')).toBe('b');
    expect(engine.evalRule('data.t.r')).toBeUndefined();
  });
});
