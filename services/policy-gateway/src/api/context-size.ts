/**
 * The bound on an evaluation's `context`. Every audit entry stores the context verbatim, while
 * a policy reads a few facts of it; without a bound each request could store up to the whole
 * body limit. The size is that of its compact JSON, as the audit trail stores it, so
 * whitespace a client adds does not count.
 */
import { ApiProblem } from './problem.js';

/** UTF-8 bytes of the context written as compact JSON. */
export function contextBytes(context: Readonly<Record<string, unknown>>): number {
  return Buffer.byteLength(JSON.stringify(context), 'utf8');
}

/** Throws `CONTEXT_TOO_LARGE` when the context exceeds `maxBytes` (POLICY_GATEWAY_MAX_CONTEXT_BYTES). */
export function checkContextSize(
  context: Readonly<Record<string, unknown>> | undefined,
  maxBytes: number,
): void {
  if (context === undefined) return;
  const bytes = contextBytes(context);
  if (bytes > maxBytes) {
    throw new ApiProblem(
      'CONTEXT_TOO_LARGE',
      `context is ${bytes} bytes as compact JSON; the limit is ${maxBytes} bytes (POLICY_GATEWAY_MAX_CONTEXT_BYTES)`,
      'context',
    );
  }
}
