/**
 * The shipped policy measured on the evaluation corpus (eval/, `npm run eval:policy`): a
 * policy change that lowers recall on the disguised set, precision on the benign set, or
 * recall or precision on the held-out sets below the checked-in thresholds (eval/thresholds.json)
 * fails here.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benignPrompts, maliciousPrompts, writtenBenign } from '../../eval/corpus.js';
import { type CorpusFigures, evaluateCorpus } from '../../eval/policy-evaluation.js';
import {
  DEFAULT_POLICY_BUNDLE_DIR,
  DEFAULT_POLICY_PATH,
} from '../../src/policy/create-policy-engine.js';
import { EmbeddedPolicyEngine } from '../../src/policy/embedded-policy-engine.js';

interface Thresholds {
  readonly disguisedRecall: number;
  readonly benignPrecision: number;
  readonly heldOutRecall: number;
  readonly secondHeldOutRecall: number;
  readonly heldOutBenignPrecision: number;
}

let engine: EmbeddedPolicyEngine | undefined;
let thresholds: Thresholds;

beforeAll(async () => {
  engine = await EmbeddedPolicyEngine.start({
    bundleDir: DEFAULT_POLICY_BUNDLE_DIR,
    policyPath: DEFAULT_POLICY_PATH,
  });
  thresholds = JSON.parse(
    await readFile(new URL('../../eval/thresholds.json', import.meta.url), 'utf8'),
  ) as Thresholds;
}, 60_000);

afterAll(async () => {
  await engine?.close();
});

function shipped(): EmbeddedPolicyEngine {
  if (engine === undefined) throw new Error('the shipped bundle did not start');
  return engine;
}

/** The misses, so that a failure says which prompts to look at. */
function missesOf(figures: CorpusFigures): string[] {
  return figures.misses.map(
    (miss) => `[${miss.source}] expected [${miss.expected}] got [${miss.got}]: ${miss.prompt}`,
  );
}

describe('the shipped policy on the evaluation corpus', () => {
  it('catches the disguised set and passes the benign set at the checked-in thresholds', async () => {
    const figures = await evaluateCorpus(
      shipped(),
      await maliciousPrompts(),
      await benignPrompts(),
    );

    expect(figures.malicious).toBeGreaterThanOrEqual(300);
    expect(figures.benign).toBeGreaterThanOrEqual(300);
    expect(
      { recall: figures.recall, benignPrecision: figures.benignPrecision },
      missesOf(figures).join('\n'),
    ).toEqual({
      recall: expect.toSatisfy((recall: number) => recall >= thresholds.disguisedRecall),
      benignPrecision: expect.toSatisfy(
        (precision: number) => precision >= thresholds.benignPrecision,
      ),
    });
  }, 300_000);

  it('catches the held-out set at its checked-in threshold', async () => {
    const figures = await evaluateCorpus(
      shipped(),
      await maliciousPrompts('held-out.yaml', false),
      [],
    );

    expect(figures.malicious).toBeGreaterThanOrEqual(50);
    expect(figures.recall, missesOf(figures).join('\n')).toBeGreaterThanOrEqual(
      thresholds.heldOutRecall,
    );
  }, 300_000);

  it('catches the second held-out set and passes its benign set at their checked-in thresholds', async () => {
    const figures = await evaluateCorpus(
      shipped(),
      await maliciousPrompts('held-out-2.yaml', false),
      await writtenBenign('held-out-benign.yaml'),
    );

    expect(figures.malicious).toBeGreaterThanOrEqual(40);
    expect(figures.benign).toBeGreaterThanOrEqual(20);
    expect(
      { recall: figures.recall, benignPrecision: figures.benignPrecision },
      missesOf(figures).join('\n'),
    ).toEqual({
      recall: expect.toSatisfy((recall: number) => recall >= thresholds.secondHeldOutRecall),
      benignPrecision: expect.toSatisfy(
        (precision: number) => precision >= thresholds.heldOutBenignPrecision,
      ),
    });
  }, 300_000);
});
