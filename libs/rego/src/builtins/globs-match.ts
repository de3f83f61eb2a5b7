/**
 * `regex.globs_match`: whether two "glob-style" regular expressions (only `.`, `*`, `+`,
 * `[a-z]` classes and `\` escapes are special) share a non-empty string. Each pattern becomes
 * a list of character sets that must or may repeat; a search over pairs of positions decides.
 */
import { bool } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { builtinError, stringArg } from './operands.js';

/** Inclusive code point ranges. */
type CharSet = readonly (readonly [number, number])[];

interface Token {
  readonly chars: CharSet;
  /** `x*`: any number of x, including none. */
  readonly star: boolean;
}

const ANY: CharSet = [[0, 0x10ffff]];

function single(cp: number): CharSet {
  return [[cp, cp]];
}

/** Parses a glob; `x+` becomes `x x*`. Throws on an unclosed class or dangling escape. */
function parseGlob(pattern: string): Token[] {
  const chars = [...pattern];
  const tokens: Token[] = [];
  let i = 0;
  const codePoint = (c: string) => c.codePointAt(0) as number;
  while (i < chars.length) {
    const c = chars[i] as string;
    let set: CharSet;
    if (c === '.') {
      set = ANY;
      i++;
    } else if (c === '\\') {
      const next = chars[i + 1];
      if (next === undefined) throw new Error('dangling escape');
      set = single(codePoint(next));
      i += 2;
    } else if (c === '[') {
      const ranges: [number, number][] = [];
      i++;
      while (chars[i] !== ']') {
        let low = chars[i];
        if (low === undefined) throw new Error('unclosed character class');
        if (low === '\\') {
          i++;
          low = chars[i];
          if (low === undefined) throw new Error('dangling escape');
        }
        if (chars[i + 1] === '-' && chars[i + 2] !== undefined && chars[i + 2] !== ']') {
          ranges.push([codePoint(low), codePoint(chars[i + 2] as string)]);
          i += 3;
        } else {
          ranges.push([codePoint(low), codePoint(low)]);
          i++;
        }
      }
      i++;
      set = ranges;
    } else if (c === '*' || c === '+') {
      throw new Error(`quantifier ${c} without a character before it`);
    } else {
      set = single(codePoint(c));
      i++;
    }
    const quantifier = chars[i];
    if (quantifier === '*') {
      tokens.push({ chars: set, star: true });
      i++;
    } else if (quantifier === '+') {
      tokens.push({ chars: set, star: false }, { chars: set, star: true });
      i++;
    } else {
      tokens.push({ chars: set, star: false });
    }
  }
  return tokens;
}

function overlap(a: CharSet, b: CharSet): boolean {
  return a.some(([lo1, hi1]) => b.some(([lo2, hi2]) => lo1 <= hi2 && lo2 <= hi1));
}

/** Whether some non-empty string matches both token lists. */
function nonEmptyIntersection(a: readonly Token[], b: readonly Token[]): boolean {
  const seen = new Set<string>();
  const stack: [number, number, boolean][] = [[0, 0, false]];
  while (stack.length > 0) {
    const [i, j, consumed] = stack.pop() as [number, number, boolean];
    const key = `${i},${j},${consumed}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length && consumed) return true;
    const ta = a[i];
    const tb = b[j];
    // A starred token may be left behind without consuming anything.
    if (ta?.star) stack.push([i + 1, j, consumed]);
    if (tb?.star) stack.push([i, j + 1, consumed]);
    if (ta !== undefined && tb !== undefined && overlap(ta.chars, tb.chars)) {
      stack.push([ta.star ? i : i + 1, tb.star ? j : j + 1, true]);
    }
  }
  return false;
}

export const GLOBS_MATCH_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'regex.globs_match',
    arity: 2,
    implementation: (args) => {
      const name = 'regex.globs_match';
      const left = stringArg(name, args, 0);
      const right = stringArg(name, args, 1);
      try {
        return bool(nonEmptyIntersection(parseGlob(left), parseGlob(right)));
      } catch (error) {
        throw builtinError(name, error instanceof Error ? error.message : String(error));
      }
    },
  },
];
