/**
 * The differential test of the evaluator's two paths: every case of the conformance corpus
 * is evaluated with the quick path on (the default: single-valued terms run as compiled
 * closures) and with the general, continuation-passing path only, and both must end the
 * same way: the same results in the same order, the same prints, or the same error (code and
 * message, location included). Cases marked `skip` and cases the engine fails against OPA
 * (the known-failures list) are compared too: a wrong answer must at least be the same
 * wrong answer on both paths.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bindingsValue, findCaseFiles, loadCaseFile } from '../scripts/conformance/case-loader.js';
import { type QueryRun, runQueries } from '../scripts/conformance/case-runner.js';
import type { ConformanceCase } from '../scripts/conformance/conformance-case.js';
import { RegoEngine, RegoError } from '../src/index.js';
import { keyOf } from '../src/value/index.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repositoryRoot = resolve(packageDir, '../..');
/** Where CI and developers keep the corpus: `shared/` beside the clone (see its README). */
const corpus = resolve(repositoryRoot, '../shared/rego-conformance');

/** The fixed clock of every query, so that `time.now_ns` reads the same on both paths. */
const NOW_NS = 1_700_000_000_000_000_000n;

/** How a case ended on one path, as one comparable line: results and prints, or the error. */
function outcome(c: ConformanceCase, quickPath: boolean): string {
  let runs: QueryRun[];
  try {
    runs = runQueries(c, { quickPath }, { nowNs: NOW_NS });
  } catch (error) {
    if (error instanceof RegoError) return `error ${error.code}: ${error.message}`;
    return `crash ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
  return runs
    .map((run) => {
      const results = run.results.map(
        (r) =>
          `${keyOf(bindingsValue(r.bindings))} ${r.expressions.map((e) => keyOf(e.value)).join(' ')}`,
      );
      return `results [${results.join('; ')}] prints ${JSON.stringify(run.prints)}`;
    })
    .join(' | ');
}

function shorten(text: string): string {
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

describe('the switch between the paths', () => {
  // What tells the paths apart from outside: the quick path runs a straight-line body in a
  // loop, while the general path nests one continuation per literal on the stack.
  const lines = ['package p', 'r := x3000 if {', '  x0 := input'];
  for (let i = 1; i <= 3000; i++) lines.push(`  x${i} := x${i - 1} + 1`);
  const source = [...lines, '}'].join('\n');

  function evaluate(quickPath: boolean): unknown {
    const engine = new RegoEngine({ quickPath });
    engine.addModule('long.rego', source);
    return engine.evalRule('data.p.r', { input: 0 });
  }

  // Compiling and evaluating 3,000 literals takes about 2 s alone, longer on a loaded machine.
  it('runs a 3,000-literal body on the quick path by default', () => {
    expect(evaluate(true)).toBe(3000);
  }, 30_000);

  it('takes the general path when the quick path is off, so the comparison is real', () => {
    expect(() => evaluate(false)).toThrowError(/stack depth/);
  });
});

describe('the quick and the general evaluation paths', () => {
  if (!existsSync(corpus)) {
    if (process.env.CI) {
      it('find the conformance corpus', () => {
        throw new Error(
          `no conformance corpus at ${corpus}: CI checks out shared/ beside the clone`,
        );
      });
    } else {
      it.skip(`are not compared: no conformance corpus at ${corpus}`, () => {});
    }
    return;
  }

  it('end every conformance case the same way, known failures included', () => {
    const cases = findCaseFiles(corpus).flatMap((file) => loadCaseFile(file, dirname(corpus)));
    const disagreements: string[] = [];
    for (const c of cases) {
      const quick = outcome(c, true);
      const general = outcome(c, false);
      if (quick !== general) {
        disagreements.push(
          `${c.file} [${c.note}]\n  quick:   ${shorten(quick)}\n  general: ${shorten(general)}`,
        );
      }
    }
    expect(cases.length).toBeGreaterThan(1000);
    expect(disagreements).toEqual([]);
  }, 120_000);
});
