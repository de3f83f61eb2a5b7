/**
 * Weighted fair queueing of waiting work by client, in its self-clocked form (Golestani, 1994).
 * Each unit of work gets a virtual start tag, the later of the virtual time and its client's
 * previous finish tag, and a finish tag, start plus cost; the smallest finish tag goes first,
 * and the virtual time is the start tag of the work last started. Clients thereby share in
 * proportion to the cost of what they ask, not to how many requests they send: a small
 * evaluation from a quiet client goes ahead of large ones from busy clients, however many of
 * those are waiting, and no backlog is starved, since a client that keeps sending moves its own
 * finish tags past the waiting ones.
 */

/** Where a unit of work sits in virtual time. */
export interface FairTag {
  readonly start: number;
  readonly finish: number;
}

interface Entry<T> {
  readonly tag: FairTag;
  /** Arrival order, so that equal tags leave in the order they came. */
  readonly seq: number;
  readonly value: T;
}

export class FairQueue<T> {
  #virtualTime = 0;
  #seq = 0;
  /** Each client's finish tag: where its next unit of work starts at the earliest. */
  readonly #finish = new Map<string, number>();
  /** A binary min-heap on (finish tag, arrival). */
  readonly #heap: Entry<T>[] = [];

  get size(): number {
    return this.#heap.length;
  }

  /** The tags of a unit of work of `cost` for `client`; call once per unit, in arrival order. */
  tag(client: string, cost: number): FairTag {
    const start = Math.max(this.#virtualTime, this.#finish.get(client) ?? 0);
    const finish = start + cost;
    this.#finish.set(client, finish);
    return { start, finish };
  }

  /** Work that starts at once, without waiting: the virtual time moves to its start. */
  started(tag: FairTag): void {
    this.#virtualTime = Math.max(this.#virtualTime, tag.start);
  }

  push(tag: FairTag, value: T): void {
    const heap = this.#heap;
    heap.push({ tag, seq: this.#seq++, value });
    let at = heap.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(heap[at]!, heap[parent]!)) break;
      [heap[at], heap[parent]] = [heap[parent]!, heap[at]!];
      at = parent;
    }
  }

  /** The waiting work with the smallest finish tag, which starts now; undefined when none waits. */
  pop(): T | undefined {
    const heap = this.#heap;
    const first = heap[0];
    if (first === undefined) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        const right = left + 1;
        let smallest = at;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === at) break;
        [heap[at], heap[smallest]] = [heap[smallest]!, heap[at]!];
        at = smallest;
      }
    }
    this.started(first.tag);
    return first.value;
  }

  /** Drops a client that has nothing running or waiting, so that idle clients cost no memory. */
  forget(client: string): void {
    this.#finish.delete(client);
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.tag.finish < b.tag.finish || (a.tag.finish === b.tag.finish && a.seq < b.seq);
}
