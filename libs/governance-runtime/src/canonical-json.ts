/**
 * RFC 8785 (JCS) canonical JSON, exactly as the npm `canonicalize` package writes it (a test
 * holds the two to the same output), at about three times its speed for the values an audit
 * entry holds: the entry hash runs once per entry on the write path and once per entry when
 * a million entries are verified.
 *
 * JCS is ECMAScript's JSON serialisation (so strings and numbers are written by the native
 * `JSON.stringify`) with object members sorted by their names' UTF-16 code units. The speed
 * comes from leaving out what `canonicalize` does per value and an audit entry never needs:
 * a set of the objects being visited (entries hold no cycles: `toStorableAuditLogEntry`
 * copies them through JSON) and a character loop over every string (one regular expression
 * finds a lone surrogate instead). Values JCS refuses are refused as `canonicalize` refuses
 * them.
 */

/** Member names in canonical order: UTF-16 code units, as `canonicalize` sorts them. */
export function canonicalMemberOrder(names: readonly string[]): string[] {
  return [...names].sort();
}

/**
 * `names` in canonical order, sorted in place only when they are not in it already: the
 * members of most objects an entry holds were written in that order (`reasons`, the masking
 * record), and checking costs a fifth of a sort, which copies the array to sort it.
 */
function inCanonicalOrder(names: string[]): string[] {
  for (let i = 1; i < names.length; i += 1) {
    if (names[i - 1]! > names[i]!) return names.sort();
  }
  return names;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What `JSON.stringify` escapes in a string without lone surrogates: a quote, a backslash and
 * the control characters below U+0020 (anything outside the printable ranges this class
 * excludes). A string with none of them is written quoted as it is, which is what
 * `JSON.stringify` would write, at about half its cost.
 */
const ESCAPED = /[^\x20\x21\x23-\x5b\x5d-\uffff]/;

/** Canonical JSON text of a JSON value, identical to `canonicalize(value)`. */
export function canonicalJson(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return write(value);
}

/**
 * Canonical JSON text of a value that is not undefined. For a caller that writes an object's
 * members itself, in the order `canonicalMemberOrder` gives.
 */
export function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new Error('Lone surrogate is not allowed');
      return ESCAPED.test(value) ? JSON.stringify(value) : `"${value}"`;
    case 'number':
      if (Number.isNaN(value)) throw new Error('NaN is not allowed');
      if (!Number.isFinite(value)) throw new Error('Infinity is not allowed');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      const withToJson = value as { toJSON?: () => unknown };
      if (typeof withToJson.toJSON === 'function') return write(withToJson.toJSON());
      if (Array.isArray(value)) {
        let text = '[';
        for (let i = 0; i < value.length; i += 1) {
          const item: unknown = value[i];
          if (i > 0) text += ',';
          text += item === undefined || typeof item === 'symbol' ? 'null' : write(item);
        }
        return `${text}]`;
      }
      const object = value as Record<string, unknown>;
      const names = inCanonicalOrder(Object.keys(object));
      let text = '{';
      let first = true;
      for (const name of names) {
        const member = object[name];
        if (member === undefined || typeof member === 'symbol') continue;
        text += `${first ? '' : ','}${write(name)}:${write(member)}`;
        first = false;
      }
      return `${text}}`;
    }
    default:
      // Functions and the like, which `canonicalize` writes as JSON.stringify does.
      return String(JSON.stringify(value));
  }
}
