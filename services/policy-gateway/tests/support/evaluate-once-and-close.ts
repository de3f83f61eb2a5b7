/**
 * Run as a child process by the worker engine's tests: starts the engine on the bundle in
 * argv[2], evaluates once, prints the decision and closes it, then simply returns. The process
 * exits only if closing left no thread running.
 */
import { WorkerPolicyEngine } from '../../src/policy/worker-policy-engine.js';

const [bundleDir, policyPath] = process.argv.slice(2);
const engine = await WorkerPolicyEngine.start({
  bundleDir: bundleDir!,
  policyPath: policyPath!,
  threads: 2,
});
const evaluation = await engine.evaluate({ prompt: 'calm', user_id: 'u-1', context: {} });
process.stdout.write(`${evaluation.decision}\n`);
await engine.close();
