/**
 * `Array.prototype.sort` for the short arrays values are mostly made of (an object's three keys,
 * a handful of reasons): V8's sort sets up a work array and its run stack on every call, which
 * for a few items costs more than the sorting and was most of what converting a decision to
 * JSON allocated. Short arrays are insertion-sorted in place, longer ones go to the native sort;
 * both are stable, so the result is the same.
 */

/** Arrays up to this long are insertion-sorted. */
const SHORT = 16;

export function sortInPlace<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > SHORT) return items.sort(compare);
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as T;
    let j = i - 1;
    while (j >= 0 && compare(items[j] as T, item) > 0) {
      items[j + 1] = items[j] as T;
      j--;
    }
    items[j + 1] = item;
  }
  return items;
}
