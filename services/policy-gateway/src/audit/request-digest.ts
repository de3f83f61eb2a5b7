/**
 * The fingerprint of an evaluation request that is stored with its `Idempotency-Key`: a
 * digest of the policy input (prompt, user_id, context) in canonical JSON, so that a retry
 * (the same request, however its JSON was spaced or its keys ordered) is told apart from a
 * different request that reuses the key.
 *
 * Keyed (HMAC-SHA256 under the audit HMAC key) wherever the trail masks what it stores: a bare
 * SHA-256 of the unmasked input would let anyone reading the trail test candidates for what
 * was masked (a card number has few unknown digits) against the stored digest. Keyed rather
 * than taken over the masked input, which would also match a different card number masked to
 * the same marker and so replay a decision made on another request.
 */
import { createHash } from 'node:crypto';
import type { PolicyInput } from '../policy/policy-engine.js';
import type { AuditHmacKey } from '../privacy/audit-hmac-key.js';

/**
 * `hmac-sha256:` and the hex HMAC of the input's canonical JSON under `key`, or `sha256:` and
 * its plain SHA-256 without one (masking off: the input is stored as it is anyway). A request
 * without `context` and one with `"context": {}` give the policy the same input, so they have
 * the same digest.
 *
 * @example
 * requestDigest({ prompt: 'hi', user_id: 'u', context: { b: 1, a: 2 } }, key);
 * // the HMAC of {"context":{"a":2,"b":1},"prompt":"hi","user_id":"u"}
 */
export function requestDigest(input: PolicyInput, key?: AuditHmacKey): string {
  const text = canonicalJson({
    prompt: input.prompt,
    user_id: input.user_id,
    context: input.context,
  });
  if (key !== undefined) return `hmac-sha256:${key.digest('request-digest', text)}`;
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/**
 * JSON with object members sorted by key (UTF-16 code units) and no whitespace, numbers and
 * strings written as `JSON.stringify` writes them: the JSON Canonicalization Scheme (RFC 8785)
 * for values read by `JSON.parse`. The body parser bounds their depth, so recursion is safe.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    // Own keys only, `__proto__` included: the body parser keeps such keys as data.
    const members = Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      );
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
