/**
 * An OPA bundle's `.manifest`: its `revision` (recorded as the policy version of every
 * decision), the `roots` it owns (the data paths its modules and data files may write),
 * its `rego_version` and free `metadata`. Read as OPA reads it: every member optional, roots
 * defaulting to the whole tree.
 */
import { PolicyBundleError } from './policy-bundle-error.js';

export interface BundleManifest {
  readonly revision: string | null;
  /** Slash-separated data paths; `['']` (the whole tree) when the manifest names none. */
  readonly roots: readonly string[];
  /** Syntax of modules without `import rego.v1`: OPA's `rego_version` 0 or 1 (default 1). */
  readonly regoVersion: 'v0' | 'v1';
  readonly metadata: Readonly<Record<string, unknown>>;
}

export const NO_MANIFEST: BundleManifest = Object.freeze({
  revision: null,
  roots: Object.freeze(['']),
  regoVersion: 'v1',
  metadata: Object.freeze({}),
});

/** Parses `.manifest`; a member of the wrong type is refused, naming it. */
export function parseBundleManifest(text: string): BundleManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PolicyBundleError(`.manifest: invalid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(parsed)) throw new PolicyBundleError('.manifest: must hold a JSON object');
  const { revision, roots, rego_version: regoVersion, metadata } = parsed;
  if (revision !== undefined && typeof revision !== 'string') {
    throw new PolicyBundleError('.manifest: "revision" must be a string');
  }
  if (
    roots !== undefined &&
    !(Array.isArray(roots) && roots.every((root) => typeof root === 'string'))
  ) {
    throw new PolicyBundleError('.manifest: "roots" must be an array of strings');
  }
  if (regoVersion !== undefined && regoVersion !== 0 && regoVersion !== 1) {
    throw new PolicyBundleError('.manifest: "rego_version" must be 0 or 1');
  }
  if (metadata !== undefined && !isRecord(metadata)) {
    throw new PolicyBundleError('.manifest: "metadata" must be an object');
  }
  return {
    revision: revision === undefined || revision === '' ? null : revision,
    roots: roots === undefined ? [''] : roots.map((root) => root.replace(/^\/+|\/+$/g, '')),
    regoVersion: regoVersion === 0 ? 'v0' : 'v1',
    metadata: metadata ?? {},
  };
}

/**
 * Whether the data path `path` (segments below `data`) lies under one of `roots`, as OPA
 * checks every module package and data file of a bundle against its manifest.
 */
export function withinRoots(roots: readonly string[], path: readonly string[]): boolean {
  return roots.some((root) => {
    if (root === '') return true;
    const segments = root.split('/');
    return segments.every((segment, index) => path[index] === segment);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
