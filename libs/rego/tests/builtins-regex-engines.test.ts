import { describe, expect, it } from 'vitest';
import { compileRe2 } from '../src/builtins/regex/compiled-regex.js';
import { translateRe2 } from '../src/builtins/regex/re2-translate.js';
import { seededRandom, testSeed } from './seeded-random.js';

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

/** A long subject around `middle`: required-literal checks take their own shortcut from 256 units. */
function longSubject(middle: string): string {
  const prose = 'the rain in spain stays mainly on the plain ';
  return `${prose.repeat(6)}${middle}${prose.repeat(2)}`;
}

/** Test, all matches with groups and the first two matches, as one comparable string. */
function outcome(re: ReturnType<typeof compileRe2>, subject: string): string {
  return JSON.stringify([
    re.test(subject),
    re.findAll(subject, -1, true),
    re.findAll(subject, 2, false),
  ]);
}

interface ShortcutCase {
  readonly note: string;
  readonly pattern: string;
  readonly subjects: readonly string[];
}

/** Patterns whose translation takes each search shortcut, with subjects aimed at its edges. */
const SHORTCUT_CASES: readonly ShortcutCase[] = [
  {
    note: 'required literal absent, or present only where no match can be',
    pattern: 'key=[0-9]+',
    subjects: ['', 'key 1', 'key=abc', 'ke=1 key:1 y=1', 'monkey=12 key=3', 'key=', 'x key=7'],
  },
  {
    note: 'two required literals, present in the wrong order',
    pattern: '-----BEGIN [A-Z ]*PRIVATE KEY-----',
    subjects: [
      'PRIVATE KEY----- -----BEGIN ',
      '-----BEGIN RSA PUBLIC KEY-----',
      '-----BEGIN RSA PRIVATE KEY-----',
    ],
  },
  {
    note: 'one of the words an alternation needs, present only elsewhere',
    pattern: 'secret (?:key|token)=\\w+',
    subjects: ['token=1 secret =2', 'secret key=', 'secret token=abc secret key=d', 'secret tok=1'],
  },
  {
    note: 'punctuation every alternative needs (the underscore)',
    pattern: 'gh[pousr]_[A-Za-z0-9]{4}|github_pat_[A-Za-z0-9]{4}',
    subjects: [
      'ghp ABCD github pat',
      'ghpABCD _',
      'ghp_ABCD',
      'github_pat_abcd ghs_1234',
      'gh_p_ABCD ghx_ABCD',
    ],
  },
  {
    note: 'shared punctuation in two-character alternatives',
    pattern: 'a-b|c-d',
    subjects: ['ab cd', 'a - b c- d', 'a-d c-b', 'xa-by c-d', '-'],
  },
  {
    note: 'shared punctuation in a group between literals',
    pattern: 'x(?:ab:|cd:)y',
    subjects: ['xab y', 'xab:z xcd:y', 'xy:', 'x:ab:y xab:y'],
  },
  {
    note: 'alternation prefixes, then a class run to the punctuation',
    pattern: '(?:ab|cd)[a-z]*:',
    subjects: ['ab cd', 'abxyz: cdq:', ':ab', 'xxab: abAB:'],
  },
  {
    note: 'leading run before the literal, with runs of other characters before it',
    pattern: '[a-z.]+@x',
    subjects: [
      '@x',
      'a@x',
      'a.b.c@x',
      'AB.cd@x',
      'ab@cd@x',
      'a@y b@x',
      'a@xb@x',
      'abc@xabc@x',
      '..@x.@x',
      'ab @x cd@ x ef@x',
      'x@x@x@x',
    ],
  },
  {
    note: 'a class that contains the literal after it: no run ends at the literal',
    pattern: '[a-z@.]+@x',
    subjects: ['a@b@x', '@@x', 'ab@x@x', 'a b@c@x'],
  },
  {
    note: 'a negated class that contains the literal after it',
    pattern: '[^ ]+@x',
    subjects: ['a@b@x', 'ü@@x y@x', '@x'],
  },
  {
    note: 'leading run with a minimum length',
    pattern: '[a-z]{2,}@',
    subjects: ['a@', 'ab@', 'a@ab@abc@', 'A1b@ cd@', 'ab@@cd@'],
  },
  {
    note: 'leading run that may be empty',
    pattern: '[a-z.]*@[a-z]+',
    subjects: ['@abc', '.@b', 'a@@b', '@', 'x@y@z', 'A@b'],
  },
  {
    note: 'leading run with a named group',
    pattern: '(?P<user>[a-z.]+)@',
    subjects: ['a.b@ c@', 'ab@cd@', '@'],
  },
  {
    note: 'leading run class with a non-ASCII letter',
    pattern: '[a-zé.]+@x',
    subjects: ['café@x', 'cafè@x', 'éé.é@x', 'Ωé@x', 'aéb@y é@x', 'é😀é@x'],
  },
  {
    note: 'negated leading run class, which takes every non-ASCII character',
    pattern: '[^ @]+@x',
    subjects: ['ünïcödé@x', 'a b@x', 'ß@y ẞ@x', '😀a@x', 'a@x😀@x', '@x'],
  },
  {
    note: 'leading run of a Unicode property class',
    pattern: '[\\pL.]+@[a-z]+',
    subjects: ['Straße.Ω@abc', '1Ωx@y', 'ab@', 'é@é @b'],
  },
  {
    note: 'class anchor: capital, run of lowercase and spaces, digit',
    pattern: '[A-Z][a-z ]*[0-9]',
    subjects: [
      'Hello world 5',
      'hello World5',
      'AB1',
      'A1B2',
      '5 Abc 6',
      'Ab Cd9',
      'A-b 1 Cx2',
      'a1 B 1',
    ],
  },
  {
    note: 'class anchor with a negated run class taking non-ASCII characters',
    pattern: '[a-z][^0-9]*[0-9]',
    subjects: ['zé ü ß 7', 'é1', '1a2b3', 'ab', 'Ωa Ω9 c8', 'a😀1'],
  },
  {
    note: 'class anchor whose run class contains the anchor class',
    pattern: '[+(A-Z0-9][A-Z0-9 ().+-]*[0-9](?:[A-Z0-9 ().+-]*[A-Z0-9])?',
    subjects: [
      'call +44 20 7946 0958 now',
      '(555) 123-4567',
      'x A B C 1 y',
      'no digits',
      'a1 B2 c',
    ],
  },
];

