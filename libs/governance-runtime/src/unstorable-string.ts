/**
 * The one check of what PostgreSQL cannot store in `text` or `jsonb`: U+0000 (refused) and
 * unpaired UTF-16 surrogates (altered). Every storable form (audit entries, access-log
 * records) runs it over its fields, keys of JSON objects included, and names the first
 * offending place in its own error.
 */

/** Said in every error that names a place this check found. */
export const UNSTORABLE_STRING_REASON =
  'contains U+0000 or an unpaired surrogate, which PostgreSQL cannot store';

const UNPAIRED_SURROGATE = /\p{Cs}/u;

/**
 * The path of the first string in `value` PostgreSQL cannot store (`field`, `field[2]`,
 * `field.member`, or `field key` for an object key), or undefined when there is none.
 */
export function findUnstorableString(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') {
    return value.includes('\u0000') || UNPAIRED_SURROGATE.test(value) ? path : undefined;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorableString(item, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found =
        findUnstorableString(key, `${path} key`) ?? findUnstorableString(item, `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
