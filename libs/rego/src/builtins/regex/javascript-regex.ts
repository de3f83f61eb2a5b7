/**
 * A translated pattern on V8's RegExp, searched the way its `SearchPlan` proves linear
 * (`re2-linearity.ts`). Subjects the plan does not cover (a `start-literals` pattern on a
 * subject full of its literals) go to re2js. Offsets are UTF-16 indexes into the subject.
 */
import { searchIncludes } from '../strings/string-search.js';
import { ClassTest, widthAt, widthBefore } from './class-test.js';
import type { CompiledRegex } from './compiled-regex.js';
import { MAX_SLOW_STARTS, type SearchPlan } from './re2-linearity.js';
import type { JsRegexSource } from './re2-translate.js';
import type { Re2jsRegex } from './re2js-regex.js';

/** One JavaScript RegExp for each use: testing, finding, finding with group indices, anchored. */
class RegExpSet {
  readonly tester: RegExp;
  readonly finder: RegExp;
  private groupFinder: RegExp | undefined;
  private readonly stickies = new Map<string, RegExp>();
  constructor(
    private readonly source: string,
    private readonly flags: string,
  ) {
    this.tester = new RegExp(source, flags);
    this.finder = new RegExp(source, `${flags}g`);
  }
  withGroups(): RegExp {
    if (this.groupFinder === undefined) {
      this.groupFinder = new RegExp(this.source, `${this.flags}gd`);
    }
    return this.groupFinder;
  }
  /** Anchored at `lastIndex`. */
  sticky(groups: boolean): RegExp {
    const key = groups ? 'yd' : 'y';
    let re = this.stickies.get(key);
    if (re === undefined) {
      re = new RegExp(this.source, `${this.flags}${key}`);
      this.stickies.set(key, re);
    }
    return re;
  }
}

const SURROGATE = /[\uD800-\uDFFF]/;
/**
 * Characters whose case folding (Go's and the `u` flag's) reaches Latin-1 while the legacy
 * `i` canonicalisation does not: ſ (s), K (k), Å (å), ẞ (ß).
 */
const SPECIAL_FOLDS = /[\u017F\u212A\u212B\u1E9E]/;

/** Whether the last subject seen suits the non-unicode variants (checked once per subject). */
let lastSubject: string | undefined;
let lastPlain = false;
let lastSpecialFolds = false;

function classify(s: string): void {
  if (s === lastSubject) return;
  lastSubject = s;
  lastPlain = !SURROGATE.test(s);
  lastSpecialFolds = SPECIAL_FOLDS.test(s);
}

/** `[start, end]` of a match, followed by its groups' bounds (-1 when unset) when asked. */
function bounds(m: RegExpExecArray, groups: boolean): number[] {
  const out = [m.index, m.index + m[0].length];
  if (!groups) return out;
  const indices = m.indices ?? [];
  for (let g = 1; g < m.length; g++) {
    const pair = indices[g];
    out.push(pair ? pair[0] : -1, pair ? pair[1] : -1);
  }
  return out;
}

/**
 * Runs the sticky `re`, which must match, at `start`, appends the match's bounds to `out`
 * and returns its end. Without groups, `test` finds the end without building a match array
 * (most of the cost of a short match).
 */
function stickyMatch(
  re: RegExp,
  s: string,
  start: number,
  groups: boolean,
  out: number[][],
): number {
  re.lastIndex = start;
  if (!groups) {
    if (!re.test(s)) throw new Error(`search plan: no match at ${start}`);
    out.push([start, re.lastIndex]);
    return re.lastIndex;
  }
  const m = re.exec(s);
  if (m === null) throw new Error(`search plan: no match at ${start}`);
  out.push(bounds(m, true));
  return m.index + m[0].length;
}

/** How many ASCII characters `nextOf` reads itself before handing the search to V8. */
const NEAR = 32;

/**
 * Where the next character of `test`'s class (found by `finder`) starts, at `from` or later,
 * or -1. In a run of short chains the next one is a few characters away, where a look at
 * the ASCII table costs far less than a call into the regex engine; further away (prose)
 * or past a non-ASCII character, V8's scan is the faster.
 */
