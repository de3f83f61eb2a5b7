// deploy/scripts/start-streaming-replica.sh, where it must refuse: it removes directories and
// stops servers, so it touches only what it made. Starting a real replica from it is in
// services/policy-gateway/tests/read-replica.test.ts.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoPath, repoRoot } from './support/repo-path.js';
import { runProcess } from './support/run-process.js';

const SCRIPT = repoPath('deploy/scripts/start-streaming-replica.sh');
const directories: string[] = [];

function replicaScript(...args: string[]) {
  return runProcess('bash', [SCRIPT, ...args], { cwd: repoRoot, timeoutMs: 30_000 });
}

function scratch(): string {
  const directory = mkdtempSync(join(tmpdir(), 'replica-script-'));
  directories.push(directory);
  return directory;
}

afterEach(() => {
  for (const directory of directories.splice(0))
    rmSync(directory, { recursive: true, force: true });
});

describe('start-streaming-replica.sh', () => {
  it('parses with bash -n', async () => {
    const result = await runProcess('bash', ['-n', SCRIPT], { cwd: repoRoot, timeoutMs: 10_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('prints its usage and exits 2 without a command', async () => {
    const result = await replicaScript();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('start --primary URL --dir DIR');
  });

  const refused = [
    {
      note: 'a start without a primary',
      args: ['start', '--dir', '/tmp/unused'],
      says: 'start needs --primary',
    },
    { note: 'a command without a directory', args: ['stop'], says: 'stop needs --dir DIR' },
    {
      note: 'an unknown argument',
      args: ['start', '--primry', 'x'],
      says: "unknown argument '--primry'",
    },
    {
      note: 'a port that is not a number',
      args: ['start-primary', '--dir', '/tmp/unused', '--port', 'abc'],
      says: '--port must be a number',
    },
  ];
  for (const { note, args, says } of refused) {
    it(`refuses ${note} in one line`, async () => {
      const result = await replicaScript(...args);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(says)]);
    });
  }

  it('leaves a directory it did not make alone: clean refuses it and removes nothing', async () => {
    const directory = scratch();
    writeFileSync(join(directory, 'precious.txt'), 'keep me');
    const result = await replicaScript('clean', '--dir', directory);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('was not made by this script');
    expect(existsSync(join(directory, 'precious.txt'))).toBe(true);
  });

  it('refuses to start in a directory that is not empty', async () => {
    const directory = scratch();
    writeFileSync(join(directory, 'precious.txt'), 'keep me');
    const result = await replicaScript('start-primary', '--dir', directory);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not empty');
    expect(existsSync(join(directory, 'precious.txt'))).toBe(true);
  });
});
