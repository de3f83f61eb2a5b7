/**
 * Compiles a bench script the way `scripts/build.mjs` compiles the gateway, so that a bench
 * measures the code as it ships rather than under tsx: one esbuild build of ES modules for
 * node20.19, without `keepNames` (tsx transpiles every module with it, which wraps each named
 * function made at run time in a call that defines its `name`), workspace libraries
 * (@policy-gateway/*, which export TypeScript) bundled and every other package left external.
 * The policy evaluation thread is an entry of the same build, as in dist/: evaluation-thread.ts
 * names `./evaluation-worker.mjs` beside the chunk that holds it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

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
    absWorkingDir: packageDir,
    entryPoints: {
      bench: relative(packageDir, script),
      'evaluation-worker': 'src/policy/evaluation-worker.ts',
    },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    logLevel: 'warning',
    plugins: [
      {
        name: 'external-packages',
        setup(build: {
          onResolve(
            options: { filter: RegExp },
            callback: (args: { path: string }) => { external: true } | undefined,
          ): void;
        }) {
          build.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@policy-gateway/') ? undefined : { external: true },
          );
        },
      },
    ],
  });
  return join(outDir, 'bench.mjs');
}
