/**
 * Temporary directories that record the pid of the process that made them, so that a
 * later run can remove what a SIGKILLed run (which runs no exit hook) left behind:
 * embedded PostgreSQL servers still running, PGlite directories of ~40 MB.
 */
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OWNER_FILE = 'owner.pid';

/** Creates `<tmpdir>/<prefix>XXXXXX` owned by this process. */
export function createOwnedTempDir(prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(root, OWNER_FILE), String(process.pid));
  return root;
}

/**
 * Calls `release` for each directory with `prefix` whose owner is gone, then removes it.
 * Directories of live processes (other test runs) are left alone, and so are those of
 * other users (root's, say, in a shared /tmp), which this user could not remove.
 */
export function removeOrphanedTempDirs(prefix: string, release: (root: string) => void): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const root = join(tmpdir(), name);
    const owner = ownerPid(root);
    if (owner === undefined || isAlive(owner)) continue;
    release(root);
    rmSync(root, { recursive: true, force: true });
  }
}

/** The pid recorded in a directory of this user's, or undefined (not ours, gone, not one of these). */
function ownerPid(root: string): number | undefined {
  try {
    if (process.getuid !== undefined && lstatSync(root).uid !== process.getuid()) return undefined;
    return Number(readFileSync(join(root, OWNER_FILE), 'utf8'));
  } catch {
    // Removed meanwhile by another run's clean-up, or made by something else.
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
