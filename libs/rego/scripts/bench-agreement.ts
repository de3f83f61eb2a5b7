/**
 * Checks that the bench's hand-written reference (scripts/bench/gateway-reference.ts) makes
 * exactly the decisions the engine makes with the gateway policy snapshot, on a few thousand
 * generated inputs (scripts/bench/gateway-inputs.ts), with the policy's data and without it.
 * Exits 1 on the first disagreements, naming the seed and the input.
 *
 *   npx tsx scripts/bench-agreement.ts [--seed N] [--count N]
 */
import { isDeepStrictEqual } from 'node:util';
import { RegoEngine } from '../src/index.js';
import { generateInput, SeededRandom } from './bench/gateway-inputs.js';
import { GATEWAY_QUERY, readPolicy, SNAPSHOT_DIR } from './bench/gateway-policy.js';
import type { GatewayData } from './bench/gateway-reference.js';
import { gatewayDecision } from './bench/gateway-reference.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value)) {
    console.error(`${name} needs an integer`);
    process.exit(2);
  }
  return value;
}

const seed = option('--seed', 15);
const count = option('--count', 4000);
const policy = readPolicy(SNAPSHOT_DIR);

const withData = new RegoEngine();
withData.addModules(policy.modules);
withData.setData(policy.data);
// Without data the policy must deny everything as misconfigured: the reference must too.
const withoutData = new RegoEngine();
withoutData.addModules(policy.modules);

const random = new SeededRandom(seed);
const seen = new Map<string, number>();
let allowed = 0;
let disagreements = 0;
for (let i = 0; i < count; i++) {
  const input = generateInput(random);
  const noData = i % 10 === 9;
  const engine = noData ? withoutData : withData;
  const data = (noData ? {} : policy.data) as GatewayData;
  const expected = engine.evalRule(GATEWAY_QUERY, { input });
  const actual = gatewayDecision(input, data);
  if (!isDeepStrictEqual(actual, expected)) {
    disagreements++;
    if (disagreements <= 3) {
      console.error(`disagreement on input ${i} (seed ${seed}${noData ? ', without data' : ''}):`);
      console.error(`  input: ${JSON.stringify(input).slice(0, 2000)}`);
      console.error(`  engine:    ${JSON.stringify(expected)}`);
      console.error(`  reference: ${JSON.stringify(actual)}`);
    }
    continue;
  }
  if (actual.allow) allowed++;
  for (const reason of actual.reasons) seen.set(reason.code, (seen.get(reason.code) ?? 0) + 1);
}

const codes = [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
console.log(
  `${count} inputs (seed ${seed}, policy ${SNAPSHOT_DIR}): ${count - disagreements} agree, ${disagreements} disagree; ${allowed} allowed`,
);
console.log(`reasons seen: ${codes.map(([c, n]) => `${c} ${n}`).join(', ')}`);
if (disagreements > 0) process.exit(1);
