/**
 * Reads a Rego bundle directory the way `opa run` reads one: every `.rego` module (tests
 * excluded) and every `data.json`, mounted at its directory's path. Also computes the
 * bundle's version, a digest of exactly the files that decide.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface PolicyBundleFile {
  /** Path relative to the bundle directory, with `/` separators on every platform. */
  readonly relativePath: string;
  readonly content: string;
}

export interface PolicyBundle {
  readonly dir: string;
  /** Rego modules, sorted by path. `*_test.rego` files are not part of a running bundle. */
  readonly modules: readonly PolicyBundleFile[];
  /** `data.json` files, sorted by path. */
  readonly dataFiles: readonly PolicyBundleFile[];
  /** Every `data.json` merged into one document, each mounted at its directory's path. */
  readonly data: Readonly<Record<string, unknown>>;
  /** `sha256:<hex>` over modules and data files; see `bundleDigest`. */
  readonly version: string;
}

/** A bundle that cannot be read: names the file and why. */
export class PolicyBundleError extends Error {
  override readonly name = 'PolicyBundleError';
}

/** Loads `dir`; rejects with a `PolicyBundleError` naming the file when one cannot be used. */
export async function loadPolicyBundle(dir: string): Promise<PolicyBundle> {
  const relativePaths = await listFiles(dir);
  const modules: PolicyBundleFile[] = [];
  const dataFiles: PolicyBundleFile[] = [];
  for (const relativePath of relativePaths) {
    const base = relativePath.slice(relativePath.lastIndexOf('/') + 1);
    const isModule = base.endsWith('.rego') && !base.endsWith('_test.rego');
    if (!isModule && base !== 'data.json') continue;
    const content = await readFile(path.join(dir, ...relativePath.split('/')), 'utf8');
    (isModule ? modules : dataFiles).push({ relativePath, content });
  }
  if (modules.length === 0) throw new PolicyBundleError(`no .rego module found under ${dir}`);
  const data: Record<string, unknown> = {};
  for (const file of dataFiles) mountDataFile(data, file);
  return { dir, modules, dataFiles, data, version: bundleDigest([...modules, ...dataFiles]) };
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

/** Files under `dir`, relative with `/`, sorted; hidden entries (`.git`, `.manifest`) skipped. */
async function listFiles(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true, encoding: 'utf8' });
  } catch (error) {
    throw new PolicyBundleError(`cannot read policy bundle ${dir}: ${(error as Error).message}`);
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const relative = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep);
    if (relative.some((part) => part.startsWith('.'))) continue;
    files.push(relative.join('/'));
  }
  return files.sort(compareCodeUnits);
}

function mountDataFile(root: Record<string, unknown>, file: PolicyBundleFile): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(file.content);
  } catch (error) {
    throw new PolicyBundleError(`${file.relativePath}: invalid JSON: ${(error as Error).message}`);
  }
  const segments = file.relativePath.split('/').slice(0, -1);
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
