import { describe, expect, it } from 'vitest';
import {
  LATENCY_MAX_BIN,
  LATENCY_MIN_BIN,
  LatencyHistogram,
  latencyBin,
  latencyOfBin,
} from './latency-histogram.js';

describe('latency histogram', () => {
  it('reads a percentile within 9.1 % of the latency it counted (2^(1/8)), across the range kept', () => {
    for (const ms of [0.003, 0.25, 1, 3, 17.5, 250, 4000, 600_000]) {
      const h = new LatencyHistogram();
      h.add(latencyBin(ms));
      const read = h.quantile(0.5)!;
      expect(Math.abs(read - ms) / ms).toBeLessThan(2 ** (1 / 8) - 1 + 0.001);
    }
  });

  it('puts zero and what is out of range in the end bins', () => {
    expect(latencyBin(0)).toBe(LATENCY_MIN_BIN);
    expect(latencyBin(-1)).toBe(LATENCY_MIN_BIN);
    expect(latencyBin(1e-9)).toBe(LATENCY_MIN_BIN);
    expect(latencyBin(1e12)).toBe(LATENCY_MAX_BIN);
  });

  it('merges histograms of several buckets into the percentiles of all their latencies', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 0; i < 98; i += 1) a.add(latencyBin(1));
    b.add(latencyBin(1000));
    b.add(latencyBin(1000));
    a.merge(b);
    expect(a.total).toBe(100);
    expect(a.quantile(0.5)).toBe(Number(latencyOfBin(latencyBin(1)).toPrecision(4)));
    expect(a.quantile(0.99)).toBe(Number(latencyOfBin(latencyBin(1000)).toPrecision(4)));
    expect(new LatencyHistogram().quantile(0.5)).toBeNull();
  });
});
