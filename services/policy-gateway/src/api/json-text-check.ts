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

interface ObjectFrame {
  readonly keys: Set<string>;
  /** The key whose value is being read, once it is known. */
  key: string | undefined;
  /** After `{` or `,`: the next string is a key, not a value. */
  expectingKey: boolean;
}

interface ArrayFrame {
  index: number;
}

type Frame = ObjectFrame | ArrayFrame;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
/** The run of characters inside a string that need no attention. */
const PLAIN = /[^"\\]*/y;

/** A double overflows only past 308 digits or through an exponent. */
const MAX_PLAIN_DIGITS = 308;

function pathOf(stack: readonly Frame[]): (string | number)[] {
  const path: (string | number)[] = [];
  for (const frame of stack) {
    if ('keys' in frame) {
      if (frame.key !== undefined) path.push(frame.key);
    } else {
      path.push(frame.index);
    }
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
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '{' || c === '[') {
      if (stack.length === limits.maxDepth) {
        return { kind: 'too-deep', path: pathOf(stack), maxDepth: limits.maxDepth };
      }
      stack.push(
        c === '{' ? { keys: new Set(), key: undefined, expectingKey: true } : { index: 0 },
      );
      i += 1;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i += 1;
    } else if (c === ',') {
      if (top !== undefined) {
        if ('keys' in top) top.expectingKey = true;
        else top.index += 1;
      }
      i += 1;
    } else if (c === '"') {
      const end = endOfString(text, i);
      if (top !== undefined && 'keys' in top && top.expectingKey) {
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
    } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const literal = NUMBER.exec(text)?.[0] ?? c;
      const mayOverflow = literal.length > MAX_PLAIN_DIGITS || /[eE]/.test(literal);
      if (mayOverflow && !Number.isFinite(Number(literal))) {
        return { kind: 'number-out-of-range', path: pathOf(stack), literal };
      }
      i += literal.length;
    } else {
      // Whitespace, `:` and the letters of true, false and null.
      i += 1;
    }
  }
  return undefined;
}
