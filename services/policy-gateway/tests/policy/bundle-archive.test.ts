/**
 * OPA bundles (issue 14): the `.tar.gz` form `opa build` writes and the same tree as a
 * directory load alike — `.manifest` (revision as the policy version, roots, rego_version),
 * `data.json` and `data.yaml` anywhere in the tree — and a bundle that cannot be used is
 * refused with a reason naming the file: data or a package outside the manifest's roots, an
 * archive that is not gzip, a path climbing out of the bundle, a decompression bomb.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedPolicyEngine } from '../../src/policy/embedded-policy-engine.js';
import { loadPolicyBundle, PolicyBundleError } from '../../src/policy/policy-bundle.js';

const created: string[] = [];
afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bundle-archive-'));
  created.push(dir);
  return dir;
}

/** Writes `files` as a gzip tarball, the way `opa build` lays one out (`/`-rooted names). */
async function tarball(files: Readonly<Record<string, string>>): Promise<string> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk) => {
    chunks.push(chunk as Buffer);
  });
  const done = new Promise<void>((resolve) => archive.on('end', () => resolve()));
  for (const [name, content] of Object.entries(files)) archive.entry({ name: `/${name}` }, content);
  archive.finalize();
  await done;
  const file = path.join(await tempDir(), 'bundle.tar.gz');
  await writeFile(file, gzipSync(Buffer.concat(chunks)));
  return file;
}

async function directory(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await tempDir();
  for (const [relativePath, content] of Object.entries(files)) {
    const file = path.join(dir, ...relativePath.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return dir;
}

const BUNDLE = {
  '.manifest': JSON.stringify({
    revision: 'rev-2026-12-06',
    roots: ['gate', 'limits'],
    metadata: { team: 'governance' },
  }),
  'gate/policy.rego':
    'package gate\n\ndecision := {"allow": count(input.prompt) <= data.limits.max, "reasons": []}\n',
  'gate/data.json': '{"owner": "governance"}',
  'limits/data.yaml': 'max: 5\n',
  'gate/policy_test.rego': 'package gate_test\n\ntest_nothing if true\n',
};

describe('OPA bundles, as .tar.gz and as a directory', () => {
  it.each([
    ['a .tar.gz', tarball],
    ['a directory', directory],
  ] as const)(
    'loads %s: manifest, data.json and data.yaml mounted at their paths, tests left out',
    async (_form, write) => {
      const bundle = await loadPolicyBundle(await write(BUNDLE));
      expect(bundle.version).toBe('rev-2026-12-06');
      expect(bundle.manifest).toEqual({
        revision: 'rev-2026-12-06',
        roots: ['gate', 'limits'],
        regoVersion: 'v1',
        metadata: { team: 'governance' },
      });
      expect(bundle.modules.map((module) => module.relativePath)).toEqual(['gate/policy.rego']);
      expect(bundle.data).toEqual({ gate: { owner: 'governance' }, limits: { max: 5 } });
    },
  );

  it('serves a .tar.gz bundle: the embedded engine decides with its data and names its revision', async () => {
    const engine = await EmbeddedPolicyEngine.start({
      bundleDir: await tarball(BUNDLE),
      policyPath: 'data.gate.decision',
    });
    try {
      expect(engine.policyVersion).toBe('rev-2026-12-06');
      const short = await engine.evaluate({ prompt: 'hi', user_id: 'u', context: {} });
      const long = await engine.evaluate({ prompt: 'too long', user_id: 'u', context: {} });
      expect([short.decision, long.decision]).toEqual(['allow', 'deny']);
    } finally {
      await engine.close();
    }
  });

  it('versions a bundle without a revision by the digest of its files', async () => {
    const { '.manifest': _manifest, ...rest } = BUNDLE;
    const bundle = await loadPolicyBundle(await tarball(rest));
    expect(bundle.version).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await loadPolicyBundle(await directory(rest))).version).toBe(bundle.version);
  });

  it('reads modules without import rego.v1 in the manifest rego_version 0', async () => {
    const bundle = await loadPolicyBundle(
      await tarball({
        '.manifest': JSON.stringify({ rego_version: 0 }),
        'old.rego': 'package old\n\ndecision = {"allow": true, "reasons": []} { true }\n',
      }),
    );
    expect(bundle.manifest.regoVersion).toBe('v0');
    const engine = await EmbeddedPolicyEngine.fromBundle(bundle, {
      policyPath: 'data.old.decision',
    });
    expect((await engine.evaluate({ prompt: '', user_id: 'u', context: {} })).decision).toBe(
      'allow',
    );
  });
});

