import { describe, expect, it } from 'vitest';
import { RegoEngine } from '../src/index.js';

const parsed = (source: string) =>
  new RegoEngine().evalQuery('x := rego.parse_module("x.rego", input)', { input: source })
    .results[0]?.bindings.x as Record<string, unknown>;

const v = (value: string) => ({ type: 'var', value });
const s = (value: string) => ({ type: 'string', value });
const ref = (...value: unknown[]) => ({ type: 'ref', value });

describe('rego.parse_module', () => {
  it("answers the package, imports and rules in OPA's JSON AST shape", () => {
    const module = parsed('package foo.bar\n\nimport data.a as b\n\np if { a = true }\n');
    expect(module.package).toEqual({ path: [v('data'), s('foo'), s('bar')] });
    expect(module.imports).toEqual([{ path: ref(v('data'), s('a')), alias: 'b' }]);
    expect(module.rules).toEqual([
      {
        head: { name: 'p', ref: [v('p')], value: { type: 'boolean', value: true } },
        body: [{ index: 0, terms: [ref(v('eq')), v('a'), { type: 'boolean', value: true }] }],
      },
    ]);
  });

  it('writes operators and builtins as calls, with negation, with, default and else', () => {
    const module = parsed(
      'package t\n\ndefault q := 1\n\nq := 2 if {\n\tnot input.x > count(input.y) with input as {}\n}\n\nf(x) := x if x > 0\n\nelse := 0\n',
    );
    const [defaulted, rule, fn] = module.rules as Array<Record<string, unknown>>;
    expect(defaulted).toMatchObject({ default: true, head: { assign: true } });
    expect(rule?.body).toEqual([
      {
        index: 0,
        terms: [
          ref(v('gt')),
          ref(v('input'), s('x')),
          { type: 'call', value: [ref(v('count')), ref(v('input'), s('y'))] },
        ],
        negated: true,
        with: [{ target: ref(v('input')), value: { type: 'object', value: [] } }],
      },
    ]);
    expect(fn).toMatchObject({
      head: { name: 'f', args: [v('x')] },
      else: { head: { value: { type: 'number', value: 0 } } },
    });
  });

  it('fails on a module that does not parse', () => {
    expect(() =>
      new RegoEngine({ strictBuiltinErrors: true }).evalQuery(
        'x := rego.parse_module("x.rego", "package foo.")',
      ),
    ).toThrow(/rego\.parse_module: /);
  });
});
