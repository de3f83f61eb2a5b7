/**
 * The directory of the service's package (its package.json, the shipped `policies/` bundle),
 * found from this module's location whether it runs from `src/` through tsx or bundled into
 * `dist/` (scripts/build.mjs), where a path relative to the module would point elsewhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = '@policy-gateway/policy-gateway';

function findPackageDirectory(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === PACKAGE_NAME) {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`no ${PACKAGE_NAME} package.json above ${start}`);
    }
  }
}

/** e.g. `/app/services/policy-gateway`. */
export const PACKAGE_DIRECTORY: string = findPackageDirectory(
  path.dirname(fileURLToPath(import.meta.url)),
);
