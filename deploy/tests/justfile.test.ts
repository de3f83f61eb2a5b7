// The justfile mirrors the npm scripts: each recipe calls the npm script of the same name,
// checked with the real `just` (the rust-just devDependency) parsing and dry-running it.
import { describe, expect, it } from 'vitest';
import { repoPath, repoRoot } from './support/repo-path.js';
import { runProcess } from './support/run-process.js';

const just = repoPath('node_modules/.bin/just');

interface JustDump {
  readonly recipes: Readonly<
    Record<string, { readonly parameters: readonly { readonly name: string }[] }>
  >;
}

/** What `just --dry-run` says a recipe would run (on stderr), without running it. */
async function dryRun(...args: string[]): Promise<string> {
  const result = await runProcess(just, ['--dry-run', ...args], {
    cwd: repoRoot,
    timeoutMs: 20_000,
  });
  expect(result.code).toBe(0);
  return result.stderr.trim();
}

describe('justfile', () => {
  it('defines dev-up, skeleton-up, migrate and test-adapters <package>', async () => {
    const result = await runProcess(just, ['--dump', '--dump-format', 'json'], {
      cwd: repoRoot,
      timeoutMs: 20_000,
    });
    expect(result.code).toBe(0);
    const { recipes } = JSON.parse(result.stdout) as JustDump;
    expect(Object.keys(recipes)).toEqual(
      expect.arrayContaining(['dev-up', 'skeleton-up', 'migrate', 'test-adapters']),
    );
    expect(recipes['test-adapters']?.parameters.map((p) => p.name)).toEqual(['package']);
  });

  it.each([
    ['dev-up', 'npm run dev-up'],
    ['skeleton-up', 'npm run skeleton-up'],
    ['migrate', 'npm run migrate'],
  ])('`just %s` runs `%s`', async (recipe, command) => {
    expect(await dryRun(recipe)).toBe(command);
  });

  it('`just migrate status` passes the subcommand to the npm script', async () => {
    expect(await dryRun('migrate', 'status')).toBe('npm run migrate -- status');
  });

  it('`just test-adapters governance-runtime` runs that project’s adapter integration tests', async () => {
    expect(await dryRun('test-adapters', 'governance-runtime')).toBe(
      "npm exec -- vitest run --project 'governance-runtime' adapters/tests/integration",
    );
  });
});
