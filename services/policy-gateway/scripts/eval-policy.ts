/**
 * `npm run eval:policy`: evaluates the shipped policy (policies/) on the evaluation corpus
 * (eval/) through the embedded engine, and prints precision and recall per detector and
 * overall, with every miss listed: the disguised set (malicious.yaml in every disguise), the
 * benign set, and the held-out sets, never tuned against (held-out.yaml; held-out-2.yaml with
 * the benign held-out-benign.yaml; held-out-3.yaml with held-out-3-benign.yaml and held-out-4.yaml
 * with held-out-4-benign.yaml, each written blind, reported but not yet held to a threshold). Exits 1 when a figure falls below its threshold in
 * eval/thresholds.json, as the CI test does.
 */
import { readFile } from 'node:fs/promises';
import { benignPrompts, maliciousPrompts, writtenBenign } from '../eval/corpus.js';
import { evaluateCorpus, formatFigures } from '../eval/policy-evaluation.js';
import {
  DEFAULT_POLICY_BUNDLE_DIR,
  DEFAULT_POLICY_PATH,
} from '../src/policy/create-policy-engine.js';
import { EmbeddedPolicyEngine } from '../src/policy/embedded-policy-engine.js';

interface Thresholds {
  readonly disguisedRecall: number;
  readonly benignPrecision: number;
  readonly heldOutRecall: number;
  readonly secondHeldOutRecall: number;
  readonly heldOutBenignPrecision: number;
}

const thresholds = JSON.parse(
  await readFile(new URL('../eval/thresholds.json', import.meta.url), 'utf8'),
) as Thresholds;
const engine = await EmbeddedPolicyEngine.start({
  bundleDir: DEFAULT_POLICY_BUNDLE_DIR,
  policyPath: DEFAULT_POLICY_PATH,
});
try {
  const benign = await benignPrompts();
  const own = await evaluateCorpus(engine, await maliciousPrompts(), benign);
  console.log(
    formatFigures(`policy ${engine.policyVersion}: own corpus (disguised set and benign set)`, own),
  );
  const heldOut = await evaluateCorpus(engine, await maliciousPrompts('held-out.yaml', false), []);
  console.log(formatFigures('held-out set (written after the policy, not tuned against)', heldOut));
  const secondHeldOut = await evaluateCorpus(
    engine,
    await maliciousPrompts('held-out-2.yaml', false),
    await writtenBenign('held-out-benign.yaml'),
  );
  console.log(
    formatFigures(
      'second held-out set and benign held-out set (written before the detectors were reworked for the first set, not tuned against)',
      secondHeldOut,
    ),
  );
  const thirdHeldOut = await evaluateCorpus(
    engine,
    await maliciousPrompts('held-out-3.yaml', false),
    await writtenBenign('held-out-3-benign.yaml'),
  );
  console.log(
    formatFigures(
      'third held-out set and its benign look-alikes (written blind, before their author read the policy; reported, no threshold yet)',
      thirdHeldOut,
    ),
  );
  const fourthHeldOut = await evaluateCorpus(
    engine,
    await maliciousPrompts('held-out-4.yaml', false),
    await writtenBenign('held-out-4-benign.yaml'),
  );
  console.log(
    formatFigures(
      'fourth held-out set and its benign look-alikes (written blind, before their author read the policy; reported, no threshold yet)',
      fourthHeldOut,
    ),
  );
  const failures = [
    own.recall < thresholds.disguisedRecall &&
      `recall ${own.recall} < ${thresholds.disguisedRecall}`,
    own.benignPrecision < thresholds.benignPrecision &&
      `benign precision ${own.benignPrecision} < ${thresholds.benignPrecision}`,
    heldOut.recall < thresholds.heldOutRecall &&
      `held-out recall ${heldOut.recall} < ${thresholds.heldOutRecall}`,
    secondHeldOut.recall < thresholds.secondHeldOutRecall &&
      `second held-out recall ${secondHeldOut.recall} < ${thresholds.secondHeldOutRecall}`,
    secondHeldOut.benignPrecision < thresholds.heldOutBenignPrecision &&
      `held-out benign precision ${secondHeldOut.benignPrecision} < ${thresholds.heldOutBenignPrecision}`,
  ].filter((failure) => failure !== false);
  if (failures.length > 0) {
    console.error(`below the thresholds of eval/thresholds.json: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
} finally {
  await engine.close();
}
