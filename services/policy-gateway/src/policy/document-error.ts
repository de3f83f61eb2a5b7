/**
 * Turns what the embedded engine throws while evaluating a document into the error OPA's
 * Data API would report: the engine's code (OPA's own where OPA has one, such as
 * `eval_conflict_error`) and the place in the policy.
 */
import { RegoError } from '@policy-gateway/rego';
import type { DocumentError } from './data-document.js';

export function documentErrorOf(error: unknown): DocumentError {
  if (error instanceof RegoError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.file === undefined || error.line === undefined
        ? {}
        : { location: { file: error.file, row: error.line, col: error.column ?? 1 } }),
    };
  }
  return {
    code: 'internal_error',
    message: error instanceof Error ? error.message : String(error),
  };
}
