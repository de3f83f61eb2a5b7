/**
 * Latency as a histogram of fixed log-scale bins, so that percentiles merge across buckets:
 * the roll-ups keep a count per bin, and any range of buckets adds its counts bin by bin
 * before a percentile is read. Four bins per doubling: a percentile read from a bin is its
 * geometric middle, within 9 % of the true value. The PostgreSQL roll-up computes the same bin
 * in SQL (`LATENCY_BIN_SQL` in the postgres adapter), from the same constants.
 */

/** Bins per doubling of the latency. */
export const LATENCY_BINS_PER_OCTAVE = 4;
/** The lowest bin: 2^-10 ms (about 1 µs); anything faster, zero included, counts here. */
export const LATENCY_MIN_BIN = -40;
/** The highest bin: 2^20 ms (about 17 minutes); anything slower counts here. */
export const LATENCY_MAX_BIN = 80;

/** The bin of a latency in ms: `floor(log2(ms) * 4)`, clamped to the bins kept. */
export function latencyBin(ms: number): number {
  if (!(ms > 0)) return LATENCY_MIN_BIN;
  // ln(ms) / ln(2), as the SQL of the roll-up computes it, so that both put a value in one bin.
  const bin = Math.floor((Math.log(ms) / Math.LN2) * LATENCY_BINS_PER_OCTAVE);
  return Math.min(LATENCY_MAX_BIN, Math.max(LATENCY_MIN_BIN, bin));
}

/** What a bin stands for when read: the geometric middle of its bounds, in ms. */
export function latencyOfBin(bin: number): number {
  return 2 ** ((bin + 0.5) / LATENCY_BINS_PER_OCTAVE);
}

/** Counts per bin, added from entries or from roll-up rows, and read as percentiles. */
export class LatencyHistogram {
  readonly #counts = new Map<number, number>();
  #total = 0;

  get total(): number {
    return this.#total;
  }

  add(bin: number, count = 1): void {
    this.#counts.set(bin, (this.#counts.get(bin) ?? 0) + count);
    this.#total += count;
  }

  merge(other: LatencyHistogram): void {
    for (const [bin, count] of other.#counts) this.add(bin, count);
  }

  /**
   * The latency (ms, to 4 significant digits) under which a fraction `q` of the counted ones fall, as
   * the middle of the bin holding that rank; null when nothing was counted.
   *
   * @example
   * const h = new LatencyHistogram();
   * h.add(latencyBin(3));
   * h.quantile(0.5); // 3.084: the middle of the bin holding 3, [2.83, 3.36)
   */
  quantile(q: number): number | null {
    if (this.#total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.#total));
    let seen = 0;
    for (const bin of [...this.#counts.keys()].sort((a, b) => a - b)) {
      seen += this.#counts.get(bin) ?? 0;
      if (seen >= rank) return Number(latencyOfBin(bin).toPrecision(4));
    }
    return null;
  }
}
