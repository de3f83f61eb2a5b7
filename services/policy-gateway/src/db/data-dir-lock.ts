/**
 * One process per embedded data directory. PGlite does not stop two processes opening the
 * same directory (they would corrupt it), so the gateway holds a lock file naming its pid.
 * A lock left by a process that is gone (killed, crashed) is recognised as stale and taken
 * over; a lock held by a live process makes the second one refuse to start.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE_NAME = 'policy-gateway.lock';

interface LockContent {
  readonly pid: number;
  readonly host: string;
  /** The process's start time as the kernel records it, so a reused pid is not mistaken for us. */
  readonly start: string | null;
  readonly since: string;
}

/** The data directory is held by another live process. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
  ) {
    super(
      `POLICY_GATEWAY_DATA_DIR ${dataDir} is in use by another policy-gateway process (pid ${holderPid}); the embedded database allows one process per data directory: stop that process, or set POLICY_GATEWAY_DATA_DIR to another directory (or use the postgres backend to run several gateways)`,
    );
  }
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** Locks held by this process, so that opening the same directory twice here also refuses. */
const held = new Set<string>();

function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); fields are counted after the parenthesised command name.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): { text: string; content: LockContent | undefined } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return { text, content: JSON.parse(text) as LockContent };
  } catch {
    return { text, content: undefined };
  }
}

/** Whether the lock's holder is still running (on this host, as the same process). */
function holderAlive(lockPath: string, content: LockContent | undefined): boolean {
  if (content === undefined || typeof content.pid !== 'number') return false;
  // Another host shares the directory: its pids mean nothing here, so assume it is alive.
  if (content.host !== hostname()) return true;
  if (content.pid === process.pid) return held.has(lockPath);
  if (!isAlive(content.pid)) return false;
  const start = processStart(content.pid);
  return start === null || content.start === null || start === content.start;
}

/**
 * Takes the lock of `dataDir` (creating the directory), or throws `DataDirLockedError`.
 *
 * @example
 * const lock = acquireDataDirLock('/var/lib/policy-gateway');
 * try { … } finally { lock.release(); }
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(dataDir, LOCK_FILE_NAME);
  const content: LockContent = {
    pid: process.pid,
    host: hostname(),
    start: processStart(process.pid),
    since: new Date().toISOString(),
  };
  // Written whole to a private file, then linked into place: link fails if the lock exists,
  // and a reader never sees a half-written lock.
  const draft = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${JSON.stringify(content)}\n`, { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        linkSync(draft, lockPath);
        held.add(lockPath);
        return {
          path: lockPath,
          release: () => {
            if (!held.delete(lockPath)) return;
            const current = readLock(lockPath);
            if (current?.content?.pid === process.pid) unlinkSync(lockPath);
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const existing = readLock(lockPath);
      if (existing === undefined) continue;
      if (holderAlive(lockPath, existing.content)) {
        throw new DataDirLockedError(dataDir, existing.content?.pid ?? -1);
      }
      // Stale: remove it only if it is still the lock we judged, then try again.
      if (readLock(lockPath)?.text === existing.text) {
        try {
          unlinkSync(lockPath);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
    }
    throw new Error(`could not take the lock ${lockPath}: it keeps changing; retry`);
  } finally {
    unlinkSync(draft);
  }
}
