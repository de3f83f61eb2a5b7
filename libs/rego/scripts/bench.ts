/**
 * Benchmark of the engine: evaluation time of the gateway's policy on a 2 KB prompt
 * (or, without it, of bench/policy.rego) and compile time of that policy.
 * Run with `npm run bench -w libs/rego`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegoEngine } from '../src/index.js';

const loadBefore = loadavg()[0]!;
const here = dirname(fileURLToPath(import.meta.url));
const gatewayDir = resolve(here, '../../../services/policy-gateway/policies');
const useGateway = existsSync(gatewayDir);
const dir = useGateway ? gatewayDir : resolve(here, '../bench');
const query = useGateway ? 'data.policy_gateway.decision' : 'data.bench.decision';

const modules = readdirSync(dir)
  .filter((f) => f.endsWith('.rego'))
  .sort()
  .map((f) => ({ fileName: f, source: readFileSync(join(dir, f), 'utf8') }));
const data: unknown = existsSync(join(dir, 'data.json'))
  ? JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8'))
  : {};

/** A 2 KB prompt of ordinary business prose with one e-mail address and a few numbers. */
function makePrompt(size: number): string {
  const sentences = [
    'Please summarise the attached quarterly report for the board meeting on Thursday.',
    'Revenue grew by 12 percent compared with the same quarter last year, mostly in Europe.',
    'Contact jane.doe@example.com if any figure in the appendix looks inconsistent.',
    'The logistics team reduced delivery times from 5 days to 3 days on average.',
    'Highlight risks around supplier concentration and currency exposure in 2025.',
    'Keep the tone neutral and avoid speculative statements about the share price.',
  ];
  let text = '';
  for (let i = 0; text.length < size; i++) text += `${sentences[i % sentences.length]} `;
  return text.slice(0, size);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

function compileOnce(): RegoEngine {
  const engine = new RegoEngine();
  engine.addModules(modules);
  engine.setData(data);
  return engine;
}

// The first compiles run cold (parser and compiler not yet optimised by the JIT): measure
// that one apart, then the steady state a long-running gateway sees on a policy reload.
const coldStart = process.hrtime.bigint();
compileOnce();
const coldCompileMs = Number(process.hrtime.bigint() - coldStart) / 1e6;
for (let i = 0; i < 20; i++) compileOnce();
const compileTimes: number[] = [];
for (let i = 0; i < 50; i++) {
  const start = process.hrtime.bigint();
  compileOnce();
  compileTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
}
compileTimes.sort((a, b) => a - b);

const engine = compileOnce();
const input = { prompt: makePrompt(2048), user_id: 'user-123', context: { team: 'finance' } };
const decision = engine.evalRule(query, { input });

interface Measurement {
  median: number;
  p99: number;
  perSecond: number;
  /** CPU time of this process per evaluation: unlike wall time, it excludes the time other jobs on a busy machine take the core away. */
  cpu: number;
}

/** Median and p99 µs per evaluation of `q`, evaluations per second and CPU µs per evaluation. */
function measure(q: string, runs: number, warmup: number): Measurement {
  for (let i = 0; i < warmup; i++) engine.evalRule(q, { input });
  const times: number[] = new Array(runs);
  const started = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    engine.evalRule(q, { input });
    times[i] = Number(process.hrtime.bigint() - start) / 1e3;
  }
  const cpuUsed = process.cpuUsage(cpuStart);
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  times.sort((a, b) => a - b);
  return {
    median: percentile(times, 50),
    p99: percentile(times, 99),
    perSecond: Math.round(runs / totalSeconds),
    cpu: (cpuUsed.user + cpuUsed.system) / runs,
  };
}

const runs = 10000;
const full = measure(query, runs, 2000);
// The same evaluation with the regex builtins answered by `with` mocks: what the evaluator
// and the other builtins cost, apart from regular-expression matching.
const noRegex = measure(`${query} with regex.find_n as [] with regex.match as false`, runs, 2000);

const load = loadavg()[0]!;
const fmt = (m: Measurement): string =>
  `median ${m.median.toFixed(1)} µs, p99 ${m.p99.toFixed(1)} µs, ${m.perSecond} evaluations/s, CPU ${m.cpu.toFixed(1)} µs/evaluation`;
console.log(`policy: ${dir} (${modules.length} modules), query ${query}`);
console.log(`decision on the 2 KB prompt: ${JSON.stringify(decision)}`);
console.log(`evaluation: ${fmt(full)} (${runs} runs after 2000 warm-up)`);
console.log(`  regex builtins mocked (the evaluator and other builtins alone): ${fmt(noRegex)}`);
console.log(
  `  so regular-expression matching costs about ${(full.median - noRegex.median).toFixed(1)} µs of the median`,
);
console.log(
  `compile: first, cold ${coldCompileMs.toFixed(2)} ms; warm median ${percentile(compileTimes, 50).toFixed(2)} ms, p99 ${percentile(compileTimes, 99).toFixed(2)} ms (${compileTimes.length} runs after 20 warm-up)`,
);
console.log(
  `machine: load average ${loadBefore.toFixed(1)} before, ${load.toFixed(1)} after, over ${cpus().length} cores` +
    (load > cpus().length / 2
      ? ' (busy: wall-clock figures are inflated by other jobs; CPU µs/evaluation is the steadier figure)'
      : ''),
);

// `-- --against <dir>`: the libs/rego of another checkout (say, `git worktree add` of the
// previous commit), evaluated in this process in alternating blocks with this one, so that
// both see the same load: on a shared machine, separate runs differ more than most changes.
const againstAt = process.argv.indexOf('--against');
if (againstAt >= 0) {
  const otherDir = resolve(process.argv[againstAt + 1] ?? '.');
  const other: { RegoEngine: typeof RegoEngine } = await import(join(otherDir, 'src/index.ts'));
  const otherEngine = new other.RegoEngine();
  otherEngine.addModules(modules);
  otherEngine.setData(data);
  const engines = [engine, otherEngine] as const;
  const blocks = 12;
  const perBlock = 2000;
  for (const e of engines) for (let i = 0; i < 3000; i++) e.evalRule(query, { input });
  const medians: [number[], number[]] = [[], []];
  for (let b = 0; b < blocks; b++) {
    // Alternate which goes first, so neither always runs right after the other's garbage.
    for (const which of b % 2 === 0 ? [0, 1] : [1, 0]) {
      const e = engines[which as 0 | 1];
      const times: number[] = new Array(perBlock);
      for (let i = 0; i < perBlock; i++) {
        const start = process.hrtime.bigint();
        e.evalRule(query, { input });
        times[i] = Number(process.hrtime.bigint() - start) / 1e3;
      }
      times.sort((x, y) => x - y);
      medians[which as 0 | 1].push(percentile(times, 50));
    }
  }
  const mid = (xs: number[]): number =>
    percentile(
      [...xs].sort((x, y) => x - y),
      50,
    );
  const [mine, theirs] = [mid(medians[0]), mid(medians[1])];
  console.log(
    `against ${otherDir}: median of ${blocks} block medians ${mine.toFixed(1)} µs here, ` +
      `${theirs.toFixed(1)} µs there (ratio here/there ${(mine / theirs).toFixed(3)})`,
  );
}
