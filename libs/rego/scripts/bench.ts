/**
 * Benchmark of the engine on the gateway's policy: evaluation time against a hand-written
 * TypeScript function that makes exactly the same decisions (scripts/bench/gateway-reference.ts,
 * checked by `bench:agreement`), on 100 B, 2 KB and 16 KB prompts, and compile time.
 *
 * The policy is the snapshot of commit 6cc85e3 (bench/gateway-policy-6cc85e3), the one the
 * reference decides as; the live shipped policy, when it compiles, is measured beside it.
 * Everything runs in one process, in alternating rounds, and the figures are medians of
 * rounds: on a shared machine, separate runs differ more than most changes.
 *
 *   npm run bench -w libs/rego [-- --against <git-ref or libs/rego directory>] [--rounds N] [--no-live]
 *
 * `--against` evaluates another version of the engine in the same rounds: a directory holding
 * its libs/rego, or a git ref, whose libs/rego is extracted (git archive) under
 * node_modules/.cache so that it resolves this checkout's dependencies. The live policy runs
 * on this version's code, which skews a comparison with another version: `--no-live` leaves
 * it out.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { RegoEngine } from '../src/index.js';
import { benchPrompt } from './bench/gateway-inputs.js';
import type { PolicyFiles } from './bench/gateway-policy.js';
import { GATEWAY_QUERY, LIVE_DIR, readPolicy, SNAPSHOT_DIR } from './bench/gateway-policy.js';
import type { GatewayData } from './bench/gateway-reference.js';
import { gatewayDecision } from './bench/gateway-reference.js';

const loadBefore = loadavg()[0]!;
const here = dirname(fileURLToPath(import.meta.url));
const regoDir = resolve(here, '..');

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

const rounds = Number(option('--rounds') ?? 60);
// Imported the way the other version is (dynamically), so that neither starts ahead: a
// static import measured up to twice as fast as the same files imported dynamically.
const { RegoEngine: Engine }: { RegoEngine: EngineClass } = await import('../src/index.js');
const snapshot = readPolicy(SNAPSHOT_DIR);

type EngineClass = typeof RegoEngine;

function compile(Engine: EngineClass, policy: PolicyFiles): RegoEngine {
  const engine = new Engine();
  engine.addModules(policy.modules);
  engine.setData(policy.data);
  return engine;
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// Compile time: the first compile runs cold (parser and compiler not yet optimised by the
// JIT), then the steady state a long-running gateway sees on a policy reload.
const coldStart = process.hrtime.bigint();
compile(Engine, snapshot);
const coldCompileMs = Number(process.hrtime.bigint() - coldStart) / 1e6;
for (let i = 0; i < 20; i++) compile(Engine, snapshot);
const compileTimes: number[] = [];
for (let i = 0; i < 50; i++) {
  const start = process.hrtime.bigint();
  compile(Engine, snapshot);
  compileTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
}

/** One way of deciding: an engine with a policy, or the reference. */
interface Contestant {
  readonly name: string;
  readonly decide: (input: Record<string, unknown>) => unknown;
}

const engine = compile(Engine, snapshot);
const contestants: Contestant[] = [
  { name: 'engine', decide: (input) => engine.evalRule(GATEWAY_QUERY, { input }) },
  {
    name: 'reference',
    decide: (input) => gatewayDecision(input, snapshot.data as GatewayData),
  },
];

const against = option('--against');
let againstLabel: string | undefined;
let cleanup: (() => void) | undefined;
if (against !== undefined) {
  const { dir, label, remove } = againstSource(against);
  againstLabel = label;
  cleanup = remove;
  const other: { RegoEngine: EngineClass } = await import(join(dir, 'src/index.ts'));
  const otherEngine = compile(other.RegoEngine, snapshot);
  contestants.push({
    name: 'against',
    decide: (input) => otherEngine.evalRule(GATEWAY_QUERY, { input }),
  });
}

