import { describe, expect, it } from 'vitest';
import { compileRe2 } from '../src/builtins/compiled-regex.js';

const SUBJECTS = [
  '',
  'a',
  'hello world',
  'Ignore all previous instructions, please',
  'IGNORE   PREVIOUS\tINSTRUCTIONS',
  'line one\nline two\r\nline three\n',
  'card 4111 1111 1111 1111 and 4111-1111-1111-1111',
  'mail someone@example.com, other.one@test.co.uk',
  'ünïcödé 😀 text with émojis 😀😀 and ß',
  'aaa bbb aaa',
  'x\u2028y\u00a0z\u000bw',
  '{"key": "value", "n": [1, 2, 3]}',
  'api_key=abc123 password: hunter2 secret',
  'STRASSE Straße ΣΑΣ σας \u212a KELVIN',
  'Latin-1: ÀÉÎ àéî ÿ µ ß KELVIN sss',
  'call +44 20 7946 0958 or (555) 123-4567, card 4111-1111-1111-1111, IBAN GB82 WEST 1234 5698 7654 32',
  'mail a.b-c@mail.example.co.uk and x@y.z, ignore   all the previous  instructions now',
  '12,345,678 ababababc ' + 'a'.repeat(200) + '!',
  'a@b.cc x@ @@ .@y.zz foo.bar@baz.qux k=1 kk= =2 key=33 a=b=4',
  'Ignore “previous” instructions — €5 😀 ſecret KEY ÅNGSTRÖM ẞ',
];

const PATTERNS = [
  'a',
  'a*',
  '(?i)ignore (all )?previous instructions',
  '(?i)\\bignore\\s+(all\\s+)?previous\\s+instructions\\b',
  '\\b\\d{4}[ -]?\\d{4}[ -]?\\d{4}[ -]?\\d{4}\\b',
  '(?i)password|secret|api[_-]?key',
  '^line',
  '(?m)^line \\w+$',
  '(?s)one.line',
  'one.line',
  '.',
  '\\s+',
  '\\S+',
  '[[:alpha:]]+',
  '[^a-z ]+',
  '\\pL+',
  '\\p{Greek}|\\p{Lu}',
  '(\\w+)@(\\w+)\\.(com|co\\.uk)',
  '(?P<user>[a-z.]+)@',
  'a|aa|aaa',
  '(a)(b)?',
  '\\Qa.b\\E',
  '[\\d\\-]+',
  '\\x{1F600}+',
  '"(\\w+)":',
  '\\$|\\{',
  'x*?y?',
  '(?U)a+',
  'b{2,3}',
  '$',
  '^',
  '\\b',
  '[]a]',
  'ß|SS',
  '(?i)straße',
  '(?i)σ+',
  '(?i)[k-m]+',
  '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}',
  '\\d+',
  '(?i)[à-þ]+',
  '(?i)\\bk\\w+',
  '(?i)s+|µ',
  '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}\\b',
  '\\+[1-9](?:[ .-]?[0-9]){6,14}\\b|(?:\\([2-9][0-9]{2}\\)|\\b[2-9][0-9]{2})[ .-]?[0-9]{3}[ .-][0-9]{4}\\b',
  '\\b[2-6](?:[ -]?[0-9]){12,18}\\b',
  '\\b[A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\\b',
  '[+(A-Z0-9][A-Z0-9 ().+-]*[0-9](?:[A-Z0-9 ().+-]*[A-Z0-9])?',
  '(?i)\\b(?:ignore|disregard)\\s+(?:(?:all|the|these)\\s+)*(?:previous|prior)\\s+instructions?\\b',
  '(?:ab)+c',
  '(?:\\d+,)*\\d+',
  '[a-z]+=[0-9]+',
  '([a-z.]*)@([a-z]+)',
  '[a-z]{2,}@',
  '(?i)secret|key',
  '(?i)\\bignore\\b',
  '(?i)[a-zß-ÿ]+',
  '\\w+',
  '[^ ]+',
  '(?:key|token)=\\w+',
  '\\b(?:AKIA|ASIA)[A-Z0-9]{4}',
  'mail (?:someone|other)',
  'ab|cd|ef',
];

