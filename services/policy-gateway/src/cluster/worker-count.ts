/**
 * How many `serve` processes to run: `POLICY_GATEWAY_WORKERS`, or every core by default. The
 * embedded database is one process's (PGlite in a data directory that one process may open),
 * so with it the gateway runs one process, and more than one asked for is refused.
 */
import { availableParallelism } from 'node:os';
import type { Settings } from '../config/settings.js';
import { UnusableSettingError } from '../config/unusable-setting-error.js';

export interface WorkerCount {
  readonly count: number;
  /** Why one process serves although more cores are there; undefined otherwise. */
  readonly singleProcessReason?: string;
}

export const EMBEDDED_SINGLE_PROCESS =
  'the embedded database serves from one process (POLICY_GATEWAY_WORKERS does not apply to it); use POLICY_GATEWAY_AUDIT_STORE_BACKEND=postgres to serve from every core';

/**
 * @example
 * workerCount({ workers: undefined, store: { backend: 'postgres', … } }) // { count: 2 } on 2 cores
 */
export function workerCount(
  settings: Pick<Settings, 'workers' | 'store'>,
  cores: number = availableParallelism(),
): WorkerCount {
  if (settings.store.backend === 'embedded') {
    if (settings.workers !== undefined && settings.workers > 1) {
      throw new UnusableSettingError(
        ['POLICY_GATEWAY_WORKERS', 'POLICY_GATEWAY_AUDIT_STORE_BACKEND'],
        `POLICY_GATEWAY_WORKERS=${settings.workers} cannot be used with the embedded database, which one process serves: unset it or set 1, or use POLICY_GATEWAY_AUDIT_STORE_BACKEND=postgres to serve from several processes`,
      );
    }
    return { count: 1, ...(cores > 1 && { singleProcessReason: EMBEDDED_SINGLE_PROCESS }) };
  }
  return { count: settings.workers ?? cores };
}
