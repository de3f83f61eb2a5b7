/**
 * The token cursor the parser is built on: lookahead, expectations, the keywords in force,
 * source locations, and errors that say what was found and what was expected.
 */
import type { Loc } from '../ast/ast.js';
import { RegoParseError } from '../errors/rego-error.js';
import { type SourceComment, tokenize } from '../lexer/lexer.js';
import type { Token } from '../lexer/token.js';

export type RegoVersion = 'v0' | 'v1';

/** Keywords v0 modules get only through `future.keywords` imports. */
export const FUTURE_KEYWORDS = ['in', 'every', 'contains', 'if'] as const;

/** Thrown instead of an error while parsing speculatively; never escapes the parser. */
export const SPECULATION_FAILED: unique symbol = Symbol('speculation failed');

export class TokenCursor {
  protected readonly tokens: Token[];
  /** The source's comments, in order (read for `# METADATA` blocks). */
  protected readonly comments: SourceComment[] = [];
  protected pos = 0;
  protected version: RegoVersion;
  protected readonly keywords = new Set<string>();
  /** Depth of speculative parsing (comprehension or array?), where failures backtrack. */
  protected speculative = 0;

  constructor(
    protected readonly file: string,
    protected readonly source: string,
    regoVersion: RegoVersion,
  ) {
    this.tokens = tokenize(source, file, this.comments);
    this.version = regoVersion;
    if (regoVersion === 'v1') this.enableAllFutureKeywords();
  }

  enableAllFutureKeywords(): void {
    for (const k of FUTURE_KEYWORDS) this.keywords.add(k);
  }

  protected isReserved(name: string): boolean {
    return (
      name === 'not' ||
      name === 'some' ||
      name === 'with' ||
      name === 'as' ||
      name === 'default' ||
      name === 'else' ||
      name === 'import' ||
      name === 'package' ||
      this.keywords.has(name)
    );
  }

  protected peek(): Token {
    return this.tokens[this.pos]!;
  }

  protected prevIs(punct: string): boolean {
    const t = this.tokens[this.pos - 1];
    return t !== undefined && t.kind === 'punct' && t.text === punct;
  }

  protected next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  protected isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  protected isIdent(text: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text === text;
  }

  protected isKeyword(text: string): boolean {
    return this.keywords.has(text) && this.isIdent(text);
  }

  protected expectPunct(text: string): void {
    if (!this.isPunct(text)) this.fail(this.peek(), `'${text}'`);
    this.next();
  }

  protected expectKeyword(text: string): void {
    if (!this.isIdent(text)) this.fail(this.peek(), `'${text}'`);
    this.next();
  }

  protected expectIdent(what: string): string {
    const t = this.next();
    if (t.kind !== 'ident') this.fail(t, what);
    return t.text;
  }

  protected loc(t: Token): Loc {
    return { file: this.file, line: t.line, column: t.column };
  }

  protected fail(t: Token, expected: string): never {
    // While trying one reading of ambiguous syntax, failing is cheap: no error is built.
    if (this.speculative > 0) throw SPECULATION_FAILED;
    throw new RegoParseError(
      `unexpected ${describe(t)}, expected ${expected}`,
      this.loc(t),
      this.source,
    );
  }

  protected failAt(loc: Loc, message: string): never {
    if (this.speculative > 0) throw SPECULATION_FAILED;
    throw new RegoParseError(message, loc, this.source);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'ident':
      return `identifier '${t.text}'`;
    case 'number':
      return `number ${t.text}`;
    case 'string':
    case 'rawstring':
      return 'string';
    case 'template':
    case 'templatehead':
      return 'template string';
    case 'templatemiddle':
    case 'templatetail':
      return "'}'";
    case 'punct':
      return `'${t.text}'`;
  }
}
