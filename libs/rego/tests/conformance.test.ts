import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaseFile } from '../scripts/conformance/case-loader.js';
import { runCase } from '../scripts/conformance/case-runner.js';
import {
  type KnownFailure,
  loadKnownFailures,
  reconcile,
  sameFile,
} from '../scripts/conformance/known-failures.js';
import { type CorpusReport, runCorpus } from '../scripts/conformance/run-corpus.js';
import { indentFlowCollections, UNDEFINED } from '../scripts/conformance/yaml-values.js';
import { arr, num, obj, set, str, valuesEqual } from '../src/value/index.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repositoryRoot = resolve(packageDir, '../..');
const corpus = resolve(repositoryRoot, '../shared/rego-conformance');
const knownFailuresFile = resolve(packageDir, 'conformance/known-failures.yaml');
const corpusPresent = existsSync(corpus);
/** CI always checks `shared/` out beside the clone, so there a missing corpus is a broken setup. */
const inCi = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

describe('the conformance corpus', () => {
  it('is checked out beside the clone (required when CI is set)', (context) => {
    if (!corpusPresent && !inCi) {
      // The default reporter shows only a count of skipped tests: say why on stderr.
      const reason = `no corpus at ${corpus}: the conformance cases are not run (an error when CI is set)`;
      console.warn(`skipped: ${reason}`);
      context.skip(reason);
    }
    expect(corpusPresent, `no corpus at ${corpus}; CI must have shared/ beside the clone`).toBe(
      true,
    );
  });
  if (!corpusPresent) return;
  let report: CorpusReport;
  let known: KnownFailure[];
  beforeAll(() => {
    report = runCorpus([corpus]);
    known = loadKnownFailures(knownFailuresFile);
  }, 300_000);

  it('fails no case that is missing from the known-failures list', () => {
    const { regressions } = reconcile(report.results, known);
    expect(regressions.map((r) => `${r.file} [${r.note}]: ${r.outcome.reason}`)).toEqual([]);
  });

  it('lists no case that now passes, so fixes are noticed', () => {
    const { fixed } = reconcile(report.results, known);
    expect(fixed.map((k) => `${k.file} [${k.note}]`)).toEqual([]);
  });

  it('lists only cases the corpus has, since a note is matched exactly (no wildcards)', () => {
    const orphans = known.filter(
      (k) => !report.results.some((r) => r.note === k.note && sameFile(r.file, k.file)),
    );
    expect(orphans.map((k) => `${k.file} [${k.note}]`)).toEqual([]);
  });

  it('passes at least 90% of the Regorus cases it runs', () => {
    const regorus = report.results.filter(
      (r) => r.file.includes('regorus/') && r.outcome.status !== 'skipped',
    );
    const passed = regorus.filter((r) => r.outcome.status === 'passed').length;
    expect(regorus.length).toBeGreaterThan(500);
    expect(passed / regorus.length).toBeGreaterThanOrEqual(0.9);
  });

  it('gives every known failure a one-line reason', () => {
    for (const k of known) expect(k.reason).toMatch(/^[^\n]{10,}$/);
  });
});

describe('case files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rego-cases-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it('decodes Regorus expected values: set!, object!, many! and #undefined', () => {
    const path = write(
      'regorus-values.yaml',
      `cases:
  - note: values
    modules: ["package test"]
    query: data.test
    want_result:
      many!:
        - s: {set!: [1, "a"]}
          o: {object!: [{key: [1], value: true}]}
        - "#undefined"
`,
    );
    const [c] = loadCaseFile(path, dir);
    expect(c?.dialect).toBe('regorus');
    expect(c?.expectation.kind).toBe('values');
    if (c?.expectation.kind !== 'values') return;
    const [first, second] = c.expectation.values;
    const want = obj([
      [str('s'), set([num(1), str('a')])],
      [str('o'), obj([[arr([num(1)]), { kind: 'boolean', value: true }]])],
    ]);
    expect(first !== undefined && first !== UNDEFINED && valuesEqual(first, want)).toBe(true);
    expect(second).toBe(UNDEFINED);
  });

  it('keeps numbers exact: 1e30 and 19-digit integers are integers, not doubles', () => {
    const path = write(
      'regorus-numbers.yaml',
      `cases:
  - note: numbers
    modules: []
    data: {big: 1703444325734390000}
    query: x := 1
    want_result: [1e30, 0.5]
`,
    );
    const [c] = loadCaseFile(path, dir);
    expect(c?.data).toEqual(obj([[str('big'), num(1703444325734390000n)]]));
    if (c?.expectation.kind !== 'values') throw new Error('expected values');
    expect(c.expectation.values[0]).toEqual(arr([num(10n ** 30n), num(0.5)]));
  });

  it('runs the query once per input of input many!', () => {
    const path = write(
      'regorus-inputs.yaml',
      `cases:
  - note: inputs
    modules: ["package test\\nx = input.v + 1"]
    input: {many!: [{v: 1}, {v: 2}]}
    query: data.test.x
    want_result: {many!: [2, 3]}
`,
    );
    const [c] = loadCaseFile(path, dir);
    expect(c?.inputs).toHaveLength(2);
    expect(c && runCase(c)).toEqual({ status: 'passed' });
  });

  it('reads the OPA dialect: want_result as bindings, want_error, strict_error', () => {
    const path = write(
      'opa-cases.yaml',
      `cases:
  - note: bindings
    modules: ["package p\\nr contains x if some x in [1, 2]"]
    query: data.p.r = x
    want_result: [{x: [1, 2]}]
  - note: error
    modules: ["package p\\nr := 1 / 0"]
    query: data.p.r = x
    strict_error: true
    want_error_code: eval_builtin_error
`,
    );
    const cases = loadCaseFile(path, dir);
    expect(cases.map((c) => c.dialect)).toEqual(['opa', 'opa']);
    expect(cases[1]?.strict).toBe(true);
    expect(cases.map((c) => runCase(c).status)).toEqual(['passed', 'passed']);
  });

  it('reports a wrong result with what it got and what it wanted', () => {
    const path = write(
      'regorus-wrong.yaml',
      `cases:
  - note: wrong
    modules: ["package test\\nx = 1"]
    query: data.test.x
    want_result: 2
`,
    );
    const [c] = loadCaseFile(path, dir);
    const outcome = c && runCase(c);
    expect(outcome?.status).toBe('failed');
    expect(outcome?.reason).toBe('got [1], want [2]');
  });

  it("runs a Regorus case marked skip: true (Regorus' own to-do list), so it passes or is listed", () => {
    const path = write(
      'regorus-skip.yaml',
      `cases:
  - note: marked skip
    modules: ["package test\\nx = 1"]
    query: data.test.x
    want_result: 1
    skip: true
`,
    );
    const [c] = loadCaseFile(path, dir);
    expect(c && runCase(c).status).toBe('passed');
  });

  it('repairs flow sequences that libyaml accepts under-indented', () => {
    const text = 'a:\n  x:\n    set!: [\n    "b",\n    ]\n';
    expect(indentFlowCollections(text)).toBe('a:\n  x:\n    set!: [\n      "b",\n      ]\n');
  });
});