describe('regex search shortcuts', () => {
  it('apply to the patterns below, so the cases exercise them', () => {
    const shape = (pattern: string): string[] => {
      const t = translateRe2(pattern);
      if (t === undefined) return ['untranslated'];
      return [
        ...(t.required.length > 0 ? ['required'] : []),
        ...(t.requiredAny.length > 0 ? ['requiredAny'] : []),
        t.plan?.kind ?? 'no plan',
      ];
    };
    expect(shape('key=[0-9]+')).toEqual(['required', 'scan']);
    expect(shape('gh[pousr]_[A-Za-z0-9]{4}|github_pat_[A-Za-z0-9]{4}')).toEqual([
      'required',
      'requiredAny',
      'scan',
    ]);
    expect(translateRe2('a-b|c-d')?.required).toEqual(['-']);
    expect(shape('[a-z.]+@x')).toEqual(['required', 'run-to-literal']);
    expect(shape('[a-zé.]+@x')).toEqual(['required', 'run-to-literal']);
    expect(shape('[^ @]+@x')).toEqual(['required', 'run-to-literal']);
    expect(shape('(?:ab|cd)[a-z]*:')).toEqual(['required', 'requiredAny', 'run-to-literal']);
    expect(shape('[a-z][^0-9]*[0-9]')).toEqual(['class-run']);
    // A run that stops before the digit's class needs no shortcut: V8's scan is linear.
    expect(shape('[A-Z][a-z ]*[0-9]')).toEqual(['scan']);
    // A run class holding the literal after it leaves no shortcut, and V8 would read the
    // rest of the run from every start (quadratic): re2js runs these.
    const quadratic = ['[a-z@.]+@x', '[^ ]+@x'];
    for (const c of SHORTCUT_CASES)
      expect(compileRe2(c.pattern).engine, c.pattern).toBe(
        quadratic.includes(c.pattern) ? 're2js' : 'javascript',
      );
  });

  it('find what re2js finds, on short subjects and inside long ones', () => {
    const wrong: string[] = [];
    for (const c of SHORTCUT_CASES) {
      const fast = compileRe2(c.pattern);
      const reference = compileRe2(c.pattern, 're2js');
      for (const subject of c.subjects.flatMap((s) => [
        s,
        longSubject(s),
        `${s}${longSubject(s)}`,
      ])) {
        const got = outcome(fast, subject);
        const want = outcome(reference, subject);
        if (got !== want)
          wrong.push(`${c.note}: ${c.pattern} on ${JSON.stringify(subject)}: ${got} != ${want}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('find the matches a reader expects for the leading run and the class anchor', () => {
    expect(compileRe2('[a-z.]+@x').findAll('a@xb@x', -1, false)).toEqual([
      [0, 3],
      [3, 6],
    ]);
    expect(compileRe2('[a-z.]+@x').findAll('ab@cd@x', -1, false)).toEqual([[3, 7]]);
    expect(compileRe2('[a-zé.]+@x').findAll('Ωcafé@x', -1, false)).toEqual([[1, 7]]);
    expect(compileRe2('[A-Z][a-z ]*[0-9]').findAll('xx Ab cd9 Q1', -1, false)).toEqual([
      [3, 9],
      [10, 12],
    ]);
  });

  it('agree with re2js on random subjects for patterns of those shapes', () => {
    const random = seededRandom(testSeed(0x2e2_5eed));
    const patterns = [
      '[a-z.]+@x',
      '[a-z]{2,}@',
      '[a-z.]*@[a-z]+',
      '([a-zé.]+)@(x)',
      '[^ @]+@x',
      '[a-z@]+@x',
      '[A-Z][a-z ]*[0-9]',
      '[a-z][^0-9]*[0-9]',
      'a-b|x_y|ab_',
      'ke=[0-9]+',
      '(?:ab|xa)[a-z]*:',
    ];
    const alphabet = [
      'a',
      'b',
      'x',
      'e',
      'k',
      '.',
      '@',
      '@',
      'é',
      'A',
      '1',
      ' ',
      '-',
      '_',
      '=',
      ':',
      'Ω',
      // Pieces of the patterns' literals, so that alternatives and required literals occur.
      'ke=',
      'a-',
      'x_',
      'ab',
    ];
    const wrong: string[] = [];
    for (const pattern of patterns) {
      const fast = compileRe2(pattern);
      const reference = compileRe2(pattern, 're2js');
      for (let n = 0; n < 250 && wrong.length < 5; n++) {
        const size = random.int(4) === 0 ? 260 + random.int(40) : random.int(30);
        let subject = '';
        for (let i = 0; i < size; i++)
          subject += random.int(200) === 0 ? '😀' : random.pick(alphabet);
        const got = outcome(fast, subject);
        const want = outcome(reference, subject);
        if (got !== want)
          wrong.push(
            `seed ${random.seed}: ${pattern} on ${JSON.stringify(subject)}: ${got} != ${want}`,
          );
      }
    }
    expect(wrong, `seed ${random.seed} (replay with TEST_SEED=${random.seed})`).toEqual([]);
  });
});