function nextOf(test: ClassTest, finder: RegExp, s: string, from: number): number {
  const end = Math.min(s.length, from + NEAR);
  let i = from;
  for (; i < end; i++) {
    const code = s.charCodeAt(i);
    if (code >= 128) break;
    if (test.ascii[code] === 1) return i;
  }
  // `test` builds no match array; the class matches one character, ending at lastIndex.
  finder.lastIndex = i;
  if (!finder.test(s)) return -1;
  return finder.lastIndex - widthBefore(s, finder.lastIndex);
}

/** A literal as RegExp source valid with the `u` flag (which rejects escapes such as `\\-`). */
function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, (c) => `\\${c}`);
}

/**
 * A part of the pattern as its own RegExp, with and without `u`: V8 runs the plain one about
 * twice as fast, and it means the same on a subject without surrogates.
 */
class PartRegExp {
  private readonly unicode: RegExp;
  private readonly plain: RegExp | undefined;
  constructor(source: string, flags: string, plainFlags: string | undefined, use: string) {
    this.unicode = new RegExp(source, `${flags}${use}`);
    this.plain = plainFlags === undefined ? undefined : new RegExp(source, `${plainFlags}${use}`);
  }
  get(plain: boolean): RegExp {
    return plain && this.plain !== undefined ? this.plain : this.unicode;
  }
}

/** The compiled parts of a `run-to-literal` plan. */
interface RunSearch {
  readonly literal: string;
  readonly member: ClassTest;
  readonly minBefore: number;
  /** P, searched (global) inside one run; undefined when the loop starts the pattern. */
  readonly prefix: PartRegExp | undefined;
  /** `L R`, anchored at an L. */
  readonly tail: PartRegExp;
}

/** The compiled parts of a `class-run` plan. */
interface ClassRunSearch {
  /** Finds the next character of D, where a chain can end. */
  readonly lastFinder: PartRegExp;
  readonly first: ClassTest;
  readonly member: ClassTest;
  readonly last: ClassTest;
}

export class JavaScriptRegex implements CompiledRegex {
  readonly engine = 'javascript';
  private readonly unicode: RegExpSet;
  private readonly plain: RegExpSet | undefined;
  private readonly caseInsensitive: boolean;
  private readonly surrogateSafe: boolean;
  private readonly required: readonly string[];
  /**
   * One RegExp per set of literals of which a match needs one: V8 searches a single
   * literal with `indexOf`, which costs several nanoseconds per occurrence of its first
   * character (a run of `A`s against `AKIA`), while an alternation goes through the regex
   * engine's quick checks, linear with a small constant on any text.
   */
  private readonly requiredAny: readonly RegExp[];
  private readonly run: RunSearch | undefined;
  private readonly classRun: ClassRunSearch | undefined;
  /** For `start-literals`: finds the literals, to count them in a subject. */
  private readonly starts: RegExp | undefined;
  private startsSubject: string | undefined;
  private startsFew = false;

  constructor(
    translated: JsRegexSource & { readonly plan: SearchPlan },
    private readonly fallback: Re2jsRegex,
    readonly names: Readonly<Record<string, number>>,
  ) {
    const { source, flags, plan } = translated;
    this.search = plan.kind;
    this.unicode = new RegExpSet(source, flags);
    this.plain =
      translated.plainFlags === undefined
        ? undefined
        : new RegExpSet(source, translated.plainFlags);
    this.caseInsensitive = flags.includes('i');
    this.surrogateSafe = translated.surrogateSafe === true;
    this.required = translated.required;
    this.requiredAny = translated.requiredAny.map(
      (literals) => new RegExp(literals.map(escapeLiteral).join('|'), 'u'),
    );
    this.run =
      plan.kind !== 'run-to-literal'
        ? undefined
        : {
            literal: plan.run.literal,
            member: new ClassTest(plan.run.member),
            minBefore: plan.run.minBefore,
            prefix:
              plan.run.prefix === ''
                ? undefined
                : new PartRegExp(plan.run.prefix, flags, translated.plainFlags, 'g'),
            tail: new PartRegExp(plan.run.tail, flags, translated.plainFlags, 'y'),
          };
    this.classRun =
      plan.kind !== 'class-run'
        ? undefined
        : {
            lastFinder: new PartRegExp(plan.classes.last.js, flags, translated.plainFlags, 'g'),
            first: new ClassTest(plan.classes.first.probe),
            member: new ClassTest(plan.classes.member.probe),
            last: new ClassTest(plan.classes.last.probe),
          };
    this.starts =
      plan.kind !== 'start-literals'
        ? undefined
        : new RegExp(plan.literals.map(escapeLiteral).join('|'), 'gu');
  }

