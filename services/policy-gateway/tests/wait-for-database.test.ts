import { describe, expect, it } from 'vitest';
import { isPermanentConnectionError, waitForDatabase } from '../src/db/wait-for-database.js';

function failing(times: number, error: Error & { code?: string }) {
  let calls = 0;
  const attempt = async () => {
    calls += 1;
    if (calls <= times) throw error;
    return 'connected';
  };
  return { attempt, calls: () => calls };
}

const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const badPassword = Object.assign(new Error('password authentication failed'), { code: '28P01' });

describe('waiting for the database at start-up', () => {
  it('retries a database that refuses connections until it accepts', async () => {
    const { attempt, calls } = failing(3, refused);
    const retries: number[] = [];
    const result = await waitForDatabase(attempt, {
      maxWaitMs: 10_000,
      initialBackoffMs: 10,
      onRetry: (_error, count) => retries.push(count),
    });
    expect(result).toBe('connected');
    expect(calls()).toBe(4);
    expect(retries).toEqual([1, 2, 3]);
  });

  it('stops at once on an error waiting cannot fix, such as a wrong password', async () => {
    const { attempt, calls } = failing(5, badPassword);
    await expect(
      waitForDatabase(attempt, { maxWaitMs: 10_000, initialBackoffMs: 10 }),
    ).rejects.toBe(badPassword);
    expect(calls()).toBe(1);
    expect(isPermanentConnectionError(badPassword)).toBe(true);
    expect(isPermanentConnectionError(refused)).toBe(false);
  });

  it('gives up with the last error once the wait limit has passed', async () => {
    const { attempt } = failing(Number.POSITIVE_INFINITY, refused);
    await expect(waitForDatabase(attempt, { maxWaitMs: 0, initialBackoffMs: 10 })).rejects.toBe(
      refused,
    );
  });
});
