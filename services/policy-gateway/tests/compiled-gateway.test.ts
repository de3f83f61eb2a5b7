/**
 * The gateway that ships is the compiled build (scripts/build.mjs → dist/), not the TypeScript
 * the other tests run: these tests build it and run it as a child process, with the defaults a
 * fresh `npm install && npm start` uses (the embedded database, one evaluation thread, the
 * shipped policy bundle), so that a module the bundle misses, a worker entry or a bundle
 * directory resolved from the wrong place, or PGlite's assets not found from dist/ fail here.
 * The choice the `policy-gateway` command makes between dist/ and the sources is tested on
 * directories made for the purpose.
 */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentBuild } from '../bin/current-build.js';
import { buildGateway, writeCompiledLauncher } from './support/compiled-gateway.js';
import { evaluate, runCli, startGateway } from './support/gateway-process.js';

describe('the compiled gateway', () => {
  let work: string;
  let launcher: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'compiled-gateway-'));
    expect(buildGateway()).toMatch(/policy-gateway build: \d+ sources → dist\//);
    launcher = await writeCompiledLauncher(work);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('migrates an embedded database and serves decisions of the shipped bundle from a worker thread', async () => {
    const env = {
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'embedded',
      POLICY_GATEWAY_DATA_DIR: path.join(work, 'data'),
      POLICY_GATEWAY_EVAL_WORKERS: '1',
    };
    const migrate = await runCli(['migrate'], env, { bin: launcher });
    expect(migrate.stderr).toBe('');
    expect(migrate.code).toBe(0);

    const gateway = await startGateway(env, { bin: launcher });
    try {
      const card = await evaluate(gateway.url, {
        prompt: 'Charge it to 4111 1111 1111 1111 please',
        user_id: 'compiled-test',
      });
      expect(card.status).toBe(200);
      expect(card.body.decision).toBe('deny');
      expect(card.body.reasons).toEqual(
        expect.arrayContaining([expect.objectContaining({ code: 'pii.payment_card' })]),
      );
      const health = await fetch(`${gateway.url}/health`);
      expect(health.status).toBe(200);
    } finally {
      expect(await gateway.kill('SIGTERM')).toBe(0);
    }
  }, 180_000);
});

describe('which code the policy-gateway command runs', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'current-build-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A package directory whose build read `inputs` at `builtAt`; `src/` exists unless told. */
  async function packageWith(name: string, inputs: string[], builtAt: number, withSrc = true) {
    const root = path.join(dir, name);
    await mkdir(path.join(root, 'dist'), { recursive: true });
    if (withSrc) await mkdir(path.join(root, 'src'), { recursive: true });
    await writeFile(
      path.join(root, 'dist/build-manifest.json'),
      JSON.stringify({ builtAt, inputs }),
    );
    return root;
  }

  async function writeAt(file: string, mtimeMs: number) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, 'export {};\n');
    await utimes(file, mtimeMs / 1000, mtimeMs / 1000);
  }

  it('runs dist/ when no source it was built from changed since', async () => {
    const builtAt = Date.now();
    const root = await packageWith('current', ['src/cli.ts', '../lib/src/index.ts'], builtAt);
    await writeAt(path.join(root, 'src/cli.ts'), builtAt - 60_000);
    await writeAt(path.join(root, '../lib/src/index.ts'), builtAt - 60_000);
    expect(currentBuild(root)).toEqual({ current: true });
  });

  it('runs the sources when one changed after the build, even in a library', async () => {
    const builtAt = Date.now() - 60_000;
    const root = await packageWith('changed', ['src/cli.ts', '../lib2/src/index.ts'], builtAt);
    await writeAt(path.join(root, 'src/cli.ts'), builtAt - 1000);
    await writeAt(path.join(root, '../lib2/src/index.ts'), builtAt + 1000);
    expect(currentBuild(root)).toEqual({
      current: false,
      reason: '../lib2/src/index.ts changed since the build',
    });
  });

  it('runs the sources when one the build read is gone', async () => {
    const root = await packageWith('gone', ['src/removed.ts'], Date.now());
    expect(currentBuild(root)).toEqual({
      current: false,
      reason: 'src/removed.ts is gone since the build',
    });
  });

  it('runs the sources when dist/ was never built', async () => {
    const root = path.join(dir, 'unbuilt');
    await mkdir(path.join(root, 'src'), { recursive: true });
    expect(currentBuild(root)).toEqual({ current: false, reason: 'dist/ has not been built' });
  });

  it('runs dist/ in an installation without sources (the Docker image)', async () => {
    const root = await packageWith('image', ['src/cli.ts', '../lib/src/index.ts'], 0, false);
    expect(currentBuild(root)).toEqual({ current: true });
  });
});
