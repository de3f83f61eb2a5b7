/** Runs every case under a set of folders and counts the outcomes. */
import { dirname } from 'node:path';
import { findCaseFiles, loadCaseFile } from './case-loader.js';
import { type CaseOutcome, runCase } from './case-runner.js';

export interface CaseResult {
  readonly file: string;
  readonly note: string;
  readonly outcome: CaseOutcome;
}

export interface CorpusReport {
  readonly results: readonly CaseResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/**
 * Runs the cases under each folder. File names are shown relative to the folder's parent,
 * so that `…/rego-conformance/regorus` yields `regorus/builtins/…` as the known-failures list names them.
 */
export function runCorpus(folders: readonly string[]): CorpusReport {
  const results: CaseResult[] = [];
  for (const folder of folders) {
    const root = dirname(folder.replace(/[\\/]+$/, ''));
    for (const path of findCaseFiles(folder)) {
      let cases: ReturnType<typeof loadCaseFile>;
      try {
        cases = loadCaseFile(path, root);
      } catch (error) {
        const reason = `cannot load case file: ${error instanceof Error ? error.message : String(error)}`;
        results.push({ file: path, note: '(file)', outcome: { status: 'failed', reason } });
        continue;
      }
      for (const c of cases) results.push({ file: c.file, note: c.note, outcome: runCase(c) });
    }
  }
  const count = (status: CaseOutcome['status']) =>
    results.filter((r) => r.outcome.status === status).length;
  return { results, passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}
