/**
 * Conformance runner: `npm run conformance -w libs/rego -- <folder>...` runs every case file
 * under the folders, prints one line per failing case and ends with `N passed, M failed, K skipped`.
 * Failures on the known-failures list are marked as such; the exit code is 1 when a case
 * fails that is not on the list or a listed case passes.
 * Options: `--known-failures <file>` (default: conformance/known-failures.yaml of this package);
 * `--prune-known-failures` removes the entries of listed cases that now pass (new failures are
 * added by hand, each with its reason). `REASON_LIMIT=<n>` in the environment prints longer
 * reasons (default 300 characters).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type KnownFailure,
  loadKnownFailures,
  pruneKnownFailures,
  reconcile,
  sameFile,
} from './conformance/known-failures.js';
import type { CaseResult } from './conformance/run-corpus.js';
import { runCorpus } from './conformance/run-corpus.js';

/** Known failures counted by the word their reason starts with (`deliberate`, `compiler`, …). */
function causeCounts(failing: readonly CaseResult[], known: readonly KnownFailure[]): string {
  const counts = new Map<string, number>();
  for (const r of failing) {
    const entry = known.find((k) => k.note === r.note && sameFile(r.file, k.file));
    const cause = /^([a-z+/ ]+):/.exec(entry?.reason ?? '')?.[1] ?? 'other';
    counts.set(cause, (counts.get(cause) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([cause, n]) => `${cause} ${n}`)
    .join(', ');
}

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let knownFailuresPath = resolve(packageDir, 'conformance/known-failures.yaml');
const folders: string[] = [];
let prune = false;
for (let i = 0; i < args.length; i++) {
  const arg = args[i] as string;
  if (arg === '--known-failures') knownFailuresPath = resolve(args[++i] ?? '');
  else if (arg === '--prune-known-failures') prune = true;
  else folders.push(resolve(arg));
}
if (folders.length === 0) {
  console.error(
    'usage: conformance <folder-or-file>... [--known-failures <file>] [--prune-known-failures]',
  );
  process.exitCode = 2;
} else {
  const missing = folders.filter((f) => !existsSync(f));
  if (missing.length > 0) {
    console.error(`not found: ${missing.join(', ')}`);
    process.exitCode = 2;
  } else {
    const known = existsSync(knownFailuresPath) ? loadKnownFailures(knownFailuresPath) : [];
    const report = runCorpus(folders);
    const { regressions, fixed, known: knownFailing } = reconcile(report.results, known);
    const knownSet = new Set(knownFailing);
    for (const r of report.results) {
      if (r.outcome.status !== 'failed') continue;
      const tag = knownSet.has(r) ? 'FAIL (known)' : 'FAIL';
      console.log(`${tag} ${r.file} [${r.note}]: ${r.outcome.reason ?? ''}`);
    }
    for (const k of fixed) {
      const action = prune ? 'removed from the list' : 'remove it';
      console.log(`PASS (listed as known failure, ${action}) ${k.file} [${k.note}]`);
    }
    if (prune && fixed.length > 0) pruneKnownFailures(knownFailuresPath, fixed);
    const causes = causeCounts(knownFailing, known);
    if (causes !== '') console.log(`known failures by cause: ${causes}`);
    const ran = report.passed + report.failed;
    const rate = ran === 0 ? 0 : (100 * report.passed) / ran;
    console.log(
      `${rate.toFixed(1)}% of run cases pass; ${regressions.length} failure(s) not on the known list, ${fixed.length} listed case(s) now pass`,
    );
    console.log(`${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`);
    if (regressions.length > 0 || (fixed.length > 0 && !prune)) process.exitCode = 1;
  }
}
