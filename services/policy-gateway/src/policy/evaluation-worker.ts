/**
 * What one policy evaluation thread runs: it compiles the bundle its parent sent (the same
 * probe as an in-process start), says whether it is ready, then runs each batch of jobs it is
 * sent in order, answering each job as soon as it is done. Started through `evaluation-worker.mjs`: the shim that registers the TypeScript
 * loader beside the sources, or this module compiled in dist/.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { maskDecided } from '../privacy/decided-masking.js';
import { EmbeddedPolicyEngine } from './embedded-policy-engine.js';
import type {
  EvaluationBatch,
  EvaluationJobResult,
  EvaluationWorkerData,
  EvaluationWorkerMessage,
} from './evaluation-worker-protocol.js';
import type { PolicyEvaluation, PolicyInput } from './policy-engine.js';

if (parentPort === null) throw new Error('evaluation-worker must run in a worker thread');
const port = parentPort;
const post = (message: EvaluationWorkerMessage) => port.postMessage(message);
const data = workerData as EvaluationWorkerData;

let engine: EmbeddedPolicyEngine | undefined;
try {
  engine = await EmbeddedPolicyEngine.fromBundle(data.bundle, data);
} catch (error) {
  // Nothing listens on the port afterwards, so the thread ends by itself.
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
if (engine !== undefined) {
  const ready = engine;
  // The parent sends the next batch only once every job of this one has answered.
  port.on('message', async ({ first, jobs }: EvaluationBatch) => {
    for (const [index, job] of jobs.entries()) {
      // Neither rejects: a policy failure comes back as decision `error` or an error answer.
      const result: EvaluationJobResult =
        job.kind === 'decision'
          ? decided(job.input, await ready.evaluate(job.input))
          : { kind: 'document', answer: await ready.queryDocument(job.query) };
      post({ type: 'evaluated', id: first + index, result });
    }
  });
  post({ type: 'ready' });
}

/**
 * A decision's answer, with its entry masked here when it was evaluated with its mask: work
 * that needs nothing of the main thread's, done where the input already is.
 */
function decided(input: PolicyInput, evaluation: PolicyEvaluation): EvaluationJobResult {
  const masked = maskDecided(input, evaluation.result, evaluation.mask);
  return masked === undefined
    ? { kind: 'decision', evaluation }
    : { kind: 'decision', evaluation, masked };
}
