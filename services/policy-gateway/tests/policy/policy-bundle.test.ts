/**
 * Reading a Rego bundle directory and its version digest: which files count, where data
 * files are mounted, and that the version follows the content and nothing else.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_BUNDLE_DIR } from '../../src/policy/create-policy-engine.js';
import { bundleDigest, loadPolicyBundle } from '../../src/policy/policy-bundle.js';

const created: string[] = [];
afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes `files` (relative path → content) into a fresh temporary directory. */
async function bundleDir(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'policy-bundle-'));
  created.push(dir);
  for (const [relativePath, content] of Object.entries(files)) {
    const file = path.join(dir, ...relativePath.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return dir;
}

const BASE = {
  'main.rego': 'package demo\n\nallow := true\n',
  'data.json': '{"demo": {"limit": 3}}\n',
};

async function versionOf(files: Readonly<Record<string, string>>): Promise<string> {
  return (await loadPolicyBundle(await bundleDir(files))).version;
}

describe('loadPolicyBundle', () => {
  it('loads every module recursively, leaving out tests, hidden files and other files', async () => {
    const dir = await bundleDir({
      ...BASE,
      'rules/limits.rego': 'package demo\n',
      'tests/limits_test.rego': 'package demo_test\n',
      '.hidden/secret.rego': 'package hidden\n',
      'README.md': '# demo\n',
    });

    const bundle = await loadPolicyBundle(dir);

    expect(bundle.modules.map((module) => module.relativePath)).toEqual([
      'main.rego',
      'rules/limits.rego',
    ]);
    expect(bundle.dataFiles.map((file) => file.relativePath)).toEqual(['data.json']);
    expect(bundle.data).toEqual({ demo: { limit: 3 } });
  });

  it('mounts a data.json at the path of its directory, as opa run does', async () => {
    const dir = await bundleDir({
      ...BASE,
      'demo/users/data.json': '{"blocked": ["u-9"]}',
    });

    const bundle = await loadPolicyBundle(dir);

    expect(bundle.data).toEqual({ demo: { limit: 3, users: { blocked: ['u-9'] } } });
  });

  it('names the file holding invalid JSON', async () => {
    const dir = await bundleDir({ ...BASE, 'demo/data.json': '{"limit": ' });

    await expect(loadPolicyBundle(dir)).rejects.toThrow(/^demo\/data\.json: invalid JSON/);
  });

  it('names the file whose data collides with another data file', async () => {
    const dir = await bundleDir({ ...BASE, 'demo/data.json': '{"limit": 4}' });

    await expect(loadPolicyBundle(dir)).rejects.toThrow(
      'demo/data.json: data.demo.limit is already defined by another data file',
    );
  });

  it('reads JSON Schemas under schemas/: input.json types input, a/b.json is schema.a.b', async () => {
    const dir = await bundleDir({
      ...BASE,
      'schemas/input.json': '{"type": "object"}',
      'schemas/log/event.json': '{"type": "string"}',
    });
    const bundle = await loadPolicyBundle(dir);
    expect(bundle.schemas).toEqual({
      input: { type: 'object' },
      'schema.input': { type: 'object' },
      'schema.log.event': { type: 'string' },
    });
    expect(bundle.version).not.toBe((await loadPolicyBundle(await bundleDir(BASE))).version);
    await expect(
      loadPolicyBundle(await bundleDir({ ...BASE, 'schemas/input.json': '{' })),
    ).rejects.toThrow(/schemas\/input\.json: invalid JSON Schema file/);
  });

  it('refuses a directory without any module', async () => {
    const dir = await bundleDir({ 'data.json': '{}' });

    await expect(loadPolicyBundle(dir)).rejects.toThrow('no .rego module found under');
  });

  it('refuses a directory that does not exist', async () => {
    await expect(loadPolicyBundle('/nonexistent/policies')).rejects.toThrow(
      'cannot read policy bundle /nonexistent/policies',
    );
  });

  it('loads the shipped bundle', async () => {
    const bundle = await loadPolicyBundle(DEFAULT_POLICY_BUNDLE_DIR);

    expect(bundle.modules.map((module) => module.relativePath)).toEqual(
      expect.arrayContaining(['decision.rego', 'secrets.rego', 'personal_data.rego']),
    );
    expect(bundle.data).toHaveProperty('policy_gateway.limits.max_prompt_chars');
    expect(bundle.version).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('bundle version', () => {
  it('is a sha256 digest that does not depend on where the bundle lives', async () => {
    const first = await versionOf(BASE);
    const second = await versionOf(BASE);

    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(second).toBe(first);
  });

  it('is pinned for given files, so that it stays the same across machines and releases', () => {
    // Computed outside this code from the documented form: sha256 over
    // `<path>\n<byte length>\n<content>\n` for each file, sorted by path.
    const version = bundleDigest([
      { relativePath: 'main.rego', content: 'package demo\n\nallow := true\n' },
      { relativePath: 'data.json', content: '{"demo": {"limit": 3}}\n' },
    ]);

    expect(version).toBe('sha256:efd9485fe44bbdc2ec6ea6d3367b028bf06999ab0fe5fc3bf5968f263c68546c');
  });

  it('does not depend on the order files were listed in', () => {
    const files = [
      { relativePath: 'b.rego', content: 'package b\n' },
      { relativePath: 'a.rego', content: 'package a\n' },
    ];

    expect(bundleDigest(files)).toBe(bundleDigest([...files].reverse()));
  });

  it('is the same for a checkout with Windows line endings', async () => {
    const crlf = { ...BASE, 'main.rego': BASE['main.rego'].replace(/\n/g, '\r\n') };

    expect(await versionOf(crlf)).toBe(await versionOf(BASE));
  });

  it.each<{ note: string; change: Readonly<Record<string, string>> }>([
    { note: 'a module changes', change: { 'main.rego': 'package demo\n\nallow := false\n' } },
    { note: 'the data changes', change: { 'data.json': '{"demo": {"limit": 4}}\n' } },
    { note: 'a module is added', change: { 'extra.rego': 'package demo\n' } },
  ])('changes when $note', async ({ change }) => {
    expect(await versionOf({ ...BASE, ...change })).not.toBe(await versionOf(BASE));
  });

  it('changes when a module is renamed with the same content', async () => {
    const renamed = { 'rules.rego': BASE['main.rego'], 'data.json': BASE['data.json'] };

    expect(await versionOf(renamed)).not.toBe(await versionOf(BASE));
  });

  it('tells apart two bundles whose files would concatenate to the same text', () => {
    const two = bundleDigest([
      { relativePath: 'a.rego', content: 'package a\n' },
      { relativePath: 'b.rego', content: 'package b\n' },
    ]);
    const one = bundleDigest([
      { relativePath: 'a.rego', content: 'package a\n\nb.rego\npackage b\n' },
    ]);

    expect(one).not.toBe(two);
  });

  it('stays the same when only tests or documentation change', async () => {
    const withExtras = {
      ...BASE,
      'tests/main_test.rego': 'package demo_test\n',
      'README.md': '# demo\n',
    };

    expect(await versionOf(withExtras)).toBe(await versionOf(BASE));
  });
});
