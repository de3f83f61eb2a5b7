/**
 * Reads an OPA bundle the way `opa run` reads one, from a directory or a `.tar.gz` archive
 * (`bundle-archive.ts`): every `.rego` module (tests excluded), every `data.json` and
 * `data.yaml` mounted at its directory's path, and the `.manifest` at the root
 * (`bundle-manifest.ts`), whose `roots` every module's package and every data document must
 * lie under. JSON Schemas under `schemas/` type the policy as `opa check --schema` does (this
 * project's addition to the bundle layout): `schemas/input.json` types input, and every
 * `schemas/a/b.json` is the schema `schema.a.b` that `# METADATA` blocks may name; a policy
 * that reads a field its schema does not have then fails to compile. The bundle's version is
 * the manifest's `revision`, or, without one, a digest of exactly the files that decide.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type BundleArchiveLimits, readBundleArchive } from './bundle-archive.js';
import {
  type BundleManifest,
  NO_MANIFEST,
  parseBundleManifest,
  withinRoots,
} from './bundle-manifest.js';
import { PolicyBundleError } from './policy-bundle-error.js';
import type { PolicyBundleFile } from './policy-bundle-file.js';

export { PolicyBundleError } from './policy-bundle-error.js';
export type { PolicyBundleFile } from './policy-bundle-file.js';

export interface PolicyBundle {
  /** Where the bundle was read from: a directory or a `.tar.gz` file. */
  readonly dir: string;
  /** Rego modules, sorted by path. `*_test.rego` files are not part of a running bundle. */
  readonly modules: readonly PolicyBundleFile[];
  /** `data.json` and `data.yaml` files, sorted by path. */
  readonly dataFiles: readonly PolicyBundleFile[];
  /** Every data file merged into one document, each mounted at its directory's path. */
  readonly data: Readonly<Record<string, unknown>>;
  /** `schemas/**.json` as the engine's `schemas` option takes them (`input`, `schema.a.b`). */
  readonly schemas: Readonly<Record<string, unknown>>;
  /** The manifest (`NO_MANIFEST` when the bundle has none). */
  readonly manifest: BundleManifest;
  /** The manifest's revision, else `sha256:<hex>` over modules and data files (`bundleDigest`). */
  readonly version: string;
}

const DATA_FILES: ReadonlySet<string> = new Set(['data.json', 'data.yaml', 'data.yml']);

/** A JSON Schema of the bundle: `schemas/…/*.json`. */
const isSchemaFile = (relativePath: string): boolean =>
  relativePath.startsWith('schemas/') && relativePath.endsWith('.json');

/**
 * Loads the bundle at `source` (a directory, or a `.tar.gz`/`.tgz` file); rejects with a
 * `PolicyBundleError` naming the file when one cannot be used.
 *
 * @example
 * const bundle = await loadPolicyBundle('dist/bundle.tar.gz');
 * bundle.version; // the manifest's revision, e.g. "v1.4.2"
 */
export async function loadPolicyBundle(
  source: string,
  limits?: BundleArchiveLimits,
): Promise<PolicyBundle> {
  let isFile: boolean;
  try {
    isFile = (await stat(source)).isFile();
  } catch (error) {
    throw new PolicyBundleError(`cannot read policy bundle ${source}: ${(error as Error).message}`);
  }
  const files = isFile ? await readBundleArchive(source, limits) : await readDirectory(source);
  return assembleBundle(source, files);
}

/** Sorts a bundle's files into modules, data and manifest, and checks them against its roots. */
export function assembleBundle(source: string, files: readonly PolicyBundleFile[]): PolicyBundle {
  const modules: PolicyBundleFile[] = [];
  const dataFiles: PolicyBundleFile[] = [];
  const schemaFiles: PolicyBundleFile[] = [];
  let manifest = NO_MANIFEST;
  for (const file of [...files].sort((a, b) => compareCodeUnits(a.relativePath, b.relativePath))) {
    const base = file.relativePath.slice(file.relativePath.lastIndexOf('/') + 1);
    if (file.relativePath === '.manifest') manifest = parseBundleManifest(file.content);
    else if (file.relativePath.split('/').some((part) => part.startsWith('.'))) continue;
    else if (isSchemaFile(file.relativePath)) schemaFiles.push(file);
    else if (base.endsWith('.rego') && !base.endsWith('_test.rego')) modules.push(file);
    else if (DATA_FILES.has(base)) dataFiles.push(file);
  }
  if (modules.length === 0) throw new PolicyBundleError(`no .rego module found under ${source}`);
  for (const module of modules) checkPackageWithinRoots(manifest, module);
  const data: Record<string, unknown> = {};
  for (const file of dataFiles) mountDataFile(data, file, manifest);
  return {
    dir: source,
    modules,
    dataFiles,
    data,
    schemas: readSchemas(schemaFiles),
    manifest,
    version: manifest.revision ?? bundleDigest([...modules, ...dataFiles, ...schemaFiles]),
  };
}

