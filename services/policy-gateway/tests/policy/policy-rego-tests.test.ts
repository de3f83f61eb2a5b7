/**
 * Runs the bundle's own Rego tests (`policies/**\/*_test.rego`, the files `opa test policies/`
 * runs) through the embedded engine: one Vitest case per `test_` rule, so that the same
 * expectations hold the embedded engine and OPA to the same answers.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { RegoEngine } from '@policy-gateway/rego';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_BUNDLE_DIR } from '../../src/policy/create-policy-engine.js';
import { loadPolicyBundle } from '../../src/policy/policy-bundle.js';

interface RegoTest {
  readonly file: string;
  readonly packagePath: string;
  readonly rule: string;
}

const bundle = await loadPolicyBundle(DEFAULT_POLICY_BUNDLE_DIR);
const testFiles = await Promise.all(
  (await readdir(DEFAULT_POLICY_BUNDLE_DIR, { recursive: true }))
    .filter((file) => file.endsWith('_test.rego'))
    .sort()
    .map(async (file) => ({
      file: file.split(path.sep).join('/'),
      source: await readFile(path.join(DEFAULT_POLICY_BUNDLE_DIR, file), 'utf8'),
    })),
);

/** `test_` rules as OPA finds them: rules whose name starts with `test_`, at the start of a line. */
const tests: RegoTest[] = testFiles.flatMap(({ file, source }) => {
  const packagePath = /^package\s+([\w.]+)/m.exec(source)?.[1];
  if (packagePath === undefined) throw new Error(`${file} has no package`);
  return [...source.matchAll(/^(test_\w+)\b/gm)].map((match) => ({
    file,
    packagePath,
    rule: match[1]!,
  }));
});

const engine = new RegoEngine({ regoVersion: 'v1' });
engine.addModules([
  ...bundle.modules.map((module) => ({ fileName: module.relativePath, source: module.content })),
  ...testFiles.map(({ file, source }) => ({ fileName: file, source })),
]);
engine.setData(bundle.data);

describe('the bundle’s Rego tests, in the embedded engine', () => {
  it('finds the Rego tests to run', () => {
    expect(tests.length).toBeGreaterThanOrEqual(10);
  });

  it.each(tests)('$file: $rule', ({ packagePath, rule }) => {
    expect(engine.evalRule(`data.${packagePath}.${rule}`)).toBe(true);
  });
});
