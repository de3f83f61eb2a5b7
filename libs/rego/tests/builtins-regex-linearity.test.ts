import { describe, expect, it } from 'vitest';
import { type CompiledRegex, compileRe2 } from '../src/builtins/regex/compiled-regex.js';
import { MAX_SLOW_STARTS } from '../src/builtins/regex/re2-linearity.js';
import { seededRandom, testSeed } from './seeded-random.js';

/**
 * Regular expressions keep RE2's linear time for every pattern and subject (issue 9,
 * defect 1): V8's backtracking search runs a pattern only under a plan that bounds the whole
 * search, not just one attempt, and for every subject, astral characters included; the rest
 * runs on re2js. Timings are in `npm run bench:adversarial -w services/policy-gateway`;
 * these tests check which engine and plan a (pattern, subject) pair gets, and that the plans
 * find what re2js finds.
 */

const ASTRAL = '\u{1F600}';

/** The gateway's patterns (services/policy-gateway/policies), with the plan each must get. */
const SHIPPED: readonly {
  readonly note: string;
  readonly pattern: string;
  readonly plan: string;
}[] = [
  {
    note: 'e-mail',
    pattern: '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}\\b',
    plan: 'run-to-literal',
  },
  {
    note: 'phone',
    pattern:
      '\\+[1-9](?:[ .-]?[0-9]){6,14}\\b|(?:\\([2-9][0-9]{2}\\)|\\b[2-9][0-9]{2})[ .-]?[0-9]{3}[ .-][0-9]{4}\\b',
    plan: 'scan',
  },
  { note: 'card', pattern: '\\b[2-6](?:[ -]?[0-9]){12,18}\\b', plan: 'scan' },
  {
    note: 'SSN',
    pattern:
      '\\b(?:00[1-9]|0[1-9][0-9]|[1-578][0-9]{2}|6[0-57-9][0-9]|66[0-57-9])-(?:0[1-9]|[1-9][0-9])-(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})\\b',
    plan: 'scan',
  },
  {
    note: 'IBAN',
    pattern: '\\b[A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\\b',
    plan: 'scan',
  },
  {
    note: 'numeric spans',
    pattern: '[+(A-Z0-9][A-Z0-9 ().+-]*[0-9](?:[A-Z0-9 ().+-]*[A-Z0-9])?',
    plan: 'class-run',
  },
  {
    note: 'AWS key',
    pattern: '\\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\\b',
    plan: 'scan',
  },
  {
    note: 'GitHub token',
    pattern: '\\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\\b',
    plan: 'scan',
  },
  {
    note: 'Slack token',
    pattern:
      '\\bxox[abposr]-[A-Za-z0-9-]{10,}|https://hooks\\.slack\\.com/services/[A-Za-z0-9_/]{20,}',
    plan: 'scan',
  },
  {
    note: 'OpenAI key',
    pattern: '\\bsk-(?:[A-Za-z0-9]{32,}|(?:proj|svcacct|admin|ant)-[A-Za-z0-9_-]{20,})',
    plan: 'scan',
  },
  {
    note: 'JWT',
    pattern: '\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{10,}',
    plan: 'run-to-literal',
  },
  {
    note: 'PEM private key',
    pattern: '-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----',
    plan: 'scan',
  },
  {
    note: 'credential assignment',
    pattern:
      '\\b(?:api[_-]?key|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|password|passwd|pwd)["\']?\\s*[:=]\\s*["\']?[^\\s"\',;]{6,}',
    plan: 'scan',
  },
  {
    note: 'instruction override',
    pattern:
      '\\b(?:ignore|disregard|forget|override|bypass)\\s+(?:(?:all|any|the|your|of|my|these|those)\\s+)*(?:previous|prior|above|earlier|preceding|system|original|initial|developer)\\s+(?:instructions?|prompts?|rules|directions|guidelines|messages?|context|constraints)\\b',
    plan: 'start-literals',
  },
  {
    note: 'persona override',
    pattern:
      '\\b(?:you\\s+are\\s+now\\s+(?:dan|in\\s+(?:developer|god|jailbreak)\\s+mode|jailbroken|unrestricted|unfiltered)|(?:act|pretend)\\s+(?:as|to\\s+be)\\s+dan|do\\s+anything\\s+now|(?:developer|god)\\s+mode\\s+(?:enabled|activated|on)|jailbreak(?:ed)?\\s+mode|pretend\\s+(?:that\\s+)?you\\s+have\\s+no\\s+(?:restrictions|rules|filters|guidelines))\\b',
    plan: 'scan',
  },
  {
    note: 'system prompt extraction',
    pattern:
      '\\b(?:reveal|show|print|repeat|output|display|leak|dump|tell\\s+me|what\\s+(?:is|are|was|were))\\s+(?:me\\s+)?(?:your|the)\\s+(?:(?:full|entire|exact|original|hidden|initial|secret)\\s+)*(?:system\\s+(?:prompt|message|instructions)|hidden\\s+instructions|initial\\s+instructions|instructions\\s+above)\\b',
    plan: 'start-literals',
  },
];

