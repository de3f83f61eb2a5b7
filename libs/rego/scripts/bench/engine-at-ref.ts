/**
 * Another version of the engine to measure beside this one: a directory holding its libs/rego,
 * or the libs/rego of a git ref, extracted (git archive) under the checkout's
 * node_modules/.cache so that it resolves the checkout's dependencies. Used by this package's
 * bench (`--against`) and by the gateway's bench:normalization (the engine of the day a
 * target was set).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface EngineSource {
  /** The libs/rego directory: `src/index.ts` in it is the engine's entry. */
  readonly dir: string;
  readonly label: string;
  /** Removes an extracted copy. */
  readonly remove?: () => void;
}

/** Throws when `ref` is neither a libs/rego directory nor a git commit of `cwd`'s checkout. */
export function engineSourceAt(ref: string, cwd: string): EngineSource {
  const asDir = resolve(ref);
  if (existsSync(join(asDir, 'src/index.ts'))) return { dir: asDir, label: asDir };
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd }).toString().trim();
  let commit: string;
  try {
    commit = execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
      cwd: root,
    })
      .toString()
      .trim();
  } catch {
    throw new Error(`${ref} is neither a libs/rego directory nor a git commit`);
  }
  const target = join(root, 'node_modules/.cache/rego-bench-against', `${commit}-${process.pid}`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const archive = execFileSync('git', ['archive', commit, 'libs/rego'], {
    cwd: root,
    maxBuffer: 1 << 28,
  });
  execFileSync('tar', ['-x', '-C', target], { input: archive });
  return {
    dir: join(target, 'libs/rego'),
    label: `${ref} (${commit.slice(0, 7)})`,
    remove: () => rmSync(target, { recursive: true, force: true }),
  };
}
