import { describe, expect, it } from 'vitest';
import { RegoParseError } from '../src/errors/rego-error.js';
import { tokenize } from '../src/lexer/lexer.js';

const kinds = (src: string) => tokenize(src, 't.rego').map((t) => [t.kind, t.text]);

describe('lexer', () => {
  it('splits identifiers, numbers, strings and operators', () => {
    expect(kinds('x := 1.5 + y')).toEqual([
      ['ident', 'x'],
      ['punct', ':='],
      ['number', '1.5'],
      ['punct', '+'],
      ['ident', 'y'],
      ['eof', ''],
    ]);
  });

  it('prefers the longest operator', () => {
    expect(
      kinds('a<=b!=c==d>=e')
        .filter(([k]) => k === 'punct')
        .map(([, t]) => t),
    ).toEqual(['<=', '!=', '==', '>=']);
  });

  it('records line and column of every token, counting from 1', () => {
    const tokens = tokenize('package p\n\n  allow if true', 't.rego');
    const allow = tokens.find((t) => t.text === 'allow')!;
    expect([allow.line, allow.column]).toEqual([3, 3]);
  });

  it('marks tokens that follow a newline or whitespace', () => {
    const [a, b, c] = tokenize('a b\nc', 't.rego');
    expect([a!.newlineBefore, b!.newlineBefore, b!.spaceBefore, c!.newlineBefore]).toEqual([
      true,
      false,
      true,
      true,
    ]);
  });

  it('decodes JSON escapes in strings', () => {
    const [s] = tokenize('"a\\n\\t\\"\\u00e9\\\\"', 't.rego');
    expect(s).toMatchObject({ kind: 'string', text: 'a\n\t"é\\' });
  });

  it('keeps raw strings verbatim, across lines', () => {
    const [s, next] = tokenize('`a\\d+\nb` x', 't.rego');
    expect(s).toMatchObject({ kind: 'rawstring', text: 'a\\d+\nb' });
    expect(next).toMatchObject({ text: 'x', line: 2 });
  });

  it('skips comments', () => {
    expect(kinds('a # comment := 1\nb')).toEqual([
      ['ident', 'a'],
      ['ident', 'b'],
      ['eof', ''],
    ]);
  });

  it('reads exponents as part of a number', () => {
    expect(kinds('1e3 2.5E-2')).toEqual([
      ['number', '1e3'],
      ['number', '2.5E-2'],
      ['eof', ''],
    ]);
  });

  it('rejects an unterminated string with its position', () => {
    expect(() => tokenize('x := "abc\n', 'f.rego')).toThrowError(
      /^f\.rego:1:6: unterminated string/,
    );
  });

  it('rejects an unknown character', () => {
    try {
      tokenize('x := 1 ^ 2', 'f.rego');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RegoParseError);
      expect((e as RegoParseError).column).toBe(8);
    }
  });
});
