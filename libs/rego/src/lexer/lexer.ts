/**
 * Turns Rego source into tokens with line:column spans. Newlines are not tokens: each token
 * records whether one precedes it, which is how the parser ends literals.
 *
 * Template strings (`$"a{x}b"`, `` $`a{x}b` ``) become a head token (`a`), the tokens of each
 * interpolated expression, middle tokens between them and a tail token (`b`); the `}` that
 * ends an interpolation is the one at its own brace depth. `\{` writes a literal brace.
 */
import { RegoParseError } from '../errors/rego-error.js';
import type { Token, TokenKind } from './token.js';

const PUNCTUATION = [
  ':=',
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ';',
  ':',
  '.',
];

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** A `#` comment: its text after the `#`, and where the `#` is. */
export interface SourceComment {
  readonly text: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** The tokens of `source`; its comments go to `comments` when given (for `# METADATA`). */
export function tokenize(source: string, file: string, comments?: SourceComment[]): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let newlineBefore = true;
  let spaceBefore = true;
  /** Open template strings, innermost last: raw or not, and the `{` depth inside the current interpolation. */
  const templates: { raw: boolean; depth: number; start: number }[] = [];

  const fail = (message: string, at: number, atLine: number, atLineStart: number): never => {
    throw new RegoParseError(message, { file, line: atLine, column: at - atLineStart + 1 }, source);
  };

  const push = (
    kind: TokenKind,
    text: string,
    start: number,
    startLine: number,
    startLs: number,
  ) => {
    tokens.push({
      kind,
      text,
      line: startLine,
      column: start - startLs + 1,
      offset: start,
      end: pos,
      newlineBefore,
      spaceBefore,
    });
    newlineBefore = false;
    spaceBefore = false;
  };

