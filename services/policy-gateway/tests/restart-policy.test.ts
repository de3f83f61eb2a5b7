import { describe, expect, it } from 'vitest';
import { RestartPolicy } from '../src/cluster/restart-policy.js';

describe('RestartPolicy', () => {
  it('restarts at once after a first crash, then after doubling delays', () => {
    const policy = new RestartPolicy({ maxCrashes: 5, baseDelayMs: 100, windowMs: 60_000 });
    expect([0, 1, 2, 3].map((i) => policy.crashed(i * 1000))).toEqual([
      { restart: true, delayMs: 0 },
      { restart: true, delayMs: 100 },
      { restart: true, delayMs: 200 },
      { restart: true, delayMs: 400 },
    ]);
  });

  it('gives up at the crash that makes maxCrashes within the window', () => {
    const policy = new RestartPolicy({ maxCrashes: 3, windowMs: 10_000 });
    policy.crashed(0);
    policy.crashed(1000);
    expect(policy.crashed(2000)).toEqual({ restart: false, crashes: 3, windowMs: 10_000 });
  });

  it('forgets crashes older than the window, so a rare crash never adds up to giving up', () => {
    const policy = new RestartPolicy({ maxCrashes: 2, windowMs: 10_000 });
    for (let i = 0; i < 10; i += 1) {
      expect(policy.crashed(i * 20_000)).toEqual({ restart: true, delayMs: 0 });
    }
  });

  it('never waits longer than maxDelayMs', () => {
    const policy = new RestartPolicy({ maxCrashes: 100, baseDelayMs: 1000, maxDelayMs: 3000 });
    const delays = Array.from({ length: 6 }, (_, i) => policy.crashed(i));
    expect(delays.map((d) => (d.restart ? d.delayMs : -1))).toEqual([
      0, 1000, 2000, 3000, 3000, 3000,
    ]);
  });
});
