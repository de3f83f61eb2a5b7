// The esbuild options of the gateway as it ships, in one place: scripts/build.mjs builds dist/
// with them, and compile-bench-as-shipped.ts builds the benches that must measure the code as it
// ships rather than under tsx. Plain JavaScript, since build.mjs runs without a TypeScript loader.
import path from 'node:path';

/**
 * Workspace packages are bundled (they export TypeScript); every other package stays external.
 * An external import is resolved at run time from the output directory, not from the library
 * that wrote it: the build refuses one that would find another copy there (a version installed
 * only under a library's own node_modules), rather than ship a bundle that fails or differs when
 * it runs.
 */
function externalPackages(packageDir) {
  return {
    name: 'external-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'as-installed' || args.path.startsWith('@policy-gateway/')) {
          return undefined;
        }
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        const resolveAt = (resolveDir) =>
          build.resolve(args.path, { kind: args.kind, resolveDir, pluginData: 'as-installed' });
        // From the package directory: dist/ holds no node_modules, so a package resolves from it
        // as from its parent, and the parent exists before the first build.
        const [fromImporter, fromDist] = await Promise.all([
          resolveAt(args.resolveDir),
          resolveAt(packageDir),
        ]);
        if (fromImporter.errors.length === 0 && fromImporter.path !== fromDist.path) {
          return {
            errors: [
              {
                text: `${args.path} resolves to ${fromImporter.path} from ${path.relative(packageDir, args.importer)} but to ${fromDist.path || 'nothing'} from dist/: add it to the service's dependencies so that one copy is installed where the bundle runs`,
              },
            ],
          };
        }
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * What every build of the service at `packageDir` shares: ES modules for node20.19, split into
 * chunks that all lie directly in the output directory (so that `new URL('./evaluation-worker.mjs',
 * import.meta.url)` in evaluation-thread.ts names the compiled worker from whichever chunk holds
 * that code), no `keepNames`. The caller adds `entryPoints`, `outdir` and its logging.
 */
export function shippedBuildOptions(packageDir) {
  return {
    absWorkingDir: packageDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    plugins: [externalPackages(packageDir)],
  };
}
