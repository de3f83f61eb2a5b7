/** Tokens of Rego source, each with its position and whether whitespace or a newline precedes it. */

export type TokenKind =
  | 'ident'
  | 'string'
  | 'rawstring'
  | 'number'
  | 'punct'
  /** A template string without interpolations: `$"abc"`. */
  | 'template'
  /** A template string's text up to its first `{`: `$"a{`; expression tokens follow. */
  | 'templatehead'
  /** Text between two interpolations: `}b{`. */
  | 'templatemiddle'
  /** Text after the last interpolation: `}c"`. */
  | 'templatetail'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier name, punctuation text, number text, or the decoded string (or template text) value. */
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
