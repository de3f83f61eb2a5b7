/**
 * JSON values a writer made itself and hands to the write path for good, so that
 * `toStorableAuditLogEntry` stores them as they are instead of copying them through JSON text.
 * The copy is there for values a caller made and may still hold: a request body, a policy's
 * result. A value handed over was parsed from JSON text (or built of such values and strings)
 * by the code that hands it over, which keeps no reference to change it later: the privacy step's
 * masked input, masking record and sealed original, which it builds afresh for each entry.
 * Copying them again cost the chain several µs per masked entry.
 *
 * Its strings are still checked (U+0000, lone surrogates), as every value's are. The mark is a
 * non-enumerable property under a symbol of this module: JSON, structured clones, spreads and
 * deep equality leave it out, and it costs a fraction of a `WeakSet` entry on an object that dies
 * young.
 */

const HANDED_OVER = Symbol('handed-over JSON');

/**
 * Marks `value` as handed over and returns it. Only for a JSON value (no `undefined` members,
 * no non-finite numbers, no `toJSON`, no cycles) that nothing else holds; a value that is not an
 * extensible object is returned unmarked (and is copied as before).
 */
export function handOverJson<T>(value: T): T {
  if (typeof value === 'object' && value !== null && Object.isExtensible(value)) {
    Object.defineProperty(value, HANDED_OVER, { value: true });
  }
  return value;
}

/** Whether `value` was marked by `handOverJson`. */
export function isHandedOverJson(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[HANDED_OVER] === true
  );
}
