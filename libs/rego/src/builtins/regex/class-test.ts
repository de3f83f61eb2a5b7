/**
 * Membership of one character of a subject in a character class, by code point (a surrogate
 * pair is one character, a lone surrogate another), with ASCII answered from a table: the
 * searches walk over runs of a class one character at a time, and a RegExp test per
 * character costs far more than the walk itself.
 */

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Code units of the character that starts at `i` (1, or 2 for a surrogate pair). */
export function widthAt(s: string, i: number): number {
  return isHigh(s.charCodeAt(i)) && isLow(s.charCodeAt(i + 1)) ? 2 : 1;
}

/** Code units of the character that ends just before `i`. */
export function widthBefore(s: string, i: number): number {
  return isLow(s.charCodeAt(i - 1)) && i >= 2 && isHigh(s.charCodeAt(i - 2)) ? 2 : 1;
}

export class ClassTest {
  /** 1 for the ASCII characters in the class. */
  readonly ascii = new Uint8Array(128);
  /** `probe` matches one whole character of the class (`^(?:…)$` with the `u` flag). */
  constructor(private readonly probe: RegExp) {
    for (let c = 0; c < 128; c++) this.ascii[c] = probe.test(String.fromCharCode(c)) ? 1 : 0;
  }

  /** Whether the character starting at `i` (of `width` units) is in the class. */
  at(s: string, i: number, width: number): boolean {
    const code = s.charCodeAt(i);
    if (code < 128) return this.ascii[code] === 1;
    return this.probe.test(s.slice(i, i + width));
  }
}
