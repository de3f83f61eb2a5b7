import { describe, expect, it } from 'vitest';
import { EMBEDDED_SINGLE_PROCESS, workerCount } from '../src/cluster/worker-count.js';
import type { Settings } from '../src/config/settings.js';
import { UnusableSettingError } from '../src/config/unusable-setting-error.js';

function settings(backend: Settings['store']['backend'], workers?: number) {
  return { workers, store: { backend } as Settings['store'] };
}

describe('workerCount', () => {
  it.each([
    {
      note: 'postgres uses every core by default',
      backend: 'postgres',
      workers: undefined,
      count: 4,
    },
    { note: 'memory uses every core by default', backend: 'memory', workers: undefined, count: 4 },
    { note: 'POLICY_GATEWAY_WORKERS wins', backend: 'postgres', workers: 3, count: 3 },
    { note: '1 is one process as before', backend: 'memory', workers: 1, count: 1 },
    { note: 'embedded is one process', backend: 'embedded', workers: undefined, count: 1 },
    { note: 'embedded with 1 asked for', backend: 'embedded', workers: 1, count: 1 },
  ] as const)('$note', ({ backend, workers, count }) => {
    expect(workerCount(settings(backend, workers), 4).count).toBe(count);
  });

  it('says why the embedded database serves from one process where there are more cores', () => {
    expect(workerCount(settings('embedded'), 4).singleProcessReason).toBe(EMBEDDED_SINGLE_PROCESS);
    expect(workerCount(settings('embedded'), 1).singleProcessReason).toBeUndefined();
    expect(workerCount(settings('postgres'), 4).singleProcessReason).toBeUndefined();
  });

  it('refuses more than one worker with the embedded database, naming the variables', () => {
    const refuse = () => workerCount(settings('embedded', 2), 4);
    expect(refuse).toThrow(UnusableSettingError);
    expect(refuse).toThrow(
      /^POLICY_GATEWAY_WORKERS=2 cannot be used with the embedded database, which one process serves/,
    );
  });
});
