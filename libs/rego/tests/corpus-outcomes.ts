/**
 * Prints, as JSON, how each case of the conformance corpus ends in this process, and whether
 * the process may generate code from strings: the code-generation test runs it under
 * `node --disallow-code-generation-from-strings`, where the evaluator runs its closures.
 *
 *   node [--disallow-code-generation-from-strings] --import tsx tests/corpus-outcomes.ts <corpus>
 */
import { runCorpus } from '../scripts/conformance/run-corpus.js';

/** Whether `new Function` works here (it throws an EvalError under the flag). */
function codeGenerationAllowed(): boolean {
  try {
    new Function('return 1')();
    return true;
  } catch {
    return false;
  }
}

const report = runCorpus(process.argv.slice(2));
process.stdout.write(
  JSON.stringify({
    codeGeneration: codeGenerationAllowed(),
    outcomes: report.results.map((r) => [r.file, r.note, r.outcome.status]),
  }),
);
