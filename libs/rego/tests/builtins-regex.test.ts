import { describe, expect, it } from 'vitest';
import { call, callError, callValue, testContext } from './builtin-harness.js';

describe('regex builtins', () => {
  it('match with RE2 syntax: classes, named groups, flags', () => {
    expect(call('regex.match', '^[[:alpha:]]+$', 'abc')).toBe(true);
    expect(call('regex.match', '(?i)^hello', 'HELLO world')).toBe(true);
    expect(call('re_match', '(?P<word>\\w+)@', 'me@x')).toBe(true);
    expect(call('regex.match', '\\d', 'abc')).toBe(false);
  });

  it('rejects what RE2 does not support instead of silently differing from Go', () => {
    expect(callError('regex.match', '(?=a)', 'a')).toMatch(
      /^regex.match: error parsing regexp: .*\(\?=/,
    );
    expect(callError('regex.match', '(a)\\1', 'aa')).toMatch(/^regex.match: error parsing regexp/);
    expect(call('regex.is_valid', '(?<=a)b')).toBe(false);
    expect(call('regex.is_valid', 'a+b')).toBe(true);
    expect(call('regex.is_valid', 1)).toBe(false);
  });

  it('finds matches and submatches, n = -1 meaning all', () => {
    expect(call('regex.find_n', '[0-9]+', 'a1b22c333', -1)).toEqual(['1', '22', '333']);
    expect(call('regex.find_n', '[0-9]+', 'a1b22c333', 2)).toEqual(['1', '22']);
    expect(call('regex.find_n', 'a*', 'baaac', -1)).toEqual(['', 'aaa', '']);
    expect(call('regex.find_all_string_submatch_n', 'a(x)?', 'aax', -1)).toEqual([
      ['a', ''],
      ['ax', 'x'],
    ]);
  });

  it('splits as Go does', () => {
    expect(call('regex.split', ',\\s*', 'a, b,c')).toEqual(['a', 'b', 'c']);
    expect(call('regex.split', 'a', 'banana')).toEqual(['b', 'n', 'n', '']);
    expect(call('regex.split', 'x', '')).toEqual(['']);
  });

  it('replaces with Go template syntax: $1, $name in braces, $$', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's template syntax, not JavaScript's
    expect(call('regex.replace', 'abc-abd', 'a(b)(?P<x>.)', '[$1${x}$$]')).toBe('[bc$]-[bd$]');
    expect(call('regex.replace', 'ab', 'a(b)', '$1x')).toBe('');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's template syntax, not JavaScript's
    expect(call('regex.replace', 'ab', 'a(b)', '${1}x')).toBe('bx');
  });

  it('works on code points, not UTF-16 units', () => {
    expect(call('regex.find_n', '.', '😀é', -1)).toEqual(['😀', 'é']);
  });

  it('compiles a pattern once per engine cache', () => {
    const context = testContext();
    callValue('regex.match', ['a+', 'aa'], context);
    const cached = [...context.cache.keys()];
    callValue('regex.match', ['a+', 'b'], context);
    expect([...context.cache.keys()]).toEqual(cached);
    expect(cached).toHaveLength(1);
  });
});

describe('regex.template_match', () => {
  it('matches templates whose delimited parts are regular expressions', () => {
    expect(call('regex.template_match', 'urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}')).toBe(true);
    expect(
      call('regex.template_match', 'urn:foo.bar.com:{.*}', 'urn:foo.bar.com:bar:baz', '{', '}'),
    ).toBe(true);
    expect(
      call('regex.template_match', 'urn:foo.bar.com:{.*}', 'urn:fooXbar.com:bar', '{', '}'),
    ).toBe(false);
    expect(call('regex.template_match', 'urn:foo:<[0-9]{2}>', 'urn:foo:42', '<', '>')).toBe(true);
    expect(call('regex.template_match', 'urn:foo:<[0-9]{2}>', 'urn:foo:423', '<', '>')).toBe(false);
  });

  it('rejects unbalanced delimiters and long ones', () => {
    expect(callError('regex.template_match', 'urn:{.*', 'x', '{', '}')).toMatch(
      /unbalanced braces/,
    );
    expect(callError('regex.template_match', 'x', 'x', '{{', '}')).toMatch(/exactly one character/);
  });
});

describe('regex.globs_match', () => {
  it('tells whether two glob-style patterns share a non-empty string', () => {
    expect(call('regex.globs_match', 'a.a.[0-9]+z', '.b.b.*z')).toBe(true);
    expect(call('regex.globs_match', 'a[0-9]+', 'a[a-z]+')).toBe(false);
    expect(call('regex.globs_match', 'a.b.[a-z]+z', '.b.b.*z')).toBe(true);
    expect(call('regex.globs_match', 'a*', 'b*')).toBe(false);
    expect(call('regex.globs_match', 'a*', 'a+')).toBe(true);
    expect(call('regex.globs_match', 'user:[0-9]+', 'user:1.*')).toBe(true);
    expect(call('regex.globs_match', '\\.x', '[.]x')).toBe(true);
    expect(call('regex.globs_match', '\\.x', 'ax')).toBe(false);
  });

  it('rejects malformed patterns', () => {
    expect(callError('regex.globs_match', '[a-z', 'a')).toMatch(/^regex.globs_match: unclosed/);
    expect(callError('regex.globs_match', '*a', 'a')).toMatch(/quantifier/);
  });
});

describe('glob.match', () => {
  it('stops * at delimiters, "." by default, and lets ** cross them', () => {
    expect(call('glob.match', '*.github.com', [], 'api.github.com')).toBe(true);
    expect(call('glob.match', '*.github.com', [], 'api.cdn.github.com')).toBe(false);
    expect(call('glob.match', 'api.**.com', [], 'api.cdn.github.com')).toBe(true);
    expect(call('glob.match', '*:github:com', [':'], 'api:github:com')).toBe(true);
  });

  it('uses no delimiters when given null', () => {
    expect(call('glob.match', 'api://*/appId', null, 'api://foo.com/appId')).toBe(true);
    expect(call('glob.match', '*hub.com', null, 'api.cdn.github.com')).toBe(true);
  });

  it('supports ?, character classes, negation, ranges and alternatives', () => {
    expect(call('glob.match', '?at', [], 'cat')).toBe(true);
    expect(call('glob.match', '?at', [], 'at')).toBe(false);
    expect(call('glob.match', '[abc]at', [], 'lat')).toBe(false);
    expect(call('glob.match', '[!a-c]at', [], 'lat')).toBe(true);
    expect(call('glob.match', '{cat,bat,[fr]at}', [], 'rat')).toBe(true);
    expect(call('glob.match', '{cat,bat,[fr]at}', [], 'at')).toBe(false);
    expect(call('glob.match', 'a\\*b', [], 'a*b')).toBe(true);
    expect(call('glob.match', 'a\\*b', [], 'axb')).toBe(false);
  });

  it('treats regular-expression characters in patterns literally', () => {
    expect(call('glob.match', 'a+b(c)$', [], 'a+b(c)$')).toBe(true);
    expect(call('glob.match', 'a.b', [], 'axb')).toBe(false);
  });

  it('fails on malformed patterns', () => {
    expect(callError('glob.match', '{a,b', [], 'a')).toMatch(/^glob.match: /);
    expect(callError('glob.match', '[ab', [], 'a')).toMatch(/^glob.match: /);
  });
});
