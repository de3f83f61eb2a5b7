// Whether dist/ (scripts/build.mjs) holds a build of the sources as they are now. In a checkout
// (src/ is there) a build is current when none of the files it was made from has changed or gone
// since; an installation without src/ (the Docker image) has only the build, which is current.
// Cost: one stat per source file (about 200, under 5 ms).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * @param {string} packageDir the service's package directory
 * @returns {{ current: true } | { current: false, reason: string }}
 */
export function currentBuild(packageDir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(packageDir, 'dist/build-manifest.json'), 'utf8'));
  } catch {
    return { current: false, reason: 'dist/ has not been built' };
  }
  if (!isDirectory(path.join(packageDir, 'src'))) return { current: true };
  for (const input of manifest.inputs) {
    let modified;
    try {
      modified = statSync(path.join(packageDir, input)).mtimeMs;
    } catch {
      return { current: false, reason: `${input} is gone since the build` };
    }
    if (modified > manifest.builtAt) {
      return { current: false, reason: `${input} changed since the build` };
    }
  }
  return { current: true };
}

function isDirectory(dir) {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
