/**
 * Start-up patience: a gateway started before its database is ready waits, retrying with
 * exponential backoff up to a limit, instead of crashing. Errors that waiting cannot fix
 * (bad password, no such database) end the wait at once.
 */

/** SQLSTATEs that will not go away by themselves. */
const PERMANENT_SQLSTATES = new Set([
  '28P01', // invalid_password
  '28000', // invalid_authorization_specification
  '3D000', // invalid_catalog_name: the database does not exist
  '42501', // insufficient_privilege
]);

export function isPermanentConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PERMANENT_SQLSTATES.has(code);
}

export interface WaitOptions {
  readonly maxWaitMs: number;
  readonly initialBackoffMs: number;
  /** Called before each retry, for the log. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

const MAX_BACKOFF_MS = 5000;

/** Retries `attempt` until it resolves, a permanent error, or `maxWaitMs` has passed. */
export async function waitForDatabase<T>(
  attempt: () => Promise<T>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.maxWaitMs;
  let delay = options.initialBackoffMs;
  for (let count = 1; ; count += 1) {
    try {
      return await attempt();
    } catch (error) {
      const remaining = deadline - Date.now();
      if (isPermanentConnectionError(error) || remaining <= 0) throw error;
      const wait = Math.min(delay, remaining);
      options.onRetry?.(error, count, wait);
      await new Promise((resolve) => setTimeout(resolve, wait));
      delay = Math.min(delay * 2, MAX_BACKOFF_MS);
    }
  }
}
