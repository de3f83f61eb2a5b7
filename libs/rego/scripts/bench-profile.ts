/**
 * Evaluates the gateway policy snapshot on one bench prompt many times, for a CPU profile of
 * the engine alone:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx scripts/bench-profile.ts [chars] [runs]
 */
import { RegoEngine } from '../src/index.js';
import { benchPrompt } from './bench/gateway-inputs.js';
import { GATEWAY_QUERY, readPolicy, SNAPSHOT_DIR } from './bench/gateway-policy.js';

const chars = Number(process.argv[2] ?? 2048);
const runs = Number(process.argv[3] ?? 20_000);
const policy = readPolicy(SNAPSHOT_DIR);
const engine = new RegoEngine();
engine.addModules(policy.modules);
engine.setData(policy.data);
const input = { prompt: benchPrompt(chars), user_id: 'user-123', context: { team: 'finance' } };
const start = process.cpuUsage();
for (let i = 0; i < runs; i++) engine.evalRule(GATEWAY_QUERY, { input });
const used = process.cpuUsage(start);
console.log(
  `${chars} chars: ${((used.user + used.system) / runs).toFixed(2)} CPU µs per evaluation`,
);