/** `unit` repeated to `n` UTF-16 units. */
function fill(unit: string, n: number): string {
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

/** Subjects crafted against the shipped patterns (runs read from every start, near misses). */
function adversarial(n: number): string[] {
  return [
    `${fill('a', n)}@x.y`,
    fill('a@', n),
    `a@${fill('b.', n)}`,
    `1234567 x5${fill('A', n)}x`,
    fill('4111 1111 1111 1111 ', n),
    fill('123-45-678 ', n),
    `GB82${fill('A', n)}`,
    fill('github_pat_', n),
    fill('xoxb-abcdefghi ', n),
    fill('sk-proj-', n),
    `${fill('-eyJ', n)}.eyJab`,
    `PRIVATE KEY -----BEGIN ${fill('A', n)}`,
    `password${fill(' ', n)}x`,
    `ignore ${fill('all ', n)}`,
    fill('ignore ', n),
    `reveal your ${fill('full ', n)}`,
  ];
}

/** Test, all matches with groups and the first two matches, as one comparable string. */
function outcome(re: CompiledRegex, subject: string): string {
  return JSON.stringify([
    re.test(subject),
    re.findAll(subject, -1, true),
    re.findAll(subject, 2, false),
  ]);
}

describe('linear-time regular expressions', () => {
  it('searches each shipped pattern on V8 under a plan that bounds the whole search', () => {
    const got = SHIPPED.map((p) => {
      const re = compileRe2(p.pattern);
      return { note: p.note, engine: re.engine, plan: re.search };
    });
    expect(got).toEqual(SHIPPED.map((p) => ({ note: p.note, engine: 'javascript', plan: p.plan })));
  });

  it('keeps that plan for subjects with astral characters', () => {
    const wrong: string[] = [];
    for (const p of SHIPPED) {
      const re = compileRe2(p.pattern);
      for (const subject of adversarial(300)) {
        const plain = re.engineFor(subject);
        // Only a start-literals pattern depends on the subject, and only on its literals.
        if (p.plan !== 'start-literals' && plain !== 'javascript')
          wrong.push(`${p.note} on ${JSON.stringify(subject)}`);
        for (const s of [`${ASTRAL}${subject}`, subject.replace(/ /g, ASTRAL)])
          if (re.engineFor(s) !== plain) wrong.push(`${p.note} on ${JSON.stringify(s)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('leaves patterns whose V8 search is quadratic across start positions to re2js', () => {
    const cases = [
      // The run class holds the character after it: every start reads to the end of the run.
      { note: 'run class holding the literal', pattern: '[a-z@.]+@x' },
      { note: 'negated run class holding the literal', pattern: '[^ ]+@x' },
      { note: 'run then a class inside it', pattern: '[a-z]+[0-9a-z]x' },
      { note: 'two runs of one class', pattern: 'x[a-z]*y[a-z]*z' },
    ];
    expect(cases.map((c) => [c.note, compileRe2(c.pattern).engine])).toEqual(
      cases.map((c) => [c.note, 're2js']),
    );
  });

  it('sends a subject with many of the literals a match starts with to re2js', () => {
    const re = compileRe2('a[a-z]*b');
    expect(re.search).toBe('start-literals');
    const few = `${'a '.repeat(MAX_SLOW_STARTS)}xyz`;
    const many = `${'a '.repeat(MAX_SLOW_STARTS + 1)}xyz`;
    expect([re.engineFor(few), re.engineFor(many), re.engineFor('a'.repeat(5000))]).toEqual([
      'javascript',
      're2js',
      're2js',
    ]);
    const reference = compileRe2('a[a-z]*b', 're2js');
    for (const s of [few, many, `${many}ab aab`, `${'aaab '.repeat(40)}`])
      expect(outcome(re, s), s).toBe(outcome(reference, s));
  });

  it('counts overlapping occurrences of the start literals', () => {
    const re = compileRe2('(?:aa|ab)[a-z]*a!');
    expect(re.search).toBe('start-literals');
    // 17 overlapping "aa" in 18 a's: past the limit, though 9 would fit without overlaps.
    expect(re.engineFor('a'.repeat(MAX_SLOW_STARTS + 2))).toBe('re2js');
  });

  it('finds what re2js finds for the shipped patterns on crafted subjects', () => {
    const wrong: string[] = [];
    for (const p of SHIPPED) {
      const fast = compileRe2(p.pattern);
      const reference = compileRe2(p.pattern, 're2js');
      for (const subject of adversarial(200)) {
        for (const s of [subject, `${ASTRAL}${subject}`, subject.replace(/ /g, ASTRAL)]) {
          const got = outcome(fast, s);
          const want = outcome(reference, s);
          if (got !== want) wrong.push(`${p.note} on ${JSON.stringify(s)}: ${got} != ${want}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('agrees with re2js on random subjects for each plan, astral characters included', () => {
    const random = seededRandom(testSeed(0x11ea7));
    const patterns = [
      // run-to-literal with a prefix inside the run class, and with a Unicode class.
      '\\beyJ[a-z_-]{2,}\\.eyJ[a-z]{2,}',
      '(ab|b)[a-z]+:([a-z]*)',
      '[\\pL.]+@[a-z]+',
      '[^ @]+@[^ ]+',
      // class-run with classes that hold astral characters or not.
      '[A-Z(][A-Z0-9 (]*[0-9](?:[A-Z ]*[A-Z])?',
      '[a-z][^0-9]*[0-9]',
      '\\pL[\\pL ]*[0-9]',
      // class-run whose first class holds the last one's characters (a match may start at a D).
      '[A-Z0-9(][A-Z0-9 (]*[0-9](?:[A-Z ]*[A-Z])?',
      '[a-z0-9][a-z ]*[0-9]( [a-z]*)?',
      // scan under a barrier, and start literals.
      'b[a-z ]*:',
      '(?:ab|e)[a-z]*!',
    ];
    const alphabet = ['a', 'b', 'e', 'y', 'J', 'z', 'A', 'Z', '(', '1', '0', ' ', '.', '@', ':'];
    const more = ['-', '_', '!', 'é', 'Ω', ASTRAL, '\u{1D400}', 'eyJ', 'ab'];
    const wrong: string[] = [];
    for (const pattern of patterns) {
      const fast = compileRe2(pattern);
      const reference = compileRe2(pattern, 're2js');
      for (let n = 0; n < 200 && wrong.length < 5; n++) {
        const size = random.int(4) === 0 ? 200 + random.int(100) : random.int(30);
        let subject = '';
        for (let i = 0; i < size; i++)
          subject += random.int(5) === 0 ? random.pick(more) : random.pick(alphabet);
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
