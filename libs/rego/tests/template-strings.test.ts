import { describe, expect, it } from 'vitest';
import { RegoEvalError, RegoParseError } from '../src/errors/rego-error.js';
import { engineFor, evalIn } from './evaluator-harness.js';

describe('template strings ($"…{expr}…")', () => {
  it('renders strings raw and other values as Rego text', () => {
    const body = `name := "world"
xs := [1, "a", {"k": {2, 1}}]
r := $"hello {name}: n={1 + 2} xs={xs} s={set()} nil={null} f={1.5}"`;
    expect(evalIn(body, 'r')).toBe(
      'hello world: n=3 xs=[1, "a", {"k": {1, 2}}] s=set() nil=null f=1.5',
    );
  });

  it('renders an undefined expression as <undefined> instead of failing', () => {
    expect(evalIn('r := $"user={input.user.name}!"', 'r', {})).toBe('user=<undefined>!');
    expect(evalIn('r := $"user={input.user.name}!"', 'r', { user: { name: 'ann' } })).toBe(
      'user=ann!',
    );
  });

  it('reads \\{ and \\} as literal braces and decodes string escapes', () => {
    expect(evalIn(String.raw`r := $"\{x\} {1}\t\"q\" \u00e9"`, 'r')).toBe('{x} 1\t"q" é');
  });

  it('accepts the raw form with backticks, where backslashes stay except before braces', () => {
    expect(evalIn('n := 2\nr := $`a\\n{n} \\{`', 'r')).toBe('a\\n2 {');
  });

  it('allows nested templates, comprehensions, objects and strings inside an interpolation', () => {
    const body = `name := "w"
r := $"{$"in {name}"} {[y | some y in [1, 2]][1]} { {"a": 1}["a"] } {"}"}"`;
    expect(evalIn(body, 'r')).toBe('in w 2 1 }');
  });

  it('binds body variables used in an interpolation', () => {
    const body = `r contains $"{k}={v}" if some k, v in {"a": 1, "b": true}`;
    expect(evalIn(body, 'r')).toEqual(['a=1', 'b=true']);
  });

  it('is a plain string without interpolations', () => {
    expect(evalIn('r := $"plain"', 'r')).toBe('plain');
  });

  it('is a conflict error, in every mode, when an interpolation has several values', () => {
    const modules = ['package t\nr := $"{[1, 2][_]}"'];
    for (const strict of [false, true]) {
      let error: unknown;
      try {
        engineFor({ modules, strict }).evalRule('data.t.r');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RegoEvalError);
      expect((error as RegoEvalError).code).toBe('eval_conflict_error');
      expect((error as Error).message).toMatch(
        /template-strings must not produce multiple outputs/,
      );
    }
  });

  it('applies with modifiers written inside an interpolation', () => {
    expect(evalIn('a := input.a\nr := $"a={a with input as {"a": 42}}"', 'r', {})).toBe('a=42');
  });

  it('accepts a template string as a function argument, bound by the body', () => {
    const body = 'p := f("foo bar")\nf($"{x} {input.y}") := 42 if x = "foo"';
    expect(evalIn(body, 'p', { y: 'bar' })).toBe(42);
    expect(evalIn(body, 'p', { y: 'baz' })).toBeUndefined();
  });

  it('reports an unterminated template or interpolation at its start', () => {
    expect(() => engineFor({ modules: ['package t\nr := $"abc'] })).toThrow(RegoParseError);
    expect(() => engineFor({ modules: ['package t\nr := $"a{1 + 2\n'] })).toThrow(
      /m0\.rego:2:6: unterminated template string/,
    );
  });
});
