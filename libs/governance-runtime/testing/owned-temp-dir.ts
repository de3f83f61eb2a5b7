/**
 * Temporary directories that record the pid of the process that made them, so that a
 * later run can remove what a SIGKILLed run (which runs no exit hook) left behind:
 * embedded PostgreSQL servers still running, PGlite directories of ~40 MB.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 * Directories of live processes (other test runs) are left alone.
 */
export function removeOrphanedTempDirs(prefix: string, release: (root: string) => void): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const root = join(tmpdir(), name);
    const ownerFile = join(root, OWNER_FILE);
    if (!existsSync(ownerFile) || isAlive(Number(readFileSync(ownerFile, 'utf8')))) continue;
    release(root);
    rmSync(root, { recursive: true, force: true });
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
