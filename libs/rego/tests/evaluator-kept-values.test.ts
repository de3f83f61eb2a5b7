import { describe, expect, it } from 'vitest';
import { RegoEngine } from '../src/index.js';

// Rules that read no input are computed once per engine and kept across evaluations
// (compiler/input-free-rules.ts, engine/kept-rule-values.ts): these pin down when a kept
// value must not be used.

const TABLE = `package p

table := {name: upper(name) | some name in data.names}

limit := data.limit * 2

answer := [table, limit, input.x]
`;

function engineWith(source: string, data: unknown = {}): RegoEngine {
  const engine = new RegoEngine();
  engine.addModule('p.rego', source);
  engine.setData(data);
  return engine;
}

describe('rule values kept across evaluations', () => {
  it('gives the same answers over many evaluations with different inputs', () => {
    const engine = engineWith(TABLE, { names: ['a', 'b'], limit: 5 });
    for (const x of [1, 2, 3]) {
      expect(engine.evalRule('data.p.answer', { input: { x } })).toEqual([
        { a: 'A', b: 'B' },
        10,
        x,
      ]);
    }
  });

  it('recomputes them when the data or the modules change', () => {
    const engine = engineWith(TABLE, { names: ['a'], limit: 1 });
    expect(engine.evalRule('data.p.limit')).toBe(2);
    engine.setData({ names: ['a'], limit: 7 });
    expect(engine.evalRule('data.p.limit')).toBe(14);
    engine.addModule('p.rego', TABLE.replace('data.limit * 2', 'data.limit * 3'));
    expect(engine.evalRule('data.p.limit')).toBe(21);
  });

  it('does not use or keep them under `with`, which may change what they read', () => {
    const engine = engineWith(TABLE, { names: ['a'], limit: 1 });
    expect(engine.evalRule('data.p.limit')).toBe(2);
    expect(engine.evalRule('data.p.table')).toEqual({ a: 'A' });
    expect(engine.evalQuery('x := data.p.limit with data.limit as 50').results[0]?.bindings.x).toBe(
      100,
    );
    expect(
      engine.evalQuery('x := data.p.table with upper as lower').results[0]?.bindings.x,
    ).toEqual({ a: 'a' });
    expect(engine.evalRule('data.p.limit')).toBe(2);
    expect(engine.evalRule('data.p.table')).toEqual({ a: 'A' });
  });

  it('does not keep a rule that reads the clock, prints, or holds a `with`', () => {
    const engine = engineWith(`package p

now := time.now_ns()

printed if print("hello")

mocked := x if x := lower("A") with lower as upper
`);
    expect(engine.evalRule('data.p.now', { nowNs: 1n })).toBe(1);
    expect(engine.evalRule('data.p.now', { nowNs: 2n })).toBe(2);
    for (let i = 0; i < 2; i++) {
      expect(engine.evalQuery('data.p.printed').prints).toEqual([expect.stringContaining('hello')]);
    }
    expect(engine.evalRule('data.p.mocked')).toBe('A');
  });

  it('keeps strict and lenient values apart', () => {
    const engine = engineWith('package p\n\nn := to_number("x")\n\nd := 1 if not n');
    expect(engine.evalRule('data.p.d')).toBe(1);
    expect(() => engine.evalRule('data.p.d', { strict: true })).toThrow(/to_number/);
    expect(engine.evalRule('data.p.d')).toBe(1);
  });
});

describe('base data read under a package that holds rules', () => {
  // A constant ref that leaves the rule tree for base data (`data.p.limits.max`, where `p`
  // holds rules) is read once per data document (eval-quick.ts): these pin down that it
  // follows the data and `with`.
  const OVER = `package p

over if input.n > data.p.limits.max
`;

  it('follows the data across evaluations', () => {
    const engine = engineWith(OVER, { p: { limits: { max: 3 } } });
    expect(engine.evalRule('data.p.over', { input: { n: 5 } })).toBe(true);
    expect(engine.evalRule('data.p.over', { input: { n: 5 } })).toBe(true);
    engine.setData({ p: { limits: { max: 10 } } });
    expect(engine.evalRule('data.p.over', { input: { n: 5 } })).toBeUndefined();
    engine.setData({ p: {} });
    expect(engine.evalRule('data.p.over', { input: { n: 5 } })).toBeUndefined();
  });

  it('reads the value a with modifier puts there, and the data again after it', () => {
    const engine = engineWith(OVER, { p: { limits: { max: 10 } } });
    const query = 'x := data.p.over with data.p.limits.max as 1';
    expect(engine.evalQuery(query, { input: { n: 5 } }).results[0]?.bindings).toEqual({
      x: true,
    });
    expect(engine.evalRule('data.p.over', { input: { n: 5 } })).toBeUndefined();
  });
});