  while (pos < source.length) {
    const ch = source[pos]!;
    if (ch === '\n') {
      pos++;
      line++;
      lineStart = pos;
      newlineBefore = true;
      spaceBefore = true;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      pos++;
      spaceBefore = true;
      continue;
    }
    if (ch === '#') {
      const start = pos;
      while (pos < source.length && source[pos] !== '\n') pos++;
      comments?.push({
        text: source.slice(start + 1, pos).replace(/\r$/, ''),
        line,
        column: start - lineStart + 1,
        offset: start,
      });
      spaceBefore = true;
      continue;
    }
    const start = pos;
    if (isIdentStart(ch)) {
      while (pos < source.length && isIdentPart(source[pos]!)) pos++;
      push('ident', source.slice(start, pos), start, line, lineStart);
      continue;
    }
    if (isDigit(ch)) {
      pos = scanNumber(source, pos);
      if (pos < source.length && isIdentStart(source[pos]!)) {
        fail(`unexpected character '${source[pos]}' in number`, pos, line, lineStart);
      }
      push('number', source.slice(start, pos), start, line, lineStart);
      continue;
    }
    if (ch === '"') {
      pos++;
      let out = '';
      for (;;) {
        if (pos >= source.length || source[pos] === '\n') {
          fail('unterminated string, expected "', start, line, lineStart);
        }
        const c = source[pos]!;
        if (c === '"') {
          pos++;
          break;
        }
        if (c === '\\') {
          const e = source[pos + 1] ?? '';
          if (e === 'u') {
            const hex = source.slice(pos + 2, pos + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape', pos, line, lineStart);
            out += String.fromCharCode(Number.parseInt(hex, 16));
            pos += 6;
            continue;
          }
          const simple = SIMPLE_ESCAPES[e];
          if (simple === undefined) fail(`invalid escape sequence \\${e}`, pos, line, lineStart);
          out += simple;
          pos += 2;
          continue;
        }
        out += c;
        pos++;
      }
      push('string', out, start, line, lineStart);
      continue;
    }
    if (ch === '`') {
      const startLine = line;
      const startLs = lineStart;
      pos++;
      while (pos < source.length && source[pos] !== '`') {
        if (source[pos] === '\n') {
          line++;
          lineStart = pos + 1;
        }
        pos++;
      }
      if (pos >= source.length)
        fail('unterminated raw string, expected `', start, startLine, startLs);
      pos++;
      push('rawstring', source.slice(start + 1, pos - 1), start, startLine, startLs);
      continue;
    }
    if (ch === '$' && (source[pos + 1] === '"' || source[pos + 1] === '`')) {
      const raw = source[pos + 1] === '`';
      const startLine = line;
      const startLs = lineStart;
      pos += 2;
      const chunk = scanTemplateChunk(raw, start, startLine, startLs);
      if (chunk.open) templates.push({ raw, depth: 0, start });
      push(chunk.open ? 'templatehead' : 'template', chunk.text, start, startLine, startLs);
      continue;
    }
    const template = templates[templates.length - 1];
    if (template !== undefined && (ch === '{' || ch === '}')) {
      if (ch === '{') template.depth++;
      else if (template.depth > 0) template.depth--;
      else {
        const startLine = line;
        const startLs = lineStart;
        pos++;
        const chunk = scanTemplateChunk(template.raw, template.start, startLine, startLs);
        if (!chunk.open) templates.pop();
        push(chunk.open ? 'templatemiddle' : 'templatetail', chunk.text, start, startLine, startLs);
        continue;
      }
    }
    const punct = matchPunctuation(source, pos, ch);
    if (punct === undefined) fail(`unexpected character '${ch}'`, pos, line, lineStart);
    pos += punct!.length;
    push('punct', punct!, start, line, lineStart);
  }
  if (templates.length > 0) {
    const open = templates[templates.length - 1]!;
    const at = lineAndColumn(source, open.start);
    throw new RegoParseError(
      'unterminated template string, expected } and the closing quote',
      { file, line: at.line, column: at.column },
      source,
    );
  }
  push('eof', '', pos, line, lineStart);
  return tokens;

  /**
   * Template text from `pos` up to an interpolation's `{` (consumed; `open`) or the closing
   * quote (consumed). `$"…"` decodes string escapes; both forms read `\{` and `\}` as braces.
   */
  function scanTemplateChunk(
    raw: boolean,
    start: number,
    startLine: number,
    startLs: number,
  ): { text: string; open: boolean } {
    const quote = raw ? '`' : '"';
    let out = '';
    for (;;) {
      if (pos >= source.length || (!raw && source[pos] === '\n')) {
        fail(`unterminated template string, expected ${quote}`, start, startLine, startLs);
      }
      const c = source[pos]!;
      if (c === quote) {
        pos++;
        return { text: out, open: false };
      }
      if (c === '{') {
        pos++;
        return { text: out, open: true };
      }
      if (c === '\\' && (source[pos + 1] === '{' || source[pos + 1] === '}')) {
        out += source[pos + 1];
        pos += 2;
        continue;
      }
      if (c === '\\' && !raw) {
        const e = source[pos + 1] ?? '';
        if (e === 'u') {
          const hex = source.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape', pos, line, lineStart);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          pos += 6;
          continue;
        }
        const simple = SIMPLE_ESCAPES[e];
        if (simple === undefined) fail(`invalid escape sequence \\${e}`, pos, line, lineStart);
        out += simple;
        pos += 2;
        continue;
      }
      if (c === '\n') {
        line++;
        lineStart = pos + 1;
      }
      out += c;
      pos++;
    }
  }
}

function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const lastNewline = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastNewline };
}

const TWO_CHAR = new Set([':=', '==', '!=', '<=', '>=']);
const ONE_CHAR = new Set(PUNCTUATION.filter((p) => p.length === 1));

function matchPunctuation(source: string, pos: number, ch: string): string | undefined {
  const two = source.slice(pos, pos + 2);
  if (TWO_CHAR.has(two)) return two;
  return ONE_CHAR.has(ch) ? ch : undefined;
}

function scanNumber(source: string, start: number): number {
  let pos = start;
  while (pos < source.length && isDigit(source[pos]!)) pos++;
  if (source[pos] === '.' && isDigit(source[pos + 1] ?? '')) {
    pos++;
    while (pos < source.length && isDigit(source[pos]!)) pos++;
  }
  if (source[pos] === 'e' || source[pos] === 'E') {
    let p = pos + 1;
    if (source[p] === '+' || source[p] === '-') p++;
    if (isDigit(source[p] ?? '')) {
      pos = p;
      while (pos < source.length && isDigit(source[pos]!)) pos++;
    }
  }
  return pos;
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function isIdentStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
}

function isIdentPart(ch: string): boolean {
  return isIdentStart(ch) || isDigit(ch);
}
