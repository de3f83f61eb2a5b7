/**
 * Go's `strings.NewReplacer`, as `strings.replace_n` uses it: at each position of the subject
 * the first pattern (in key order) that starts there is replaced, and the scan resumes after
 * it. Prepared once per patterns object and kept while the object lives (values are
 * immutable): the pairs sorted and grouped by their first UTF-16 unit, so that a position costs
 * one table lookup rather than a comparison with every pattern, and unmatched text is copied
 * in spans rather than a character at a time. A policy that maps letters to numbers (the IBAN
 * check: 26 patterns) replaced a 30-character string in about 5 µs before, 0.3 µs now.
 */
import type { ObjectValue } from '../../value/value.js';
import { operandValueError } from '../operands.js';

type Pair = readonly [old: string, replacement: string];

const prepared = new WeakMap<ObjectValue, StringReplacer>();

export class StringReplacer {
  /** Pairs whose pattern starts with an ASCII unit, by that unit; then the others, by unit. */
  readonly #ascii: (readonly Pair[] | undefined)[] = new Array(128).fill(undefined);
  readonly #other = new Map<number, Pair[]>();

  private constructor(pairs: readonly Pair[]) {
    for (const pair of pairs) {
      // An empty pattern never matches here (OPA's replacer is only ever given non-empty ones).
      if (pair[0] === '') continue;
      const first = pair[0].charCodeAt(0);
      if (first < 128) this.#ascii[first] = [...(this.#ascii[first] ?? []), pair];
      else this.#other.set(first, [...(this.#other.get(first) ?? []), pair]);
    }
  }

  /** The replacer of `patterns` (an object of string keys and string values), prepared once. */
  static of(patterns: ObjectValue): StringReplacer {
    let replacer = prepared.get(patterns);
    if (replacer === undefined) {
      replacer = new StringReplacer(sortedPairs(patterns));
      prepared.set(patterns, replacer);
    }
    return replacer;
  }

  replace(s: string): string {
    let out = '';
    let copiedTo = 0;
    let i = 0;
    while (i < s.length) {
      const unit = s.charCodeAt(i);
      const candidates = unit < 128 ? this.#ascii[unit] : this.#other.get(unit);
      const hit = candidates === undefined ? undefined : firstAt(candidates, s, i);
      if (hit === undefined) {
        i++;
        continue;
      }
      out += s.slice(copiedTo, i) + hit[1];
      i += hit[0].length;
      copiedTo = i;
    }
    return copiedTo === 0 ? s : out + s.slice(copiedTo);
  }
}

function firstAt(candidates: readonly Pair[], s: string, at: number): Pair | undefined {
  for (const pair of candidates) if (s.startsWith(pair[0], at)) return pair;
  return undefined;
}

/** The pairs in key order; the first key or value that is not a string is an operand error. */
function sortedPairs(patterns: ObjectValue): Pair[] {
  return [...patterns.entries.values()]
    .sort((a, b) =>
      a[0].kind === 'string' && b[0].kind === 'string' ? (a[0].value < b[0].value ? -1 : 1) : 0,
    )
    .map(([k, v]): Pair => {
      if (k.kind !== 'string')
        throw operandValueError(
          'strings.replace_n',
          1,
          `must be object with string keys but got ${k.kind} key`,
        );
      if (v.kind !== 'string')
        throw operandValueError(
          'strings.replace_n',
          1,
          `must be object with string values but got ${v.kind} value`,
        );
      return [k.value, v.value];
    });
}
