/**
 * The error catalogue of the engine. Every failure a caller may branch on is a `RegoError`
 * with a stable `code` (OPA's codes where OPA has one) and, for source errors, a location.
 */

export type RegoErrorCode =
  | 'rego_parse_error'
  | 'rego_compile_error'
  | 'rego_type_error'
  | 'rego_unsafe_var_error'
  | 'rego_recursion_error'
  | 'eval_conflict_error'
  | 'eval_builtin_error'
  | 'eval_type_error'
  | 'eval_budget_exceeded';

/** Where in the source an error was found; lines and columns count from 1. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export class RegoError extends Error {
  override readonly name: string = 'RegoError';
  readonly code: RegoErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: RegoErrorCode, message: string, location?: SourceLocation) {
    super(message);
    this.code = code;
    this.file = location?.file;
    this.line = location?.line;
    this.column = location?.column;
  }
}

/** Formats `file:line:col: message` followed by the offending source line and a caret. */
export function formatSourceMessage(
  location: SourceLocation,
  message: string,
  source: string | undefined,
): string {
  const head = `${location.file}:${location.line}:${location.column}: ${message}`;
  const line = source?.split('\n')[location.line - 1];
  if (line === undefined) return head;
  return `${head}\n\t${line}\n\t${' '.repeat(Math.max(0, location.column - 1))}^`;
}

/** Syntax errors: `file:line:col: unexpected <found>, expected <what>`. */
export class RegoParseError extends RegoError {
  override readonly name = 'RegoParseError';
  constructor(message: string, location: SourceLocation, source?: string) {
    super('rego_parse_error', formatSourceMessage(location, message, source), location);
  }
}

/** Errors found when compiling modules: unknown functions, unsafe variables, recursion, arity. */
export class RegoCompileError extends RegoError {
  override readonly name = 'RegoCompileError';
  constructor(
    message: string,
    location: SourceLocation,
    source?: string,
    code: RegoErrorCode = 'rego_compile_error',
  ) {
    super(code, formatSourceMessage(location, message, source), location);
  }
}

/**
 * Errors raised while evaluating a query: conflicts, builtin errors in strict mode, budget.
 * With the location of the rule or call that failed, the message reads as OPA's
 * (`file:line: code: message`), with the column too: `p.rego:3:1: eval_conflict_error: …`.
 * Budget errors have no location: they stop the query wherever it is.
 */
export class RegoEvalError extends RegoError {
  override readonly name = 'RegoEvalError';
  constructor(code: RegoErrorCode, message: string, location?: SourceLocation) {
    super(
      code,
      location === undefined
        ? message
        : `${location.file}:${location.line}:${location.column}: ${code}: ${message}`,
      location,
    );
  }
}
