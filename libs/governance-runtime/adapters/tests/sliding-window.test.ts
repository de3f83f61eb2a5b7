/**
 * The memory store's window of held entries (`SlidingWindow`) must behave exactly as the array
 * it replaced, through many drops and the compactions they cause: checked against a plain
 * array under the same random inserts and drops.
 */
import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../memory/sliding-window.js';

/** mulberry32: the same seed replays the same operations. */
function seeded(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

describe('SlidingWindow', () => {
  it('holds what an array would through inserts, drops and compactions', () => {
    const random = seeded(12);
    const window = new SlidingWindow<number>();
    const model: number[] = [];
    for (let step = 0; step < 20_000; step += 1) {
      const op = random(10);
      if (op < 6) {
        // Mostly at the end, as entries arrive; sometimes a little before it.
        const index = Math.max(0, model.length - random(3));
        window.insert(index, step);
        model.splice(index, 0, step);
      } else {
        const count = random(op === 9 ? 40 : 3);
        expect(window.dropOldest(count)).toEqual(model.splice(0, count));
      }
      expect(window.length).toBe(model.length);
      if (step % 997 === 0) expect(window.toArray()).toEqual(model);
    }
    expect(window.toArray()).toEqual(model);
    for (let index = -1; index <= model.length; index += 1) {
      expect(window.at(index)).toBe(model[index]);
    }
  });

  it('keeps a full store to its bound without holding what it dropped', () => {
    const window = new SlidingWindow<{ n: number }>();
    const bound = 1500;
    for (let n = 0; n < 10_000; n += 1) {
      window.insert(window.length, { n });
      if (window.length > bound) window.dropOldest(window.length - bound);
    }
    expect(window.length).toBe(bound);
    expect(window.at(0)).toEqual({ n: 10_000 - bound });
    expect(window.at(bound - 1)).toEqual({ n: 9_999 });
    expect(window.dropOldest(0)).toEqual([]);
    expect(new SlidingWindow<number>().dropOldest(5)).toEqual([]);
  });
});
