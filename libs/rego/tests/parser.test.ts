import { describe, expect, it } from 'vitest';
import type { AstTerm } from '../src/ast/ast.js';
import { RegoParseError } from '../src/errors/rego-error.js';
import { parseModule, parseQuery } from '../src/parser/parser.js';

const v1 = (src: string) => parseModule('t.rego', `package t\n${src}`, 'v1');
const v0 = (src: string) => parseModule('t.rego', `package t\n${src}`, 'v0');

/** A compact rendering of a term, to compare trees without locations. */
function show(t: AstTerm): string {
  switch (t.type) {
    case 'scalar':
      return t.value.kind === 'string'
        ? JSON.stringify(t.value.value)
        : String((t.value as { value?: unknown }).value ?? 'null');
    case 'var':
      return t.name;
    case 'ref':
      return `${show(t.head)}${t.path.map((p) => `[${show(p)}]`).join('')}`;
    case 'call':
      return `${show(t.fn)}(${t.args.map(show).join(', ')})`;
    case 'array':
      return `[${t.items.map(show).join(', ')}]`;
    case 'set':
      return `{${t.items.map(show).join(', ')}}`;
    case 'object':
      return `{${t.entries.map(([k, v]) => `${show(k)}: ${show(v)}`).join(', ')}}`;
    case 'arraycompr':
      return `[${show(t.term)} | ${t.body.length}]`;
    case 'setcompr':
      return `{${show(t.term)} | ${t.body.length}}`;
    case 'objectcompr':
      return `{${show(t.key)}: ${show(t.value)} | ${t.body.length}}`;
  }
}

const expr = (q: string) => {
  const [lit] = parseQuery(q);
  if (lit?.expr.type !== 'term') throw new Error('not a term');
  return show(lit.expr.term);
};

describe('parser: modules', () => {
  it('reads the package path and imports with aliases', () => {
    const m = parseModule(
      't.rego',
      'package a.b\nimport data.lib.x as y\nimport input.user\n',
      'v1',
    );
    expect(m.packagePath).toEqual(['a', 'b']);
    expect(m.imports.map((i) => [i.path.join('.'), i.alias])).toEqual([
      ['data.lib.x', 'y'],
      ['input.user', undefined],
    ]);
  });

  it('distinguishes complete, set and function rules in v1', () => {
    const m = v1(
      'a := 1\nb contains x if { x := 1 }\nf(x) := x + 1\nc if true\np[k] := v if { k := 1; v := 2 }',
    );
    expect(m.rules.map((r) => r.kind)).toEqual([
      'complete',
      'set',
      'function',
      'complete',
      'complete',
    ]);
    expect(m.rules[4]!.ref.map(show)).toEqual(['p', 'k']);
  });

  it('reads v0 partial sets and objects without if or contains', () => {
    const m = v0('s[x] { x := 1 }\no[k] = v { k := 1; v := 2 }\nc { true }\nx.a { true }');
    expect(m.rules.map((r) => r.kind)).toEqual(['set', 'complete', 'complete', 'set']);
    expect(m.rules[0]!.key && show(m.rules[0]!.key)).toBe('x');
  });

  it('reads a bare v0 head and the next rule on one line as two rules, as OPA does', () => {
    const m = v0('r["s"] p1 { true }');
    expect(m.rules.map((r) => [r.kind, show(r.ref[0]!)])).toEqual([
      ['set', 'r'],
      ['complete', 'p1'],
    ]);
  });

  it('reads number literals exactly: an integral value with an exponent or fraction is an integer, in float form', () => {
    const values = v1('r := [1e30, 1.5e3, 10.00, 2.5, 1e-2, -3e2]').rules[0]!.branches[0]!.value!;
    expect(
      values.type === 'array' && values.items.map((t) => t.type === 'scalar' && t.value),
    ).toEqual([
      { kind: 'number', value: 10n ** 30n, float: true },
      { kind: 'number', value: 1500, float: true },
      { kind: 'number', value: 10, float: true },
      { kind: 'number', value: 2.5 },
      { kind: 'number', value: 0.01 },
      { kind: 'number', value: -300, float: true },
    ]);
  });

  it('continues an expression whose infix operator starts the next line, as OPA does', () => {
    const m = v1('p if {\n  input.x\n  == 5\n  input.y\n  + 1 > 2\n}');
    const body = m.rules[0]!.branches[0]!.body;
    expect(body.map((l) => show((l.expr as { term: AstTerm }).term))).toEqual([
      'equal(input["x"], 5)',
      'gt(plus(input["y"], 1), 2)',
    ]);
  });

  it('treats a module importing rego.v1 as v1 in v0 mode', () => {
    const m = v0('import rego.v1\nallow if input.x');
    expect(m.regoVersion).toBe('v1');
    expect(m.rules[0]!.kind).toBe('complete');
  });

  it('enables v0 keywords through future.keywords imports', () => {
    const m = v0('import future.keywords.in\nimport future.keywords.if\np if 1 in [1]');
    expect(show((m.rules[0]!.branches[0]!.body[0]!.expr as { term: AstTerm }).term)).toBe(
      'internal.member_2(1, [1])',
    );
  });

  it('keeps else chains and default rules', () => {
    const m = v1('default d := 0\nd := 1 if input.a else := 2 if input.b else := 3');
    expect(m.rules[0]!.isDefault).toBe(true);
    expect(m.rules[1]!.branches.map((b) => b.value && show(b.value))).toEqual(['1', '2', '3']);
  });

  it('reads ref heads with dots and brackets', () => {
    const m = v1('a.b["c"].d := 1');
    expect(m.rules[0]!.ref.map(show)).toEqual(['a', '"b"', '"c"', '"d"']);
  });

  it('rejects else on multi-value rules', () => {
    expect(() => v1('s contains 1 if false\nelse := 2')).toThrowError(
      /else keyword cannot be used/,
    );
  });

  it('requires if before a rule body in v1', () => {
    expect(() => v1('p { true }')).toThrowError(/expected 'if' before the rule body/);
  });

  it('reports the position and what was expected', () => {
    try {
      parseModule('bad.rego', 'package p\np := [1, 2', 'v1');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RegoParseError);
      const err = e as RegoParseError;
      expect([err.line, err.column]).toEqual([2, 11]);
      expect(err.message).toContain("unexpected end of file, expected ']'");
      expect(err.message).toContain('p := [1, 2');
    }
  });
});

