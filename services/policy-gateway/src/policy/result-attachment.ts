/**
 * What the evaluation step hands the audit write path beside a decision's result object (the
 * mask policy's answer, the evaluation thread's masked parts) without it becoming part of the
 * result: a non-enumerable property under a symbol only this process's modules hold. JSON
 * (the stored entry, the HTTP answer), structured clones, spreads and deep equality all leave
 * it out, and it lives exactly as long as the result object.
 *
 * Not a WeakMap keyed by the result: every decision would add an ephemeron whose key dies
 * young, and V8's scavenges pay for each. Measured beside a plain property, a WeakMap entry
 * per short-lived object cost about 1 µs of CPU (collections included) against 0.13 µs.
 */

/** An attachment's key, made once per kind of attachment. */
export type AttachmentKey<T> = symbol & { readonly __attachment?: T };

export function attachmentKey<T>(description: string): AttachmentKey<T> {
  return Symbol(description) as AttachmentKey<T>;
}

/**
 * Attaches `value` to `result` under `key`. A result that is not an object, or one that is
 * frozen or sealed, carries nothing: the write path then does without (see its callers).
 */
export function attachToResult<T>(result: unknown, key: AttachmentKey<T>, value: T): void {
  if (typeof result === 'object' && result !== null && Object.isExtensible(result)) {
    Object.defineProperty(result, key, { value, configurable: true, writable: true });
  }
}

/** What was attached to `result` under `key`, if anything. */
export function attachedToResult<T>(result: unknown, key: AttachmentKey<T>): T | undefined {
  return typeof result === 'object' && result !== null
    ? ((result as Record<symbol, unknown>)[key] as T | undefined)
    : undefined;
}
