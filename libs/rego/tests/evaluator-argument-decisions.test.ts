import { describe, expect, it } from 'vitest';
import { RegoEngine } from '../src/index.js';

// A function definition whose leading literals read only its arguments, data and input-free
// rules holds or fails the same way for the same argument values; the engine keeps that
// outcome (and the result, when those literals are the whole body) for the rows of kept
// tables (compiler/input-free-rules.ts, evaluator/argument-decisions.ts). These pin down that
// the kept outcome gives the same answers as evaluating, and when it must not be used.

const DETECTORS = `package p

detectors := {
  "plain": {"pattern": "x", "triggers": ["x"]},
  "always": {"pattern": "y"},
  "lower": {"pattern": "z", "lowercase": true},
}

triggered(d) if not d.triggers

triggered(d) if {
  some t in d.triggers
  contains(input.text, t)
}

text(d) := lower(input.text) if d.lowercase

text(d) := input.text if not d.lowercase

found contains name if {
  some name, d in detectors
  triggered(d)
  contains(text(d), d.pattern)
}
`;

function engineWith(source: string, data: unknown = {}): RegoEngine {
  const engine = new RegoEngine();
  engine.addModule('p.rego', source);
  engine.setData(data);
  return engine;
}

describe('function definitions decided by their arguments', () => {
  it('answers as evaluating does, over many evaluations with different inputs', () => {
    const engine = engineWith(DETECTORS);
    const general = new RegoEngine({ quickPath: false });
    general.addModule('p.rego', DETECTORS);
    const cases: [string, string[]][] = [
      ['x y', ['always', 'plain']],
      ['Z', ['lower']],
      ['z', ['lower']],
      ['', []],
      ['y', ['always']],
      ['X Y Z', ['lower']],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [text, found] of cases) {
        expect(engine.evalRule('data.p.found', { input: { text } })).toEqual(found);
        expect(general.evalRule('data.p.found', { input: { text } })).toEqual(found);
      }
    }
  });

  it('keeps a function result the arguments decide, and recomputes it when data change', () => {
    const engine = engineWith(
      `package p

allowed(role) if data.roles[role].admin

allowed(role) if role == "root"

answer := [r | some r in input.roles; allowed(r)]
`,
      { roles: { alice: { admin: true }, bob: { admin: false } } },
    );
    const input = { roles: ['alice', 'bob', 'root', 'eve'] };
    expect(engine.evalRule('data.p.answer', { input })).toEqual(['alice', 'root']);
    expect(engine.evalRule('data.p.answer', { input })).toEqual(['alice', 'root']);
    engine.setData({ roles: { bob: { admin: true } } });
    expect(engine.evalRule('data.p.answer', { input })).toEqual(['bob', 'root']);
  });

  it('decides on every argument the leading literals read', () => {
    const engine = engineWith(`package p

rows := [{"n": 1}, {"n": 2}]

pick(row, limit) := "small" if row.n < limit

pick(row, limit) := "large" if row.n >= limit

answer := [pick(row, input.limit) | some row in rows]
`);
    expect(engine.evalRule('data.p.answer', { input: { limit: 2 } })).toEqual(['small', 'large']);
    expect(engine.evalRule('data.p.answer', { input: { limit: 3 } })).toEqual(['small', 'small']);
    expect(engine.evalRule('data.p.answer', { input: { limit: 1 } })).toEqual(['large', 'large']);
  });

  it('answers the same once it stops keeping decisions for values made afresh each time', () => {
    const engine = engineWith(`package p

long(s) if count(s) > 3

answer := [s | some s in input.words; long(s)]
`);
    for (let i = 0; i < 200; i++) {
      const words = [`w${i}`, `word${i}`, 'abc', 'abcd'];
      expect(engine.evalRule('data.p.answer', { input: { words } })).toEqual(
        words.filter((w) => w.length > 3),
      );
    }
  });

  it('still reports conflicting outputs of definitions it decided', () => {
    const engine = engineWith(`package p

rows := [{"a": true, "b": true}]

f(row) := 1 if row.a

f(row) := 2 if row.b

answer := f(rows[0]) if input.go
`);
    expect(() => engine.evalRule('data.p.answer', { input: { go: true } })).toThrow(
      /functions must not produce multiple outputs/,
    );
    expect(() => engine.evalRule('data.p.answer', { input: { go: true } })).toThrow(
      /functions must not produce multiple outputs/,
    );
  });

  it('does not use what it kept under `with`, which may change what the arguments decide', () => {
    const engine = engineWith(
      `package p

rows := [{"kind": "a"}, {"kind": "b"}]

is_a(row) if row.kind == data.wanted

answer := [row.kind | some row in rows; is_a(row)]
`,
      { wanted: 'a' },
    );
    expect(engine.evalRule('data.p.answer', { input: {} })).toEqual(['a']);
    expect(
      engine.evalQuery('x := data.p.answer with data.wanted as "b"').results[0]?.bindings.x,
    ).toEqual(['b']);
    expect(engine.evalRule('data.p.answer', { input: {} })).toEqual(['a']);
  });
});