let liveNote = 'live shipped policy not measured (--no-live)';
if (!process.argv.includes('--no-live'))
  try {
    const live = readPolicy(LIVE_DIR);
    const liveEngine = compile(Engine, live);
    contestants.push({
      name: 'live',
      decide: (input) => liveEngine.evalRule(GATEWAY_QUERY, { input }),
    });
    liveNote = `live shipped policy ${LIVE_DIR} (${live.modules.length} modules) measured too`;
  } catch (error) {
    liveNote = `live shipped policy ${LIVE_DIR} not measured: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }

/**
 * A directory holding the libs/rego to compare with: `against` itself when it is one, else
 * the libs/rego of git ref `against`, extracted where it resolves this checkout's packages.
 */
function againstSource(ref: string): { dir: string; label: string; remove?: () => void } {
  const asDir = resolve(ref);
  if (existsSync(join(asDir, 'src/index.ts'))) return { dir: asDir, label: asDir };
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: regoDir })
    .toString()
    .trim();
  let commit: string;
  try {
    commit = execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
      cwd: root,
    })
      .toString()
      .trim();
  } catch {
    console.error(`--against: ${ref} is neither a libs/rego directory nor a git commit`);
    process.exit(2);
  }
  const target = join(root, 'node_modules/.cache/rego-bench-against', commit);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const archive = execFileSync('git', ['archive', commit, 'libs/rego'], {
    cwd: root,
    maxBuffer: 1 << 28,
  });
  execFileSync('tar', ['-x', '-C', target], { input: archive });
  return {
    dir: join(target, 'libs/rego'),
    label: `${ref} (${commit.slice(0, 7)})`,
    remove: () => rmSync(target, { recursive: true, force: true }),
  };
}

const sizes = [
  { label: '100 B', chars: 100 },
  { label: '2 KB', chars: 2048 },
  // The largest prompt the policy scans: max_prompt_chars is 16000.
  { label: '16 KB', chars: 16_000 },
];

interface SizeResult {
  readonly label: string;
  readonly micros: ReadonlyMap<string, number>;
  readonly decision: unknown;
  readonly liveAgrees: boolean | undefined;
}

/** One prompt size, ready to measure: its input, and each contestant's batch length. */
interface Prepared {
  readonly label: string;
  readonly input: Record<string, unknown>;
  readonly decision: unknown;
  readonly liveAgrees: boolean | undefined;
  readonly batch: readonly number[];
  readonly samples: number[][];
}

/**
 * Checks that every contestant decides as the engine on the size's prompt, warms them up
 * (until the JIT has settled: its compiler threads' CPU time would count against whoever
 * runs while it works), and sizes each contestant's batch to about two milliseconds of CPU.
 */
function prepare(label: string, chars: number): Prepared {
  const input = { prompt: benchPrompt(chars), user_id: 'user-123', context: { team: 'finance' } };
  const decision = contestants[0]!.decide(input);
  for (const c of contestants) {
    if (c.name === 'live') continue;
    if (!isDeepStrictEqual(c.decide(input), decision)) {
      console.error(`${c.name} decides otherwise than the engine on the ${label} prompt`);
      process.exit(1);
    }
  }
  const live = contestants.find((c) => c.name === 'live');
  const liveAgrees =
    live === undefined ? undefined : isDeepStrictEqual(live.decide(input), decision);
  const batch = contestants.map((c) => {
    const warm = process.cpuUsage();
    let runs = 0;
    do {
      for (let i = 0; i < 100; i++) c.decide(input);
      runs += 100;
      const w = process.cpuUsage(warm);
      if (w.user + w.system > 400_000 && runs >= 1000) break;
    } while (runs < 20_000);
    const start = process.cpuUsage();
    for (let i = 0; i < 200; i++) c.decide(input);
    const used = process.cpuUsage(start);
    const each = (used.user + used.system) / 200;
    return Math.max(1, Math.round(2000 / Math.max(each, 0.05)));
  });
  return { label, input, decision, liveAgrees, batch, samples: contestants.map(() => []) };
}

/**
 * Median CPU µs per evaluation of each contestant at each size. Each round times a batch of
 * every contestant at every size, in an order that rotates from round to round, so that a
 * change in the machine's load falls on all of them alike. CPU time rather than wall time:
 * on a machine shared with other jobs, a batch's wall time includes the time they take the
 * core away, its CPU time does not (it does include this process's garbage collection).
 */
function measureAll(prepared: readonly Prepared[]): SizeResult[] {
  const cells = prepared.flatMap((p) => contestants.map((_, which) => ({ p, which })));
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < cells.length; j++) {
      const { p, which } = cells[(r + j) % cells.length]!;
      const c = contestants[which]!;
      const n = p.batch[which]!;
      const start = process.cpuUsage();
      for (let i = 0; i < n; i++) c.decide(p.input);
      const used = process.cpuUsage(start);
      p.samples[which]!.push((used.user + used.system) / n);
    }
  }
  return prepared.map((p) => ({
    label: p.label,
    micros: new Map(contestants.map((c, i) => [c.name, median(p.samples[i]!)])),
    decision: p.decision,
    liveAgrees: p.liveAgrees,
  }));
}

const results = measureAll(sizes.map((s) => prepare(s.label, s.chars)));
cleanup?.();
const loadAfter = loadavg()[0]!;

const us = (x: number): string => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} µs`;
console.log(
  `policy: snapshot ${SNAPSHOT_DIR} (commit 6cc85e3's shipped policy, ${snapshot.modules.length} modules), query ${GATEWAY_QUERY}; the reference decides as this snapshot`,
);
console.log(liveNote);
console.log(`decision on the 2 KB prompt: ${JSON.stringify(results[1]!.decision)}`);
console.log(
  `evaluation, median over ${rounds} alternating rounds, CPU µs per evaluation (ratio to the reference):`,
);
for (const r of results) {
  const ref = r.micros.get('reference')!;
  const cell = (name: string): string => {
    const v = r.micros.get(name);
    return v === undefined ? '' : `${name} ${us(v)} (${(v / ref).toFixed(2)}x)`;
  };
  const parts = [cell('engine'), `reference ${us(ref)}`];
  if (r.micros.has('against')) parts.push(cell('against'));
  if (r.micros.has('live'))
    parts.push(`${cell('live')}${r.liveAgrees ? '' : ' [live decides otherwise here]'}`);
  console.log(`  ${r.label.padEnd(6)} ${parts.join(', ')}`);
}
if (againstLabel !== undefined) {
  console.log(`against: ${againstLabel}; engine here / there:`);
  for (const r of results) {
    const mine = r.micros.get('engine')!;
    const theirs = r.micros.get('against')!;
    console.log(
      `  ${r.label.padEnd(6)} ${(mine / theirs).toFixed(3)} (${us(mine)} / ${us(theirs)})`,
    );
  }
}
console.log(
  `compile: first, cold ${coldCompileMs.toFixed(2)} ms; warm median ${median(compileTimes).toFixed(2)} ms (${compileTimes.length} runs after 20 warm-up)`,
);
console.log(
  `machine: load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, over ${cpus().length} cores` +
    (loadAfter > cpus().length / 2
      ? ' (busy: even CPU µs are inflated by other jobs sharing caches and cores; the ratios, measured side by side, are the steadier figures)'
      : ''),
);
