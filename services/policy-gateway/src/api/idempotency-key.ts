/**
 * The `Idempotency-Key` request header of `POST /policy/evaluate` (IETF draft "The
 * Idempotency-Key HTTP Header Field"): a token the client picks per request and sends again
 * with each retry of it, so that the retry answers the first decision instead of recording
 * a second one. Bounded and printable because it is stored in the audit trail and logged.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiProblem } from './problem.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Set on an answer that is the decision recorded for an earlier request with the same key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** 1 to 255 visible ASCII characters: no spaces (a repeated header arrives joined by ", "). */
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The key the client sent, or undefined without the header. The draft spells the value as a
 * Structured Field string (`"8e03978e-…"`); the bare token is accepted too, and both spellings
 * name the same key. A quoted key may not contain `"` or `\`, which would need escapes.
 *
 * @throws ApiProblem `INVALID_IDEMPOTENCY_KEY` for an empty, overlong or unprintable value
 */
export function idempotencyKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(', ') : header;
  const quoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"');
  const key = quoted ? value.slice(1, -1) : value;
  if (!KEY.test(key) || (quoted && /["\\]/.test(key))) {
    throw new ApiProblem(
      'INVALID_IDEMPOTENCY_KEY',
      `the ${IDEMPOTENCY_KEY_HEADER} header must be one value of 1 to 255 visible ASCII characters (no spaces), bare or in double quotes; a UUID is a good key`,
      IDEMPOTENCY_KEY_HEADER,
    );
  }
  return key;
}
