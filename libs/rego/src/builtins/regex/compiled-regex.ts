/**
 * A compiled RE2 pattern behind one interface: re2js validates every pattern (so what Go
 * rejects is rejected) and runs the ones that cannot be translated or whose search on V8
 * is not proven linear; the others run on JavaScript's RegExp with the same matches.
 * Offsets are UTF-16 indexes into the subject.
 */
import { RE2JS } from 're2js';
import { JavaScriptRegex } from './javascript-regex.js';
import type { SearchKind } from './re2-linearity.js';
import { translateRe2 } from './re2-translate.js';
import { Re2jsRegex } from './re2js-regex.js';

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
  /** How V8 searches it in linear time (see `re2-linearity.ts`); undefined on re2js. */
  readonly search: SearchKind | undefined;
  /** The engine that runs this pattern on `s` (only `start-literals` patterns depend on it). */
  engineFor(s: string): 'javascript' | 're2js';
}

/**
 * Compiles a pattern with RE2's syntax and semantics; throws re2js' error for invalid RE2.
 * `engine: 're2js'` skips the translation (tests compare both engines with it).
 */
export function compileRe2(pattern: string, engine?: 're2js'): CompiledRegex {
  const re2 = RE2JS.compile(pattern);
  const fallback = new Re2jsRegex(re2);
  const translated = engine === 're2js' ? undefined : translateRe2(pattern);
  if (translated?.plan === undefined) return fallback;
  return new JavaScriptRegex({ ...translated, plan: translated.plan }, fallback, re2.namedGroups());
}
