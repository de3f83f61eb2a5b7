/**
 * Compiles a TypeScript entry the way the gateway ships it, so that the bench can measure the
 * engine as it runs in the product rather than under tsx. The options are those of
 * services/policy-gateway/scripts/build.mjs: one esbuild bundle, ES module, platform node,
 * target node20.19, packages from node_modules left external. tsx transpiles each module with
 * esbuild's `keepNames` (and `minifyWhitespace`), which wraps every named function made at run
 * time in a call that defines its `name`; the shipped bundle has no `keepNames`, so a named
 * closure costs the product less than it costs the engine under tsx.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** esbuild's build options as this file uses them (esbuild is the gateway's dev dependency). */
interface EsbuildModule {
  build(options: Record<string, unknown>): Promise<{ errors: unknown[] }>;
}

/**
 * Bundles `entry` into `outDir/name.mjs` and returns that file's path. `outDir` must lie where
 * bare imports resolve this checkout's packages (under its node_modules), since they stay
 * external as in the shipped build. `keepNames` adds tsx's option, to measure what it costs.
 */
export async function compileAsShipped(
  entry: string,
  outDir: string,
  name: string,
  { keepNames = false }: { readonly keepNames?: boolean } = {},
): Promise<string> {
  // Imported at run time: the tsx figures need no esbuild, and it is installed for the gateway.
  const esbuild = (await import('esbuild')) as EsbuildModule;
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `${name}.mjs`);
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    sourcemap: 'linked',
    packages: 'external',
    keepNames,
    logLevel: 'warning',
  });
  return outfile;
}
