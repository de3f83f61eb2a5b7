/**
 * Evaluates the shipped policy on a labelled corpus, as the gateway asks it (with the
 * normalised forms in the input), and measures it: per reason code, precision (of the prompts
 * it was given for, how many should have had it) and recall (of the prompts that should have
 * it, how many got it); overall, the recall on the malicious prompts (every expected code
 * given) and the pass rate of the benign ones (allowed, no reason at all).
 */
import type { PolicyEngine } from '../src/policy/policy-engine.js';
import { normalizePolicyInput } from '../src/policy/prompt-normalization.js';
import type { LabelledPrompt } from './corpus.js';

export interface DetectorFigures {
  readonly code: string;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  /** 1 when the code was never given. */
  readonly precision: number;
  /** 1 when no prompt should have had it. */
  readonly recall: number;
}

export interface Miss {
  readonly prompt: string;
  readonly source: string;
  readonly expected: readonly string[];
  readonly got: readonly string[];
}

export interface CorpusFigures {
  readonly malicious: number;
  readonly caught: number;
  /** caught / malicious. */
  readonly recall: number;
  readonly benign: number;
  readonly allowed: number;
  /** allowed / benign. */
  readonly benignPrecision: number;
  readonly detectors: readonly DetectorFigures[];
  /** Prompts missing an expected code, or given one they should not have. */
  readonly misses: readonly Miss[];
}

export async function evaluateCorpus(
  engine: PolicyEngine,
  malicious: readonly LabelledPrompt[],
  benign: readonly LabelledPrompt[],
): Promise<CorpusFigures> {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const count = (code: string) => {
    let entry = counts.get(code);
    if (entry === undefined) {
      entry = { tp: 0, fp: 0, fn: 0 };
      counts.set(code, entry);
    }
    return entry;
  };
  const misses: Miss[] = [];
  let caught = 0;
  let allowed = 0;
  for (const item of [...malicious, ...benign]) {
    const evaluation = await engine.evaluate(
      normalizePolicyInput({
        prompt: item.prompt,
        user_id: item.userId ?? 'eval-user',
        context: {},
      }),
    );
    if (evaluation.error !== null) throw new Error(`evaluation failed: ${evaluation.error}`);
    const got = new Set(evaluation.reasons.map((reason) => reason.code));
    const expected = new Set(item.codes);
    for (const code of expected) {
      if (got.has(code)) count(code).tp++;
      else count(code).fn++;
    }
    for (const code of got) if (!expected.has(code)) count(code).fp++;
    const complete = [...expected].every((code) => got.has(code));
    if (expected.size > 0 && complete) caught++;
    if (expected.size === 0 && got.size === 0) allowed++;
    const extra = [...got].some((code) => !expected.has(code));
    if (!complete || extra) {
      misses.push({
        prompt: item.prompt,
        source: item.source,
        expected: [...expected],
        got: [...got],
      });
    }
  }
  const detectors = [...counts]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([code, { tp, fp, fn }]) => ({
      code,
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
      precision: tp + fp === 0 ? 1 : tp / (tp + fp),
      recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    }));
  return {
    malicious: malicious.length,
    caught,
    recall: malicious.length === 0 ? 1 : caught / malicious.length,
    benign: benign.length,
    allowed,
    benignPrecision: benign.length === 0 ? 1 : allowed / benign.length,
    detectors,
    misses,
  };
}

/** The figures as the eval script prints them. */
export function formatFigures(title: string, figures: CorpusFigures): string {
  const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `${title}`,
    `  malicious: ${figures.caught}/${figures.malicious} caught, recall ${percent(figures.recall)}`,
    `  benign:    ${figures.allowed}/${figures.benign} allowed, precision ${percent(figures.benignPrecision)}`,
    '  per detector                               precision   recall    tp   fp   fn',
  ];
  for (const d of figures.detectors) {
    lines.push(
      `    ${d.code.padEnd(42)} ${percent(d.precision).padStart(7)} ${percent(d.recall).padStart(8)} ${String(d.truePositives).padStart(5)} ${String(d.falsePositives).padStart(4)} ${String(d.falseNegatives).padStart(4)}`,
    );
  }
  if (figures.misses.length > 0) {
    lines.push(`  misses (${figures.misses.length}):`);
    for (const miss of figures.misses) {
      lines.push(
        `    [${miss.source}] expected [${miss.expected.join(', ')}], got [${miss.got.join(', ')}]: ${JSON.stringify(miss.prompt.length > 120 ? `${miss.prompt.slice(0, 120)}…` : miss.prompt)}`,
      );
    }
  }
  return lines.join('\n');
}