describe('parser: expressions', () => {
  it('applies precedence: * before +, + before comparison, comparison before in', () => {
    expect(expr('1 + 2 * 3 == 7')).toBe('equal(plus(1, mul(2, 3)), 7)');
    expect(expr('x + 1 in xs')).toBe('internal.member_2(plus(x, 1), xs)');
  });

  it('reads & and | as set operators with & binding tighter', () => {
    expect(expr('a | b & c')).toBe('or(a, and(b, c))');
  });

  it('reads refs with dots, brackets and calls on dotted names', () => {
    expect(expr('input.a[0]["b"].c')).toBe('input["a"][0]["b"]["c"]');
    expect(expr('regex.match(p, s)')).toBe('regex["match"](p, s)');
  });

  it('reads negative numbers but not unary minus on other terms', () => {
    expect(expr('-1')).toBe('-1');
    expect(() => parseQuery('- x')).toThrowError(/unary - can only be used with numeric literals/);
  });

  it('tells comprehensions from arrays, sets and objects', () => {
    expect(expr('[x | x := 1]')).toBe('[x | 1]');
    expect(expr('{x | x := 1}')).toBe('{x | 1}');
    expect(expr('{k: v | k := 1; v := 2}')).toBe('{k: v | 2}');
    expect(expr('[a | b, 5]')).toBe('[or(a, b), 5]');
    expect(expr('{1, 2}')).toBe('{1, 2}');
    expect(expr('{"a": 1}')).toBe('{"a": 1}');
    expect(expr('set()')).toBe('{}');
  });

  it('reads some, every, not and with', () => {
    const [s, e, n] = parseQuery(
      'some k, v in xs\nevery x in xs { x > 0 }\nnot p with input as {}',
    );
    expect(s!.expr.type).toBe('somein');
    expect(e!.expr.type).toBe('every');
    expect(n!.negated).toBe(true);
    expect(n!.withs).toHaveLength(1);
  });

  it('separates literals by newlines and semicolons, and keeps their text', () => {
    const lits = parseQuery('x := 1; y := 2\nx < y');
    expect(lits.map((l) => l.text)).toEqual(['x := 1', 'y := 2', 'x < y']);
  });

  it('reads contains( as a call of the builtin although contains is a keyword', () => {
    expect(expr('contains("abc", "b")')).toBe('contains("abc", "b")');
    const m = v1('s contains x if { x := "a"; contains("abc", x) }');
    expect(m.rules[0]!.kind).toBe('set');
  });

  it('rejects two expressions on one line without a separator', () => {
    expect(() => parseQuery('x := 1 y := 2')).toThrowError(/expected ';' or a new line/);
  });
});
