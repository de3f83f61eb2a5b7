/** Tokens of Rego source, each with its position and whether whitespace or a newline precedes it. */

export type TokenKind = 'ident' | 'string' | 'rawstring' | 'number' | 'punct' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier name, punctuation text, number text, or the decoded string value. */
  readonly text: string;
  readonly line: number;
  readonly column: number;
  /** Offsets in the source of the token's first character and just past its last. */
  readonly offset: number;
  readonly end: number;
  /** A newline separates this token from the previous one (literals end at newlines). */
  readonly newlineBefore: boolean;
  /** Any whitespace or comment separates this token from the previous one (refs need adjacency). */
  readonly spaceBefore: boolean;
}
