import { describe, expect, it } from 'vitest';
import { engineFor, evalIn } from './evaluator-harness.js';

describe('evaluator: with', () => {
  it('replaces input or part of it for one expression', () => {
    const body =
      'p := input.x\nr := [a, b] if { a := p with input.x as 1; b := p with input as {"x": 2} }';
    expect(evalIn(body, 'r', { x: 0 })).toEqual([1, 2]);
  });

  it('replaces base data and rules under data', () => {
    const engine = engineFor({
      modules: [
        'package t\nq := 1\np := q + data.d.v\nr := x if x := p with data.t.q as 10 with data.d.v as 5',
      ],
      data: { d: { v: 1 } },
    });
    expect(engine.evalRule('data.t.r')).toBe(15);
    expect(engine.evalRule('data.t.p')).toBe(2);
  });

  it('mocks functions and builtins with values or other functions', () => {
    const body = `f(x) := x + 1
g(x) := x * 100
r := [a, b, c] if {
  a := f(1) with f as g
  b := count([1, 2]) with count as 42
  c := f(1) with f as 7
}`;
    expect(evalIn(body, 'r')).toEqual([100, 42, 7]);
  });

  it('does not leak a replacement into later expressions', () => {
    expect(evalIn('p := input.x\nr := [a, p] if a := p with input.x as 1', 'r', { x: 0 })).toEqual([
      1, 0,
    ]);
  });

  it('runs a replacement function with the replacements of outer scopes only, so it may call the original', () => {
    expect(evalIn('f(_) := 2\ng(x) := f(x) + 1\nr := y if y := f(1) with f as g', 'r')).toBe(3);
    const nested = `f1(x) := object.union_n(x)
f2(x) := count(x)
f3(x) := array.reverse(x)
f(x) := f1(x)
g(x) := 123 if {
  f2(x) == 2
  s with f3 as h
}
h(_) := ["replaced"]
p if q with f1 as f
q if r with f2 as g
r if {
  x := [{"foo": 4}, {"baz": 5}]
  f2(x) == 123
  f1(x) == {"foo": 4, "baz": 5}
}
s if f3([{}]) == ["replaced"]`;
    expect(evalIn(nested, 'p')).toBe(true);
  });
});
