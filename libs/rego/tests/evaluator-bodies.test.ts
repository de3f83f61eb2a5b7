import { describe, expect, it } from 'vitest';
import { RegoCompileError } from '../src/index.js';
import { bindings, evalIn } from './evaluator-harness.js';

describe('evaluator: bodies and expressions', () => {
  it('unifies patterns on both sides of =', () => {
    expect(bindings('', '[a, {"k": b}] = [1, {"k": 2}]')).toEqual([{ a: 1, b: 2 }]);
    expect(bindings('', '[1, x] = [y, 2]')).toEqual([{ x: 2, y: 1 }]);
  });

  it('fails a unification of different values', () => {
    expect(bindings('', '[a, 2] = [1, 3]')).toEqual([]);
  });

  it('assigns with := and rejects assigning the same variable twice', () => {
    expect(evalIn('r := y if { x := 2; y := x * 3 }', 'r')).toBe(6);
    expect(() => evalIn('r if { x := 1; x := 2 }', 'r')).toThrowError(RegoCompileError);
  });

  it('iterates over arrays, objects and sets through refs with variables', () => {
    expect(bindings('', 'x := [10, 20][i]')).toEqual([
      { x: 10, i: 0 },
      { x: 20, i: 1 },
    ]);
    expect(bindings('', 'v := {"b": 2, "a": 1}[k]')).toEqual([
      { v: 1, k: 'a' },
      { v: 2, k: 'b' },
    ]);
    expect(bindings('', '{3, 1}[x]')).toEqual([{ x: 1 }, { x: 3 }]);
  });

  it('iterates over rules under data with a variable', () => {
    expect(bindings('a := 1\nb := 2', 'data.t[name] = 2')).toEqual([{ name: 'b' }]);
  });

  it('binds keys and values with some … in', () => {
    expect(evalIn('r := [[k, v] | some k, v in ["a", "b"]]', 'r')).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
    expect(evalIn('r := [x | some x in {"k": "v"}]', 'r')).toEqual(['v']);
  });

  it('tests membership with in, on values and keys', () => {
    expect(evalIn('r := [2 in [1, 2], 3 in {1}]', 'r')).toEqual([true, false]);
    expect(evalIn('r if "k", "v" in {"k": "v"}', 'r')).toBe(true);
    expect(evalIn('r if 0, "a" in ["a"]', 'r')).toBe(true);
    expect(evalIn('r := b if b := 1, "x" in ["a"]', 'r')).toBe(false);
  });

  it('holds every only when the body holds for each element', () => {
    expect(evalIn('r if every x in input { x > 0 }', 'r', [1, 2])).toBe(true);
    expect(evalIn('r if every x in input { x > 0 }', 'r', [1, -2])).toBeUndefined();
    expect(evalIn('r if every x in input { x > 0 }', 'r', [])).toBe(true);
  });

  it('negates with not, which holds when its expression is undefined or false', () => {
    expect(evalIn('r if not input.x', 'r', {})).toBe(true);
    expect(evalIn('r if not input.x', 'r', { x: false })).toBe(true);
    expect(evalIn('r if not input.x', 'r', { x: 1 })).toBeUndefined();
  });

  it('fails a body on a false expression and on an undefined one', () => {
    expect(evalIn('r if { input.a; 1 > 2 }', 'r', { a: 1 })).toBeUndefined();
    expect(evalIn('r if input.nothing.here', 'r', {})).toBeUndefined();
  });

  it('builds array, set and object comprehensions that see outer variables', () => {
    const body =
      'r := {"a": [x * n | some x in [1, 2]], "s": {x | some x in [1, 1, 2]}, "o": {k: n | some k in ["p"]}} if n := 10';
    expect(evalIn(body, 'r')).toEqual({ a: [10, 20], s: [1, 2], o: { p: 10 } });
  });

  it('applies arithmetic and set operators', () => {
    expect(
      evalIn('r := [7 - 2 * 3, 7 % 3, {1, 2} | {3}, {1, 2} & {2}, {1, 2} - {1}]', 'r'),
    ).toEqual([1, 1, [1, 2, 3], [2], [2]]);
  });

  it("compares values of different types by OPA's order", () => {
    expect(evalIn('r := [null < false, 1 < "a", [1] < {"a": 1}, 1 == 1.0]', 'r')).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it('reorders literals so that variables are bound before use', () => {
    expect(evalIn('r := y if { y = x + 1; x = 2 }', 'r')).toBe(3);
    expect(() => evalIn('r := y if { y := x + 1; x := 2 }', 'r')).toThrowError(
      /used before definition/,
    );
  });

  it('reports a variable nothing binds as unsafe', () => {
    expect(() => evalIn('r if { x > 1 }', 'r')).toThrowError(/var x is unsafe/);
  });

  it('keeps integers beyond 2^53 exact', () => {
    expect(evalIn('r := 9007199254740993 + 0', 'r')).toBe(9007199254740993n);
  });

  it('keeps a comprehension variable local when the enclosing body declares the name only later', () => {
    const body = `xs := {"a", "b", "c"}
p := x if {
  y := {x | xs[x]}
  z := [x | some x in xs]
  count(y) == count(z)
  x := count(y)
}
q := [x, ys] if {
  x := 1
  ys := [y | some y in [1, 2]; y > x]
}`;
    expect(evalIn(body, 'p')).toBe(3);
    expect(evalIn(body, 'q')).toEqual([1, [2]]);
  });

  it('binds variables inside a composite ref key by unifying it with each key', () => {
    const body = 'pairs := {[1, "a"], [1, "b"], [2, "c"]}\nr := {x | pairs[[1, x]]}';
    expect(evalIn(body, 'r')).toEqual(['a', 'b']);
  });

  it('unifies objects with the same keys value by value, a variable on both sides bound once', () => {
    const body = `r := [x, a] if {
  b := 1
  {"bar": [x], "foo": a} = {"foo": x, "bar": [b]}
}`;
    expect(evalIn(body, 'r')).toEqual([1, 1]);
  });

  it('evaluates a ref that binds a variable before the call that also reads it', () => {
    const body = 'r contains foo if {\n  some foo\n  foo == input.foos[foo]\n}';
    expect(evalIn(body, 'r', { foos: { a: 'a', b: 'c' } })).toEqual(['a']);
    expect(evalIn(body, 'r', { foos: ['x'] })).toEqual([]);
  });

  it('treats 1.0 as 1 in comparisons and arithmetic, but not as a json.patch index, as OPA does', () => {
    const body = `eq := [1.0 == 1, {1.0, 1}, 10.00 + 5]
by_int := json.patch(["a", "b"], [{"op": "remove", "path": [1]}])
by_float := json.patch(["a", "b"], [{"op": "remove", "path": [1.0]}])`;
    expect(evalIn(body, 'eq')).toEqual([true, [1], 15]);
    expect(evalIn(body, 'by_int')).toEqual(['a']);
    expect(evalIn(body, 'by_float')).toBeUndefined();
  });
});
