/**
 * The compiled gateway (scripts/build.mjs → dist/) for tests and benches: builds it, and writes a
 * launcher that runs dist/ whatever the sources look like (bin/policy-gateway.js would run the
 * sources instead while another engineer's edit makes the build look stale).
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** Runs scripts/build.mjs; throws with its output when it fails. */
export function buildGateway(): string {
  const result = spawnSync(process.execPath, [path.join(PACKAGE_DIR, 'scripts/build.mjs')], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`the build failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** Writes `<dir>/policy-gateway-compiled.mjs`, a command that runs dist/cli.mjs; returns its path. */
export async function writeCompiledLauncher(dir: string): Promise<string> {
  const launcher = path.join(dir, 'policy-gateway-compiled.mjs');
  const runCli = pathToFileURL(path.join(PACKAGE_DIR, 'bin/run-cli.js')).href;
  const cli = pathToFileURL(path.join(PACKAGE_DIR, 'dist/cli.mjs')).href;
  await writeFile(
    launcher,
    `import { runCliAndExit } from ${JSON.stringify(runCli)};\nawait runCliAndExit(await import(${JSON.stringify(cli)}));\n`,
  );
  return launcher;
}
