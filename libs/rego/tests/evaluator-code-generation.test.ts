/**
 * The evaluator compiles a policy's terms, literals and branches to JavaScript functions
 * (`src/evaluator/quick-source.ts`, `quick-lit-source.ts`, `branch-source.ts`). What users
 * rely on: no text of a policy ever becomes code, evaluation goes through the compiled
 * functions, and a process that forbids generating code (Node's
 * `--disallow-code-generation-from-strings`, as hardened deployments run) decides every case
 * the same way on the closures it falls back to.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCorpus } from '../scripts/conformance/run-corpus.js';
import type { BuiltinDefinition } from '../src/builtins/builtin.js';
import { BUILTINS } from '../src/builtins/index.js';
import { RegoEngine } from '../src/index.js';
import { str } from '../src/value/index.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = resolve(packageDir, '../../../shared/rego-conformance');

/** Text that would run, or break the source, if it were pasted into generated code. */
const HOSTILE = [
  '"); globalThis.injected = 1; ("',
  "'); globalThis.injected = 2; ('",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder is the hostile text.
  '`${(globalThis.injected = 3)}`',
  '*/ globalThis.injected = 4; /*',
  '\u2028}; globalThis.injected = 5; {\u2029',
  '\\") ; globalThis.injected = 6 //',
];

describe('code generation', () => {
  it('never turns the text of a policy into code', () => {
    const strings = HOSTILE.map((s) => JSON.stringify(s));
    const source = [
      'package inject',
      `texts := [${strings.join(', ')}]`,
      `table := {${strings.map((s, i) => `${s}: ${i}`).join(', ')}}`,
      // Each string as a constant operand, an object key read by a ref, and a function argument.
      `found contains i if { some s in texts; i := table[s]; s == ${strings[0]} }`,
      `found contains i if { i := table[${strings[2]}] }`,
      `echo(x) := concat("", [x, ${strings[3]}])`,
      `echoed := echo(${strings[4]})`,
      `compared if { ${strings[5]} != ${strings[1]}; count(texts) == ${HOSTILE.length} }`,
    ].join('\n');
    const engine = new RegoEngine();
    engine.addModule('inject.rego', source);
    Reflect.deleteProperty(globalThis, 'injected');
    expect(engine.evalRule('data.inject.texts')).toEqual(HOSTILE);
    expect(engine.evalRule('data.inject.found')).toEqual([0, 2]);
    expect(engine.evalRule('data.inject.echoed')).toBe(HOSTILE[4]! + HOSTILE[3]!);
    expect(engine.evalRule('data.inject.compared')).toBe(true);
    expect(Reflect.get(globalThis, 'injected')).toBeUndefined();
  });

  it('evaluates a policy through the compiled functions', () => {
    // A builtin that reports who called it: a compiled literal, not the closures.
    const caller: BuiltinDefinition = {
      name: 'test.caller',
      arity: 1,
      implementation: () => str(new Error().stack ?? ''),
    };
    const engine = new RegoEngine({
      builtins: new Map([...BUILTINS, [caller.name, caller]]),
    });
    engine.addModule(
      'p.rego',
      'package p\nstack := s if { x := input.n + 1; s := test.caller(x) }',
    );
    const stack = String(engine.evalRule('data.p.stack', { input: { n: 1 } }));
    expect(stack).toMatch(/at quick \(eval at compileSource/);
    expect(stack).toMatch(/at (Object\.)?run \(eval at compileSource/);
  });

  it.runIf(existsSync(corpus))(
    'decides every conformance case alike where code generation is disallowed',
    () => {
      const here = runCorpus([corpus]).results.map((r) => [r.file, r.note, r.outcome.status]);
      const child = spawnSync(
        process.execPath,
        [
          '--disallow-code-generation-from-strings',
          '--import',
          'tsx',
          resolve(packageDir, 'tests/corpus-outcomes.ts'),
          corpus,
        ],
        { cwd: packageDir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      expect(child.status, child.stderr).toBe(0);
      const there = JSON.parse(child.stdout) as {
        codeGeneration: boolean;
        outcomes: [string, string, string][];
      };
      expect(there.codeGeneration).toBe(false);
      expect(there.outcomes.length).toBe(here.length);
      const differing = there.outcomes.filter(([file, note, status], i) => {
        const [hereFile, hereNote, hereStatus] = here[i]!;
        expect([file, note]).toEqual([hereFile, hereNote]);
        return status !== hereStatus;
      });
      // JSON Schema validation (ajv) compiles each schema to a function itself: without code
      // generation those builtins fail, whatever the evaluator does.
      expect(differing.filter(([file]) => !file.includes('/jsonschema/'))).toEqual([]);
    },
    120_000,
  );
});
