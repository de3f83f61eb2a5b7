#!/usr/bin/env node
// Builds the gateway that ships: the TypeScript of the service and of the workspace libraries it
// imports (@policy-gateway/*) bundled by esbuild into plain ES modules under dist/, so that the
// `policy-gateway` command runs JavaScript without a TypeScript loader (tsx kept a loader thread,
// esbuild and every transpiled module's source map resident: see the README's "Memory").
// Packages from node_modules stay outside the bundle and are imported as installed (PGlite finds
// its WebAssembly next to its own files; pg, fastify and pino load their optional parts lazily).
//
// Output, every file directly in dist/ (chunks too): `new URL('./evaluation-worker.mjs',
// import.meta.url)` in evaluation-thread.ts then names the compiled worker from whichever chunk
// holds that code, as it names the TypeScript loader shim beside the source.
//   dist/cli.mjs                 the CLI (`runCli`), what bin/policy-gateway.js imports
//   dist/evaluation-worker.mjs   the entry of a policy evaluation thread
//   dist/chunk-*.mjs             code shared by both, or loaded on demand (`serve`, engines)
//   dist/build-manifest.json     the sources the build read and when: a checkout whose sources
//                                changed since runs them through tsx instead (see the bin)
//
// Usage: npm run build -w services/policy-gateway   (also run by `npm install` and `npm start`)
//   --if-esbuild  exit 0 with a note when esbuild is not installed (an `npm ci --omit=dev`
//                 install runs `prepare` too, and must not fail for want of a dev dependency)
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { shippedBuildOptions } from './shipped-build-options.mjs';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const distDir = path.join(packageDir, 'dist');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch (error) {
  if (process.argv.includes('--if-esbuild') && error?.code === 'ERR_MODULE_NOT_FOUND') {
    process.stdout.write('policy-gateway build: esbuild is not installed; dist/ not built\n');
    process.exit(0);
  }
  throw error;
}

const startedAt = Date.now();
// Built beside dist/ and swapped in whole, so that a gateway starting meanwhile (tests run
// several at once) never imports half of one build and half of another.
const stagingDir = `${distDir}.building-${process.pid}`;
await rm(stagingDir, { recursive: true, force: true });
try {
  const result = await esbuild.build({
    ...shippedBuildOptions(packageDir),
    entryPoints: {
      cli: 'src/cli.ts',
      'evaluation-worker': 'src/policy/evaluation-worker.ts',
    },
    outdir: stagingDir,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs)
    .map((input) => path.relative(packageDir, path.resolve(packageDir, input)).split(path.sep))
    .map((parts) => parts.join('/'))
    .sort();
  await writeFile(
    path.join(stagingDir, 'build-manifest.json'),
    `${JSON.stringify({ builtAt: startedAt, inputs }, null, 2)}\n`,
  );
  const previous = `${distDir}.previous-${process.pid}`;
  await mkdir(distDir, { recursive: true });
  await rename(distDir, previous);
  try {
    await rename(stagingDir, distDir);
  } catch (error) {
    // Another build (a test run beside `npm start`) swapped its dist/ in between: keep that one.
    if (error?.code !== 'ENOTEMPTY' && error?.code !== 'EEXIST') throw error;
    await rm(stagingDir, { recursive: true, force: true });
  }
  await rm(previous, { recursive: true, force: true });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, out) => sum + out.bytes, 0);
  process.stdout.write(
    `policy-gateway build: ${inputs.length} sources → dist/ (${(bytes / 1_048_576).toFixed(1)} MB with source maps) in ${Date.now() - startedAt} ms\n`,
  );
} catch (error) {
  await rm(stagingDir, { recursive: true, force: true });
  // esbuild has printed the errors with their file:line:col.
  if (error?.errors === undefined) throw error;
  process.exitCode = 1;
}
