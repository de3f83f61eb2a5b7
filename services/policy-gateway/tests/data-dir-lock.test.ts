import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE_NAME } from '../src/db/data-dir-lock.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgw-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function startOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function writeLock(dir: string, pid: number): void {
  const content = { pid, host: hostname(), start: startOf(pid), since: new Date().toISOString() };
  writeFileSync(join(dir, LOCK_FILE_NAME), JSON.stringify(content));
}

describe('data directory lock', () => {
  it('refuses a second holder, naming the data dir and the holding pid', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    let refusal: unknown;
    try {
      acquireDataDirLock(dir);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataDirLockedError);
    expect((refusal as Error).message).toContain(`POLICY_GATEWAY_DATA_DIR ${dir} is in use`);
    expect((refusal as Error).message).toContain(`pid ${process.pid}`);
    lock.release();
    acquireDataDirLock(dir).release();
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid ?? -1;
    await new Promise((resolve) => child.on('exit', resolve));
    writeLock(dir, pid);
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('refuses while the process named in the lock is alive', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeLock(dir, child.pid ?? -1);
      expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over a lock naming its own pid that it does not hold (a restarted container)', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, LOCK_FILE_NAME),
      JSON.stringify({ pid: process.pid, host: hostname(), start: 'earlier', since: '' }),
    );
    const lock = acquireDataDirLock(dir);
    lock.release();
  });

  it('takes over an unreadable lock file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE_NAME), '');
    acquireDataDirLock(dir).release();
  });
});
