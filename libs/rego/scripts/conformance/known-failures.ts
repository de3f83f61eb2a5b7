/**
 * The checked-in list of cases known to fail, each with a one-line reason, and its
 * reconciliation with a run: new failures are regressions, listed cases that pass are stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isMap, isSeq, parse, parseDocument } from 'yaml';
import type { CaseResult } from './run-corpus.js';

export interface KnownFailure {
  /** Path of the case file below the corpus root, e.g. `regorus/builtins/strings/sprintf.yaml`. */
  readonly file: string;
  readonly note: string;
  readonly reason: string;
}

/** Reads and validates the list; throws naming the bad entry. */
export function loadKnownFailures(path: string): KnownFailure[] {
  const doc = parse(readFileSync(path, 'utf8')) as unknown;
  const list =
    doc !== null && typeof doc === 'object' && 'failures' in doc
      ? (doc as { failures: unknown }).failures
      : undefined;
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw new Error(`${path}: "failures" must be a list`);
  return list.map((entry: unknown, i) => {
    const e = entry as Partial<Record<string, unknown>>;
    if (
      typeof e?.file !== 'string' ||
      typeof e.note !== 'string' ||
      typeof e.reason !== 'string' ||
      e.reason.trim() === ''
    ) {
      throw new Error(`${path}: entry ${i + 1} needs string file, note and a non-empty reason`);
    }
    return { file: e.file, note: e.note, reason: e.reason };
  });
}

/** True when `file` (a path as the run shows it) is the listed file: same path or a path ending with it. */
export function sameFile(file: string, listed: string): boolean {
  const a = file.replace(/\\/g, '/');
  const b = listed.replace(/\\/g, '/');
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}

export interface Reconciliation {
  /** Failing cases not on the list. */
  readonly regressions: readonly CaseResult[];
  /** Listed cases that passed (the entry must be removed). */
  readonly fixed: readonly KnownFailure[];
  /** Failing cases that are on the list. */
  readonly known: readonly CaseResult[];
}

export function reconcile(
  results: readonly CaseResult[],
  known: readonly KnownFailure[],
): Reconciliation {
  const isListed = (r: CaseResult) =>
    known.some((k) => k.note === r.note && sameFile(r.file, k.file));
  const failed = results.filter((r) => r.outcome.status === 'failed');
  return {
    regressions: failed.filter((r) => !isListed(r)),
    known: failed.filter(isListed),
    fixed: known.filter((k) =>
      results.some(
        (r) => r.outcome.status === 'passed' && r.note === k.note && sameFile(r.file, k.file),
      ),
    ),
  };
}

/** Removes the listed entries (cases that now pass) from the file, keeping its comments. */
export function pruneKnownFailures(path: string, fixed: readonly KnownFailure[]): void {
  const doc = parseDocument(readFileSync(path, 'utf8'));
  const list = doc.get('failures');
  if (!isSeq(list)) return;
  list.items = list.items.filter((item) => {
    if (!isMap(item)) return true;
    const file = String(item.get('file'));
    const note = String(item.get('note'));
    return !fixed.some((k) => k.file === file && k.note === note);
  });
  writeFileSync(path, doc.toString({ lineWidth: 0 }));
}