describe('manifest roots', () => {
  it('refuses data outside the roots, naming the file and the path', async () => {
    const source = await tarball({ ...BUNDLE, 'other/data.json': '{"x": 1}' });
    await expect(loadPolicyBundle(source)).rejects.toThrow(
      "other/data.json: data.other is outside the bundle's roots (gate, limits) named in .manifest",
    );
  });

  it('refuses a root-level data file whose keys fall outside the roots, and takes those inside', async () => {
    const inside = await directory({ ...BUNDLE, 'data.json': '{"limits": {"min": 1}}' });
    expect((await loadPolicyBundle(inside)).data).toMatchObject({ limits: { max: 5, min: 1 } });
    const outside = await directory({ ...BUNDLE, 'data.json': '{"secrets": {}}' });
    await expect(loadPolicyBundle(outside)).rejects.toThrow(/data\.json: data\.secrets is outside/);
  });

  it('refuses a module whose package is outside the roots', async () => {
    const source = await directory({ ...BUNDLE, 'stray.rego': 'package stray\n\nx := 1\n' });
    await expect(loadPolicyBundle(source)).rejects.toThrow(
      "stray.rego: package stray is outside the bundle's roots (gate, limits) named in .manifest",
    );
  });
});

describe('bad bundles are refused with a clear error', () => {
  it('an archive that is not gzip', async () => {
    const file = path.join(await tempDir(), 'bundle.tar.gz');
    await writeFile(file, 'not a tarball');
    await expect(loadPolicyBundle(file)).rejects.toThrow(
      new RegExp(`policy bundle ${file} is not a readable .tar.gz: `),
    );
  });

  it('a manifest that is not JSON, or whose members have the wrong type', async () => {
    await expect(loadPolicyBundle(await tarball({ ...BUNDLE, '.manifest': '{' }))).rejects.toThrow(
      /^\.manifest: invalid JSON/,
    );
    await expect(
      loadPolicyBundle(await tarball({ ...BUNDLE, '.manifest': '{"roots": "gate"}' })),
    ).rejects.toThrow('.manifest: "roots" must be an array of strings');
  });

  it('a data.yaml that is not YAML', async () => {
    await expect(
      loadPolicyBundle(await tarball({ ...BUNDLE, 'limits/data.yaml': 'max: [1,\n' })),
    ).rejects.toThrow(/^limits\/data\.yaml: invalid YAML/);
  });

  it('an entry whose path climbs out of the bundle', async () => {
    const source = await tarball({ ...BUNDLE, '../escape.rego': 'package gate\n' });
    await expect(loadPolicyBundle(source)).rejects.toThrow(
      /holds \/\.\.\/escape\.rego, a path outside the bundle/,
    );
  });

  it('a decompression bomb: content past the size limit stops the read', async () => {
    const source = await tarball({ ...BUNDLE, 'gate/big/data.json': `"${'0'.repeat(2_000_000)}"` });
    await expect(loadPolicyBundle(source, { maxBytes: 1_000_000, maxFiles: 100 })).rejects.toThrow(
      /inflates beyond 1000000 bytes \(the bundle size limit\)/,
    );
    await expect(loadPolicyBundle(source)).resolves.toMatchObject({ version: 'rev-2026-12-06' });
  });

  it('refuses with PolicyBundleError, which start-up reports', async () => {
    await expect(loadPolicyBundle(await tarball({ 'x/data.json': '{}' }))).rejects.toBeInstanceOf(
      PolicyBundleError,
    );
  });
});
