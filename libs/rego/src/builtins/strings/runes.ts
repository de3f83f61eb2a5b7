/**
 * Code-point helpers: OPA counts and indexes strings by Unicode code point, JavaScript by
 * UTF-16 unit. The fast paths skip the conversion for strings without surrogates.
 */

const SURROGATE = /[\uD800-\uDFFF]/;

/** The last string checked: policies ask about the same prompt many times in one query. */
let lastString: string | undefined;
let lastHasSurrogates = false;

export function hasSurrogates(s: string): boolean {
  if (s.length < 64) return SURROGATE.test(s);
  if (s !== lastString) {
    lastString = s;
    lastHasSurrogates = SURROGATE.test(s);
  }
  return lastHasSurrogates;
}

export function runeCount(s: string): number {
  if (!hasSurrogates(s)) return s.length;
  // Each surrogate pair is one code point; a lone surrogate counts as one, as the string
  // iterator counts it. Walking char codes is several times faster than iterating.
  let pairs = 0;
  for (let i = 0; i < s.length - 1; i++) {
    const code = s.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return s.length - pairs;
}

/** The string's code points, one string each. */
export function runes(s: string): string[] {
  return hasSurrogates(s) ? Array.from(s) : s.split('');
}

/** Code-point index of a UTF-16 offset. */
export function runeIndexOf(s: string, utf16Offset: number): number {
  if (utf16Offset <= 0) return utf16Offset;
  const prefix = s.slice(0, utf16Offset);
  return runeCount(prefix);
}