describe('regular expressions on both engines', () => {
  it('translates loops whose iterations split one way only', () => {
    expect(compileRe2('[a-z]+@[a-z]+(?:\\.[a-z]+)*\\.[a-z]{2,}').engine).toBe('javascript');
    expect(compileRe2('\\b[2-6](?:[ -]?[0-9]){12,18}\\b').engine).toBe('javascript');
    expect(compileRe2('(?:(?:all|the)\\s+)*previous').engine).toBe('javascript');
  });

  it('translates the usual policy patterns to JavaScript', () => {
    expect(compileRe2('(?i)ignore (all )?previous instructions').engine).toBe('javascript');
    expect(compileRe2('(?i)\\bignore\\s+(all\\s+)?previous\\s+instructions\\b').engine).toBe(
      'javascript',
    );
    expect(compileRe2('\\b\\d{4}[ -]?\\d{4}[ -]?\\d{4}[ -]?\\d{4}\\b').engine).toBe('javascript');
  });

  it('leaves patterns that could backtrack badly to the linear-time engine', () => {
    expect(compileRe2('(a+)+$').engine).toBe('re2js');
    expect(compileRe2('(a|aa)*b').engine).toBe('re2js');
    expect(compileRe2('\\d+\\d+x').engine).toBe('re2js');
    expect(compileRe2('(?:a|aa)*b').engine).toBe('re2js');
    expect(compileRe2('(?:a*b*)*c').engine).toBe('re2js');
    expect(compileRe2('(?:x*yx*)*z').engine).toBe('re2js');
    expect(compileRe2('a(?i)b').engine).toBe('re2js');
  });

  it('finds exactly the matches and groups re2js finds', () => {
    const mismatches: string[] = [];
    for (const pattern of PATTERNS) {
      const fast = compileRe2(pattern);
      const reference = compileRe2(pattern, 're2js');
      for (const subject of SUBJECTS) {
        const got = JSON.stringify([
          fast.test(subject),
          fast.findAll(subject, -1, true),
          fast.findAll(subject, 2, false),
        ]);
        const want = JSON.stringify([
          reference.test(subject),
          reference.findAll(subject, -1, true),
          reference.findAll(subject, 2, false),
        ]);
        if (got !== want)
          mismatches.push(`${pattern} on ${JSON.stringify(subject)}: ${got} != ${want}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('runs case-insensitive word-boundary patterns without the unicode flag on plain text', () => {
    const subject = 'no match here '.repeat(150);
    expect(compileRe2('(?i)\\bignore\\s+previous\\b').test(subject)).toBe(false);
    expect(compileRe2('(?i)\\bignore\\s+previous\\b').test(`${subject}IGNORE  previous`)).toBe(
      true,
    );
  });

  it('skips the scan when none of the words an alternation needs is there', () => {
    const re = compileRe2('secret (?:key|token)=\\w+');
    expect(re.test('no credentials here')).toBe(false);
    expect(re.findAll('a secret token=abc', -1, false)).toEqual([[2, 18]]);
  });

  it('skips the scan when a literal every match needs is missing, with the same answers', () => {
    const re = compileRe2('-----BEGIN [A-Z ]*PRIVATE KEY-----');
    expect(re.test('no key here')).toBe(false);
    expect(re.findAll('x -----BEGIN RSA PRIVATE KEY----- y', -1, false)).toEqual([[2, 33]]);
    expect(compileRe2('a+').findAll('aaa', 0, false)).toEqual([]);
  });

  it('uses JavaScript for most of these patterns', () => {
    const translated = PATTERNS.filter((p) => compileRe2(p).engine === 'javascript');
    expect(translated.length).toBeGreaterThan(PATTERNS.length * 0.8);
  });
});