  readonly search: SearchPlan['kind'];

  engineFor(s: string): 'javascript' | 're2js' {
    return this.starts === undefined || this.fewStarts(s) ? 'javascript' : 're2js';
  }

  /**
   * Whether the subject holds at most MAX_SLOW_STARTS occurrences (overlapping ones counted)
   * of the literals every match starts with: then V8 makes at most that many attempts that
   * can read far. Remembered for the last subject.
   */
  private fewStarts(s: string): boolean {
    if (s === this.startsSubject) return this.startsFew;
    const finder = this.starts as RegExp;
    let count = 0;
    finder.lastIndex = 0;
    for (let m = finder.exec(s); m !== null && count <= MAX_SLOW_STARTS; m = finder.exec(s)) {
      count++;
      finder.lastIndex = m.index + widthAt(s, m.index);
    }
    this.startsSubject = s;
    this.startsFew = count <= MAX_SLOW_STARTS;
    return this.startsFew;
  }

  /** The variant for a subject: without `u` when that cannot change the outcome. */
  private variant(s: string): RegExpSet {
    if (this.plain === undefined) return this.unicode;
    classify(s);
    if (!lastPlain && !this.surrogateSafe) return this.unicode;
    if (this.caseInsensitive && lastSpecialFolds) return this.unicode;
    return this.plain;
  }

  /**
   * Whether the pattern's parts may run without `u` on the subject just classified: when the
   * whole pattern does and the subject has no surrogates (a part may match empty).
   */
  private plainParts(variant: RegExpSet): boolean {
    return variant === this.plain && lastPlain;
  }

  /** A cheap pre-check: `includes` is far faster than a scan that cannot succeed. */
  private impossible(s: string): boolean {
    for (const literal of this.required) if (!searchIncludes(s, literal)) return true;
    for (const anyOf of this.requiredAny) if (!anyOf.test(s)) return true;
    return false;
  }

  test(s: string): boolean {
    if (this.impossible(s)) return false;
    if (this.run !== undefined) return this.runSearch(s, 1, false).length > 0;
    if (this.classRun !== undefined) return this.classRunSearch(s, 1, false).length > 0;
    if (this.starts !== undefined && !this.fewStarts(s)) return this.fallback.test(s);
    return this.variant(s).tester.test(s);
  }

  findAll(s: string, n: number, groups: boolean): number[][] {
    if (n === 0 || this.impossible(s)) return [];
    const limit = n < 0 ? Number.POSITIVE_INFINITY : n;
    if (this.run !== undefined) return this.runSearch(s, limit, groups);
    if (this.classRun !== undefined) return this.classRunSearch(s, limit, groups);
    if (this.starts !== undefined && !this.fewStarts(s)) return this.fallback.findAll(s, n, groups);
    return this.scan(s, limit, groups);
  }

  /**
   * A `P C{m,} L R` search. The loop ends at the first character outside C, which must be L,
   * and P lies inside the run of C before it: so every match ends its loop at the L that
   * ends the run it starts in. At each L, `L R` is tried once; when it matches, the match is
   * the first start in the run where P matches with room for the loop. Runs are disjoint
   * (L is not in C), so each character is walked over once.
   */
  private runSearch(s: string, limit: number, groups: boolean): number[][] {
    const run = this.run as RunSearch;
    const variant = this.variant(s);
    const re = variant.sticky(groups);
    const plain = this.plainParts(variant);
    const out: number[][] = [];
    let pos = 0;
    while (out.length < limit) {
      const at = s.indexOf(run.literal, pos + run.minBefore);
      if (at < 0) break;
      let start = at;
      for (let w = 0; start > pos; start -= w) {
        w = widthBefore(s, start);
        if (!run.member.at(s, start - w, w)) break;
      }
      const tail = run.tail.get(plain);
      tail.lastIndex = at;
      const m =
        at - start >= run.minBefore && tail.test(s) ? this.runMatch(s, start, at, re, plain) : null;
      if (m === null) {
        pos = at + 1;
        continue;
      }
      out.push(bounds(m, groups));
      pos = m.index + m[0].length;
    }
    return out;
  }

