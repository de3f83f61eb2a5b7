/**
 * A compiled RE2 pattern behind one interface: re2js validates every pattern (so what Go
 * rejects is rejected) and runs the ones that cannot be translated; translated patterns run
 * on JavaScript's RegExp with the same matches. Offsets are UTF-16 indexes into the subject.
 */
import { RE2JS } from 're2js';
import { searchIncludes } from '../strings/string-search.js';
import { type ClassAnchor, type LeadingRun, translateRe2 } from './re2-translate.js';

export interface CompiledRegex {
  /** Whether the pattern matches anywhere in `s`. */
  test(s: string): boolean;
  /**
   * Go's `FindAll…Index`: up to `n` matches (all when negative), successive and
   * non-overlapping, empty matches right after a match skipped. Each match is
   * `[start, end]`, followed by the groups' bounds (-1 when unset) when `groups` is true.
   */
  findAll(s: string, n: number, groups: boolean): number[][];
  /** Capture group numbers by name. */
  readonly names: Readonly<Record<string, number>>;
  /** Which engine runs the pattern, for diagnostics and tests. */
  readonly engine: 'javascript' | 're2js';
}

/** The loosely typed, Go-style API of re2js' RE2 class that is used here. */
interface Re2GoApi {
  findAllIndex(s: string, n: number): number[][] | null;
  findAllSubmatchIndex(s: string, n: number): number[][] | null;
}

class Re2jsRegex implements CompiledRegex {
  readonly engine = 're2js';
  private readonly go: Re2GoApi;
  readonly names: Readonly<Record<string, number>>;
  constructor(private readonly pattern: RE2JS) {
    this.go = pattern.re2() as unknown as Re2GoApi;
    this.names = pattern.namedGroups();
  }
  test(s: string): boolean {
    return this.pattern.test(s);
  }
  findAll(s: string, n: number, groups: boolean): number[][] {
    return (groups ? this.go.findAllSubmatchIndex(s, n) : this.go.findAllIndex(s, n)) ?? [];
  }
}

/** One JavaScript RegExp for each use: testing, finding, finding with group indices. */
class RegExpSet {
  readonly tester: RegExp;
  readonly finder: RegExp;
  private groupFinder: RegExp | undefined;
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
  /** Anchored at `lastIndex`, for the leading-run search. */
  sticky(groups: boolean): RegExp {
    const key = groups ? 'yd' : 'y';
    let re = this.stickies.get(key);
    if (re === undefined) {
      re = new RegExp(this.source, `${this.flags}${key}`);
      this.stickies.set(key, re);
    }
    return re;
  }
  private readonly stickies = new Map<string, RegExp>();
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

/** Whether a subject has no surrogates, so that single UTF-16 units are characters. */
function lastPlainFor(s: string): boolean {
  classify(s);
  return lastPlain;
}

/**
 * Membership of one character in a class, with ASCII answered from a table: the searches
 * below walk back over runs of a class one character at a time, and a RegExp test per
 * character costs far more than the walk itself.
 */
class ClassTest {
  private readonly ascii = new Uint8Array(128);
  constructor(private readonly probe: RegExp) {
    for (let c = 0; c < 128; c++) this.ascii[c] = probe.test(String.fromCharCode(c)) ? 1 : 0;
  }
  /** Whether `s[i]` (a whole character: subjects here have no surrogates) is in the class. */
  at(s: string, i: number): boolean {
    const code = s.charCodeAt(i);
    return code < 128 ? this.ascii[code] === 1 : this.probe.test(s[i] as string);
  }
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

class JavaScriptRegex implements CompiledRegex {
  readonly engine = 'javascript';
  private readonly unicode: RegExpSet;
  private readonly plain: RegExpSet | undefined;
  private readonly caseInsensitive: boolean;
  constructor(
    source: string,
    flags: string,
    plainFlags: string | undefined,
    private readonly surrogateSafe: boolean,
    private readonly required: readonly string[],
    private readonly requiredAny: readonly (readonly string[])[],
    private readonly leadingRun: LeadingRun | undefined,
    classAnchor: ClassAnchor | undefined,
    readonly names: Readonly<Record<string, number>>,
  ) {
    this.unicode = new RegExpSet(source, flags);
    this.plain = plainFlags === undefined ? undefined : new RegExpSet(source, plainFlags);
    this.caseInsensitive = flags.includes('i');
    this.anchor =
      classAnchor === undefined
        ? undefined
        : {
            finder: new RegExp(classAnchor.anchor, 'g'),
            member: new ClassTest(classAnchor.member),
          };
    this.runMember = leadingRun === undefined ? undefined : new ClassTest(leadingRun.member);
  }

