/**
 * Run as a child process by the isolation tests: starts the worker engine on the bundle in
 * argv[2], evaluates once — directly (`engine`) or through the app (`app`), which closes the
 * engine in its onClose hook — prints the decision, closes, and then simply returns. The
 * process exits only if closing left no thread running.
 */
import { EvaluationAdmission } from '../../src/api/evaluation-admission.js';
import { buildApp } from '../../src/app.js';
import { WorkerPolicyEngine } from '../../src/policy/worker-policy-engine.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { TEST_APP_SETTINGS } from './build-test-app.js';

const [bundleDir, policyPath, mode] = process.argv.slice(2);
const engine = await WorkerPolicyEngine.start({
  bundleDir: bundleDir!,
  policyPath: policyPath!,
  threads: 2,
});
const input = { prompt: 'calm', user_id: 'u-1', context: {} };
if (mode === 'app') {
  const app = await buildApp({
    settings: TEST_APP_SETTINGS,
    store: createMemoryStore(10),
    engine,
    admission: new EvaluationAdmission({ concurrency: 2, queueLimit: 2, perClientLimit: 2 }),
  });
  const response = await app.inject({ method: 'POST', url: '/policy/evaluate', payload: input });
  process.stdout.write(`${response.json<{ decision: string }>().decision}\n`);
  await app.close();
} else {
  process.stdout.write(`${(await engine.evaluate(input)).decision}\n`);
  await engine.close();
}