  /** The match starting first in the run `[start, at)`, given that `L R` matches at `at`. */
  private runMatch(
    s: string,
    start: number,
    at: number,
    re: RegExp,
    plain: boolean,
  ): RegExpExecArray | null {
    const run = this.run as RunSearch;
    const last = at - run.minBefore;
    if (run.prefix === undefined) {
      re.lastIndex = start;
      return re.exec(s);
    }
    // P is searched in the run alone (with one character of context on each side, for its
    // assertions), so that a run without P costs one scan of the run, not of the subject.
    const from = start > 0 ? start - widthBefore(s, start) : 0;
    const window = s.slice(from, at + 1);
    const finder = run.prefix.get(plain);
    finder.lastIndex = start - from;
    for (let p = finder.exec(window); p !== null; p = finder.exec(window)) {
      const candidate = from + p.index;
      if (candidate > last) break;
      re.lastIndex = candidate;
      const m = re.exec(s);
      if (m !== null) return m;
      finder.lastIndex = p.index + widthAt(window, p.index);
    }
    return null;
  }

  /**
   * An `A C* D…` search (nothing after D can fail): a match starts at the first A whose
   * following characters are C up to a D. From each D (found by V8, so prose without digits
   * costs one scan), walk back over the C run before it, but not past the previous D, and
   * look forward from the character before the run for the first A. What lies before the
   * previous D was looked at for it and held no A of an open chain, so each character is
   * walked over at most twice.
   */
  private classRunSearch(s: string, limit: number, groups: boolean): number[][] {
    const { first, member, last } = this.classRun as ClassRunSearch;
    const variant = this.variant(s);
    const re = variant.sticky(groups);
    const lastFinder = (this.classRun as ClassRunSearch).lastFinder.get(this.plainParts(variant));
    const out: number[][] = [];
    // Matches start at `pos` or later; positions before `seen` are known to start none.
    let pos = 0;
    let seen = 0;
    while (out.length < limit) {
      const at = nextOf(last, lastFinder, s, Math.max(seen, pos + 1));
      if (at < 0) break;
      let run = at;
      for (let w = 0; run > seen; run -= w) {
        w = widthBefore(s, run);
        if (!member.at(s, run - w, w)) break;
      }
      let start = -1;
      for (let i = run > pos ? run - widthBefore(s, run) : pos; i < at; ) {
        const w = widthAt(s, i);
        if (first.at(s, i, w)) {
          start = i;
          break;
        }
        i += w;
      }
      if (start < 0) {
        // No match starts before this D. When the D is an A followed by a D (the second
        // digit of a run), a match starts right here: taking it saves a search for that D.
        const w = widthAt(s, at);
        if (first.at(s, at, w) && at + w < s.length && last.at(s, at + w, widthAt(s, at + w))) {
          start = at;
        } else {
          seen = at + w;
          continue;
        }
      }
      pos = stickyMatch(re, s, start, groups, out);
      seen = pos;
    }
    return out;
  }

  /** V8's own search, Go's rules for empty matches. */
  private scan(s: string, limit: number, groups: boolean): number[][] {
    const variant = this.variant(s);
    const re = groups ? variant.withGroups() : variant.finder;
    const out: number[][] = [];
    let prevEnd = -1;
    for (let pos = 0; out.length < limit && pos <= s.length; ) {
      re.lastIndex = pos;
      const m = re.exec(s);
      if (m === null) break;
      const start = m.index;
      const end = start + m[0].length;
      let accept = true;
      if (end === pos) {
        // An empty match at the search position: Go skips it right after a match and moves on by one code point.
        if (start === prevEnd) accept = false;
        const code = s.charCodeAt(pos);
        pos += code >= 0xd800 && code <= 0xdbff && pos + 1 < s.length ? 2 : 1;
      } else {
        pos = end;
      }
      prevEnd = end;
      if (accept) out.push(bounds(m, groups));
    }
    return out;
  }
}
