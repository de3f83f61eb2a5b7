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
 *
 * Every entry is checked before it is stored and almost none holds such a string, so the walk
 * makes no paths and no member lists: the path is spelled out only for what it found.
 */
export function findUnstorableString(value: unknown, path: string): string | undefined {
  const steps = STEPS;
  steps.length = 0;
  if (!holdsUnstorable(value, steps)) return undefined;
  let place = path;
  for (let i = steps.length - 1; i >= 0; i -= 1) {
    const step = steps[i]!;
    place += step === KEY ? ' key' : typeof step === 'number' ? `[${step}]` : `.${step}`;
  }
  return place;
}

/** The last step to an object key that is itself unstorable. */
const KEY: unique symbol = Symbol('key');

/** An array index, a member name, or `KEY`. */
type Step = number | string | typeof KEY;

/** The steps of the call in progress (the walk is synchronous): no list made per call. */
const STEPS: Step[] = [];

/**
 * Whether `value` holds an unstorable string; if so, `steps` gets the way to it, innermost
 * step first.
 */
function holdsUnstorable(value: unknown, steps: Step[]): boolean {
  if (typeof value === 'string') return isUnstorable(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      if (holdsUnstorable(value[index], steps)) {
        steps.push(index);
        return true;
      }
    }
    return false;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (isUnstorable(key)) {
      steps.push(KEY);
      return true;
    }
    if (holdsUnstorable((value as Record<string, unknown>)[key], steps)) {
      steps.push(key);
      return true;
    }
  }
  return false;
}

function isUnstorable(text: string): boolean {
  return text.includes('\u0000') || UNPAIRED_SURROGATE.test(text);
}