function readSchemas(files: readonly PolicyBundleFile[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  for (const file of files) {
    let schema: unknown;
    try {
      schema = JSON.parse(file.content);
    } catch (error) {
      throw new PolicyBundleError(
        `${file.relativePath}: invalid JSON Schema file: ${(error as Error).message}`,
      );
    }
    const name = file.relativePath.slice('schemas/'.length, -'.json'.length).split('/');
    schemas[`schema.${name.join('.')}`] = schema;
    if (name.length === 1 && name[0] === 'input') schemas.input = schema;
  }
  return schemas;
}

/**
 * The bundle version: `sha256:` + hex digest of the files sorted by relative path, each
 * contributing `<path>\n<length>\n<content>\n`. Line endings are normalised to `\n` first so
 * that a Windows checkout yields the same version as a Linux one; the length prefix keeps
 * two different bundles from concatenating to the same text.
 */
export function bundleDigest(files: readonly PolicyBundleFile[]): string {
  const hash = createHash('sha256');
  const sorted = [...files].sort((a, b) => compareCodeUnits(a.relativePath, b.relativePath));
  for (const file of sorted) {
    const content = file.content.replace(/\r\n/g, '\n');
    hash.update(`${file.relativePath}\n${Buffer.byteLength(content, 'utf8')}\n`, 'utf8');
    hash.update(content, 'utf8');
    hash.update('\n', 'utf8');
  }
  return `sha256:${hash.digest('hex')}`;
}

/** The files under `dir` that a bundle may use, relative with `/`. */
async function readDirectory(dir: string): Promise<PolicyBundleFile[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true, encoding: 'utf8' });
  } catch (error) {
    throw new PolicyBundleError(`cannot read policy bundle ${dir}: ${(error as Error).message}`);
  }
  const files: PolicyBundleFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const parts = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep);
    const relativePath = parts.join('/');
    const base = parts.at(-1) ?? '';
    const used =
      relativePath === '.manifest' ||
      (!parts.some((part) => part.startsWith('.')) &&
        (base.endsWith('.rego') || DATA_FILES.has(base) || isSchemaFile(relativePath)));
    if (!used) continue;
    const content = await readFile(path.join(dir, ...parts), 'utf8');
    files.push({ relativePath, content });
  }
  return files;
}

/** The package a module declares, as data path segments (`package a.b` → `["a", "b"]`). */
function packageOf(module: PolicyBundleFile): string[] | undefined {
  const declared = /^\s*package\s+([^\s#]+)/m.exec(module.content)?.[1];
  if (declared === undefined) return undefined;
  return declared
    .split('.')
    .map((segment) => segment.replace(/^\[?"?|"?\]?$/g, ''))
    .filter((segment) => segment !== '');
}

function checkPackageWithinRoots(manifest: BundleManifest, module: PolicyBundleFile): void {
  const pkg = packageOf(module);
  if (pkg === undefined || withinRoots(manifest.roots, pkg)) return;
  throw new PolicyBundleError(
    `${module.relativePath}: package ${pkg.join('.')} is outside the bundle's roots (${manifest.roots.join(', ')}) named in .manifest`,
  );
}

/** Refuses data that lies outside every root, descending where a root lies deeper. */
function checkDataWithinRoots(
  manifest: BundleManifest,
  file: PolicyBundleFile,
  at: readonly string[],
  value: unknown,
): void {
  if (withinRoots(manifest.roots, at)) return;
  const deeper = manifest.roots.some((root) => {
    const segments = root.split('/');
    return segments.length > at.length && at.every((segment, index) => segments[index] === segment);
  });
  if (deeper && isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      checkDataWithinRoots(manifest, file, [...at, key], child);
    }
    return;
  }
  throw new PolicyBundleError(
    `${file.relativePath}: data.${at.join('.')} is outside the bundle's roots (${manifest.roots.join(', ')}) named in .manifest`,
  );
}

function parseDataFile(file: PolicyBundleFile): unknown {
  const yaml = !file.relativePath.endsWith('.json');
  try {
    return yaml ? parseYaml(file.content) : JSON.parse(file.content);
  } catch (error) {
    throw new PolicyBundleError(
      `${file.relativePath}: invalid ${yaml ? 'YAML' : 'JSON'}: ${(error as Error).message}`,
    );
  }
}

function mountDataFile(
  root: Record<string, unknown>,
  file: PolicyBundleFile,
  manifest: BundleManifest,
): void {
  const parsed = parseDataFile(file);
  const segments = file.relativePath.split('/').slice(0, -1);
  checkDataWithinRoots(manifest, file, segments, parsed);
  if (segments.length === 0) {
    if (!isRecord(parsed)) throw new PolicyBundleError(`${file.relativePath}: must hold an object`);
    mergeInto(root, parsed, file.relativePath, []);
    return;
  }
  let target = root;
  for (const segment of segments.slice(0, -1)) {
    const next = target[segment] ?? {};
    if (!isRecord(next)) throw conflict(file.relativePath, segments);
    target[segment] = next;
    target = next;
  }
  const last = segments.at(-1)!;
  const existing = target[last];
  if (existing === undefined) target[last] = parsed;
  else if (isRecord(existing) && isRecord(parsed))
    mergeInto(existing, parsed, file.relativePath, segments);
  else throw conflict(file.relativePath, segments);
}

function mergeInto(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
  file: string,
  at: readonly string[],
): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing === undefined) target[key] = value;
    else if (isRecord(existing) && isRecord(value)) mergeInto(existing, value, file, [...at, key]);
    else throw conflict(file, [...at, key]);
  }
}

function conflict(file: string, at: readonly string[]): PolicyBundleError {
  return new PolicyBundleError(
    `${file}: data.${at.join('.')} is already defined by another data file`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
