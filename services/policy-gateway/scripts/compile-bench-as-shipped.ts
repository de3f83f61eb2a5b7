/**
 * Compiles a bench script the way `scripts/build.mjs` compiles the gateway
 * (`shippedBuildOptions`), so that a bench measures the code as it ships rather than under tsx,
 * which transpiles every module with esbuild's `keepNames` (each named function made at run time
 * wrapped in a call that defines its `name`). The policy evaluation thread is an entry of the
 * same build, as in dist/.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { shippedBuildOptions } from './shipped-build-options.mjs';

/** esbuild's build API as this file uses it (esbuild is the service's dev dependency). */
interface EsbuildModule {
  build(options: Record<string, unknown>): Promise<{ errors: unknown[] }>;
}

/**
 * Builds `script` (a path under `packageDir`) into a fresh directory under `packageDir`'s
 * node_modules/.cache, where bare imports resolve to the packages installed for it, and returns
 * the compiled script's path.
 */
export async function compileBenchAsShipped(packageDir: string, script: string): Promise<string> {
  const esbuild = (await import('esbuild')) as EsbuildModule;
  const outDir = join(packageDir, 'node_modules', '.cache', `bench-compiled-${process.pid}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    ...shippedBuildOptions(packageDir),
    entryPoints: {
      bench: relative(packageDir, script),
      'evaluation-worker': 'src/policy/evaluation-worker.ts',
    },
    outdir: outDir,
    logLevel: 'warning',
  });
  return join(outDir, 'bench.mjs');
}