  /** For `A C* D…` patterns: finds characters of D, and tests characters for C. */
  private readonly anchor: { readonly finder: RegExp; readonly member: ClassTest } | undefined;
  /** The leading run's class, for `runSearch`. */
  private readonly runMember: ClassTest | undefined;

  /** The variant for a subject: without `u` when that cannot change the outcome. */
  private variant(s: string): RegExpSet {
    if (this.plain === undefined) return this.unicode;
    classify(s);
    if (!lastPlain && !this.surrogateSafe) return this.unicode;
    if (this.caseInsensitive && lastSpecialFolds) return this.unicode;
    return this.plain;
  }

  /** A cheap pre-check: `includes` is far faster than a scan that cannot succeed. */
  private impossible(s: string): boolean {
    for (const literal of this.required) if (!searchIncludes(s, literal)) return true;
    for (const alternatives of this.requiredAny) {
      let any = false;
      for (const literal of alternatives) {
        if (searchIncludes(s, literal)) {
          any = true;
          break;
        }
      }
      if (!any) return true;
    }
    return false;
  }

  test(s: string): boolean {
    if (this.impossible(s)) return false;
    if (this.leadingRun !== undefined && lastPlainFor(s))
      return this.runSearch(s, 1, false).length > 0;
    if (this.anchor !== undefined && lastPlainFor(s))
      return this.anchorSearch(s, 1, false).length > 0;
    return this.variant(s).tester.test(s);
  }

  /**
   * Matches of a pattern that starts with a run of one class ending at a literal outside it:
   * one anchored attempt at the start of the run before each occurrence of the literal.
   * Such matches are never empty. Only for subjects without surrogates.
   */
  private runSearch(s: string, limit: number, groups: boolean): number[][] {
    const run = this.leadingRun as LeadingRun;
    const re = this.variant(s).sticky(groups);
    const out: number[][] = [];
    let pos = 0;
    while (out.length < limit) {
      const at = s.indexOf(run.literal, pos);
      if (at < 0) break;
      let start = at;
      const member = this.runMember as ClassTest;
      while (start > pos && member.at(s, start - 1)) start--;
      if (at - start < run.min) {
        pos = at + 1;
        continue;
      }
      re.lastIndex = start;
      const m = re.exec(s);
      if (m === null) {
        pos = at + 1;
        continue;
      }
      out.push(bounds(m, groups));
      pos = m.index + m[0].length;
    }
    return out;
  }

  /**
   * Matches of an `A C* D…` pattern (see ClassAnchor), never empty: before each search, skip
   * to the character before the C-run that ends at the next D. Only for subjects without
   * surrogates, where one UTF-16 unit is one character.
   */
  private anchorSearch(s: string, limit: number, groups: boolean): number[][] {
    const { finder, member } = this.anchor!;
    const variant = this.variant(s);
    const re = groups ? variant.withGroups() : variant.finder;
    const out: number[][] = [];
    let pos = 0;
    while (out.length < limit && pos < s.length) {
      finder.lastIndex = pos + 1;
      // `test` builds no match array; D matches one character, so it ends at lastIndex.
      if (!finder.test(s)) break;
      let runStart = finder.lastIndex - 1;
      while (runStart > pos + 1 && member.at(s, runStart - 1)) runStart--;
      re.lastIndex = runStart - 1;
      const m = re.exec(s);
      if (m === null) break;
      out.push(bounds(m, groups));
      pos = m.index + m[0].length;
    }
    return out;
  }

  findAll(s: string, n: number, groups: boolean): number[][] {
    if (n === 0 || this.impossible(s)) return [];
    const limit = n < 0 ? Number.POSITIVE_INFINITY : n;
    if (this.leadingRun !== undefined && lastPlainFor(s)) return this.runSearch(s, limit, groups);
    if (this.anchor !== undefined && lastPlainFor(s)) return this.anchorSearch(s, limit, groups);
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

/**
 * Compiles a pattern with RE2's syntax and semantics; throws re2js' error for invalid RE2.
 * `engine: 're2js'` skips the translation (tests compare both engines with it).
 */
export function compileRe2(pattern: string, engine?: 're2js'): CompiledRegex {
  const re2 = RE2JS.compile(pattern);
  const translated = engine === 're2js' ? undefined : translateRe2(pattern);
  if (translated === undefined) return new Re2jsRegex(re2);
  return new JavaScriptRegex(
    translated.source,
    translated.flags,
    translated.plainFlags,
    translated.surrogateSafe === true,
    translated.required,
    translated.requiredAny,
    translated.leadingRun,
    translated.classAnchor,
    re2.namedGroups(),
  );
}
