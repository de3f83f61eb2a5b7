/**
 * A list that grows at its end and loses items at its start, each in amortised constant time:
 * what the memory store holds once it is full, where every write drops the oldest entry. An
 * array's `shift` or `slice` there copies every item held (V8 cannot move the start of an array
 * as large as a store of a million entries in place), which made each decision cost
 * milliseconds at that capacity. Here a dropped item only moves a start index; the array is
 * compacted once the dropped part is as long as the part held, so each item is copied at most
 * once more than it is written.
 */

/** Dropped items are left in place until at least this many have been, so small windows never compact. */
const MIN_COMPACTION = 1024;

/** A window read without being changed or copied (a chain's entries, paged by the trail reader). */
export interface SlidingWindowView<T> {
  readonly length: number;
  at(index: number): T | undefined;
  toArray(): T[];
}

export class SlidingWindow<T> implements SlidingWindowView<T> {
  #items: (T | undefined)[] = [];
  /** Index in `#items` of the oldest item held. */
  #start = 0;

  get length(): number {
    return this.#items.length - this.#start;
  }

  /** The item at `index` (0 is the oldest held), or undefined outside the window. */
  at(index: number): T | undefined {
    return index < 0 || index >= this.length ? undefined : this.#items[this.#start + index];
  }

  /** Appends `item` as the newest. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Inserts `item` before the item at `index` (at the end when `index` is the length). */
  insert(index: number, item: T): void {
    if (index === this.length) this.#items.push(item);
    else this.#items.splice(this.#start + index, 0, item);
  }

  /** Drops the `count` oldest items and returns them, oldest first. */
  dropOldest(count = 1): T[] {
    const dropped: T[] = [];
    const end = this.#start + Math.min(count, this.length);
    for (let index = this.#start; index < end; index += 1) {
      dropped.push(this.#items[index] as T);
      this.#items[index] = undefined; // no longer held: let it be collected
    }
    this.#start = end;
    if (this.#start >= MIN_COMPACTION && this.#start >= this.length) {
      this.#items = this.#items.slice(this.#start);
      this.#start = 0;
    }
    return dropped;
  }

  /** The items held, oldest first, as a new array. */
  toArray(): T[] {
    return this.#items.slice(this.#start) as T[];
  }
}
