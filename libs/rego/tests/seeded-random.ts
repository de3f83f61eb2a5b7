/**
 * A small deterministic PRNG (mulberry32) for randomised comparison tests: a failure names
 * its seed, and the same seed replays the same cases.
 */
export interface SeededRandom {
  readonly seed: number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    seed,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
  };
}

/** The seed for a randomised test: `TEST_SEED` when set (to replay a failure), else a fixed one. */
export function testSeed(fallback: number): number {
  const fromEnv = Number(process.env.TEST_SEED);
  return Number.isInteger(fromEnv) && process.env.TEST_SEED !== '' ? fromEnv : fallback;
}
