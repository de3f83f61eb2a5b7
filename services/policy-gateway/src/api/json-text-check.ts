/**
 * `checkJsonText`: one iterative pass over JSON text that `JSON.parse` has already accepted,
 * finding what `JSON.parse` lets through silently — a key repeated in one object (the last
 * one wins there, while a parser that keeps the first would see another document), nesting
 * deeper than a limit, and a number beyond the range of a double (`1e400` becomes
 * `Infinity`). It keeps its own stack of open containers, so any depth is safe to scan.
 */

/** Where in the document: object keys and array indexes from the root. */
export type JsonPath = readonly (string | number)[];

export type JsonTextFinding =
  /** `path` ends with the repeated key. */
  | { readonly kind: 'duplicate-key'; readonly path: JsonPath }
  | { readonly kind: 'too-deep'; readonly path: JsonPath; readonly maxDepth: number }
  | { readonly kind: 'number-out-of-range'; readonly path: JsonPath; readonly literal: string };

export interface JsonTextLimits {
  /** Containers open at once; the outermost object or array is depth 1. */
  readonly maxDepth: number;
}

/** One open container; a single shape for objects and arrays keeps the loop monomorphic. */
interface Frame {
  /** The keys seen so far in an object; null for an array. */
  readonly keys: Set<string> | null;
  /** The key whose value is being read, once it is known (objects). */
  key: string | undefined;
  /** After `{` or `,`: the next string is a key, not a value (objects). */
  expectingKey: boolean;
  /** The element being read (arrays). */
  index: number;
}

/** The run of characters inside a string that need no attention. */
const PLAIN = /[^"\\]*/y;

/** A double overflows only past 308 digits or through an exponent. */
const MAX_PLAIN_DIGITS = 308;

// Character codes, compared with charCodeAt: no one-character strings in the loop.
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const UPPER_E = 0x45;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LOWER_E = 0x65;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isNumberChar(c: number): boolean {
  return (
    (c >= ZERO && c <= NINE) ||
    c === DOT ||
    c === MINUS ||
    c === PLUS ||
    c === LOWER_E ||
    c === UPPER_E
  );
}

function pathOf(stack: readonly Frame[]): (string | number)[] {
  const path: (string | number)[] = [];
  for (const frame of stack) {
    if (frame.keys === null) path.push(frame.index);
    else if (frame.key !== undefined) path.push(frame.key);
  }
  return path;
}

/** The index just past the string that opens at `start` (a `"`). */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    PLAIN.lastIndex = i;
    PLAIN.test(text);
    i = PLAIN.lastIndex;
    const c = text[i];
    if (c === '"') return i + 1;
    if (c === '\\') i += 2;
    else throw new Error(`unterminated string at ${start}: the text was not valid JSON`);
  }
}

/**
 * Checks text that `JSON.parse` accepted; returns the first finding, or undefined when there
 * is none.
 *
 * @example
 * checkJsonText('{"a": 1, "a": 2}', { maxDepth: 32 });
 * // → { kind: 'duplicate-key', path: ['a'] }
 */
export function checkJsonText(text: string, limits: JsonTextLimits): JsonTextFinding | undefined {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (stack.length === limits.maxDepth) {
        return { kind: 'too-deep', path: pathOf(stack), maxDepth: limits.maxDepth };
      }
      const isObject = c === OPEN_BRACE;
      stack.push({
        keys: isObject ? new Set() : null,
        key: undefined,
        expectingKey: isObject,
        index: 0,
      });
      i += 1;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
      i += 1;
    } else if (c === COMMA) {
      if (top !== undefined) {
        if (top.keys === null) top.index += 1;
        else top.expectingKey = true;
      }
      i += 1;
    } else if (c === QUOTE) {
      const end = endOfString(text, i);
      if (top !== undefined && top.keys !== null && top.expectingKey) {
        const raw = text.slice(i, end);
        // Escapes decode first: "\u0061" and "a" are the same key.
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.keys.has(key)) {
          return { kind: 'duplicate-key', path: [...pathOf(stack.slice(0, -1)), key] };
        }
        top.keys.add(key);
        top.key = key;
        top.expectingKey = false;
      }
      i = end;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const start = i;
      let exponent = false;
      while (i < text.length && isNumberChar(text.charCodeAt(i))) {
        const d = text.charCodeAt(i);
        if (d === LOWER_E || d === UPPER_E) exponent = true;
        i += 1;
      }
      if (exponent || i - start > MAX_PLAIN_DIGITS) {
        const literal = text.slice(start, i);
        if (!Number.isFinite(Number(literal))) {
          return { kind: 'number-out-of-range', path: pathOf(stack), literal };
        }
      }
    } else {
      // Whitespace, `:` and the letters of true, false and null.
      i += 1;
    }
  }
  return undefined;
}
