// Paths of the repository's files, for tests that read or run them.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** `repoPath('deploy', 'compose.yaml')` → the absolute path of that file. */
export function repoPath(...segments: readonly string[]): string {
  return join(repoRoot, ...segments);
}
