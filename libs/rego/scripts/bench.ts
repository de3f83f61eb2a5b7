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
 *   npm run bench -w libs/rego [-- --against <git-ref or libs/rego directory>] [--rounds N]
 *     [--processes N] [--compiled] [--modes <list>] [--no-live] [--json] [--against-first]
 *
 * `--against` evaluates another version of the engine in the same rounds: a directory holding
 * its libs/rego, or a git ref, whose libs/rego is extracted (git archive) under
 * node_modules/.cache so that it resolves this checkout's dependencies. The live policy runs
 * on this version's code, which skews a comparison with another version: `--no-live` leaves
 * it out. How V8 optimises each engine varies from process to process, so `--processes N`
 * runs the bench N times in fresh processes and reports medians over them, with the range.
 *
 * The bench runs under tsx, which transpiles with esbuild's `keepNames`; the gateway ships a
 * bundle built without it (services/policy-gateway/scripts/build.mjs). `--compiled` measures
 * both ways: N processes (at least 1) with every contestant (engine, `--against` engine and
 * reference) as tsx runs it, and N with each bundled the way the gateway is built
 * (scripts/bench/compile-as-shipped.ts), the two kinds alternating, each reported on its own.
 * `--modes tsx,compiled,compiled-keep-names` chooses the kinds (the last bundles with tsx's
 * keepNames, to tell whether that option is the difference); `--mode compiled` runs one
 * process of one kind.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { RegoEngine } from '../src/index.js';
import { compileAsShipped } from './bench/compile-as-shipped.js';
import { type EngineSource, engineSourceAt } from './bench/engine-at-ref.js';
import { benchPrompt } from './bench/gateway-inputs.js';
import type { PolicyFiles } from './bench/gateway-policy.js';
import { GATEWAY_QUERY, LIVE_DIR, readPolicy, SNAPSHOT_DIR } from './bench/gateway-policy.js';
import type { GatewayData, gatewayDecision } from './bench/gateway-reference.js';

const loadBefore = loadavg()[0]!;
const here = dirname(fileURLToPath(import.meta.url));
const regoDir = resolve(here, '..');

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

const rounds = Number(option('--rounds') ?? 60);
const processes = Number(option('--processes') ?? 1);
/**
 * How the contestants' code runs: as tsx transpiles it, bundled as the gateway ships, or
 * bundled with tsx's `keepNames` added (which tells whether that option is the difference).
 */
type Mode = 'tsx' | 'compiled' | 'compiled-keep-names';
const MODE_TITLES: Record<Mode, string> = {
  tsx: 'under tsx (an esbuild transform per module with keepNames and minifyWhitespace, as `npm run bench` runs)',
  compiled:
    'compiled as the gateway ships (one esbuild bundle per contestant, options of build.mjs: esm, node20.19, no keepNames)',
  'compiled-keep-names':
    "compiled as the gateway ships but with tsx's keepNames (not how anything ships: isolates that option)",
};
const isMode = (name: string): name is Mode => Object.hasOwn(MODE_TITLES, name);
const modeList = (option('--modes') ?? (process.argv.includes('--compiled') ? 'tsx,compiled' : ''))
  .split(',')
  .filter((name) => name !== '');
const badMode = [option('--mode') ?? 'tsx', ...modeList].find((name) => !isMode(name));
if (badMode !== undefined) {
  console.error(`unknown mode ${badMode}: one of ${Object.keys(MODE_TITLES).join(', ')}`);
  process.exit(2);
}
const severalModes = modeList as Mode[];

const mode = (option('--mode') ?? 'tsx') as Mode;
const asJson = process.argv.includes('--json');
const snapshot = readPolicy(SNAPSHOT_DIR);
if (processes > 1 || severalModes.length > 0) {
  repeatInProcesses(Math.max(1, processes), severalModes.length > 0 ? severalModes : [mode]);
  process.exit(0);
}
// Imported the way the other version is (dynamically), so that neither starts ahead: a
// static import measured up to twice as fast as the same files imported dynamically. Even
// so, of two identical copies the one imported first measured 15-25% faster (at load ~20):
// `--against-first` imports the other version first, and `--processes` alternates the order
// from one process to the next, so that a comparison's ratios can be read order-balanced.
const against = option('--against');
const againstFirst = against !== undefined && process.argv.includes('--against-first');
const otherSource = against === undefined ? undefined : againstSource(against);

function againstSource(ref: string): EngineSource {
  try {
    return engineSourceAt(ref, regoDir);
  } catch (error) {
    console.error(`--against: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
// Compiled mode bundles each contestant on its own (two engines never share a chunk) under
// node_modules, where the bundles' external imports resolve this checkout's packages.
const compiledDir = join(
  regoDir,
  '../../node_modules/.cache/rego-bench-compiled',
  String(process.pid),
);
const loadable = async (entry: string, name: string): Promise<string> =>
  mode === 'tsx'
    ? entry
    : await compileAsShipped(entry, compiledDir, name, {
        keepNames: mode === 'compiled-keep-names',
      });
const otherEntry =
  otherSource === undefined
    ? undefined
    : await loadable(join(otherSource.dir, 'src/index.ts'), 'against');
const engineEntry = await loadable(join(regoDir, 'src/index.ts'), 'engine');
const referenceEntry = await loadable(join(here, 'bench/gateway-reference.ts'), 'reference');
const otherFirst: { RegoEngine: EngineClass } | undefined = againstFirst
  ? await import(otherEntry!)
  : undefined;
const { RegoEngine: Engine }: { RegoEngine: EngineClass } = await import(engineEntry);
const { gatewayDecision: referenceDecision }: { gatewayDecision: typeof gatewayDecision } =
  await import(referenceEntry);

type EngineClass = typeof RegoEngine;

function compile(Engine: EngineClass, policy: PolicyFiles): RegoEngine {
  const engine = new Engine();
  engine.addModules(policy.modules);
  engine.setData(policy.data);
  // The patterns too, as a gateway's start-up query would compile them: a load's whole cost
  // (versions before `prepare` compiled them in addModules and setData).
  (engine as Partial<Pick<RegoEngine, 'prepare'>>).prepare?.();
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
    decide: (input) => referenceDecision(input, snapshot.data as GatewayData),
  },
];

let againstLabel: string | undefined;
const cleanups: Array<() => void> = [];
if (mode !== 'tsx') cleanups.push(() => rmSync(compiledDir, { recursive: true, force: true }));
if (otherSource !== undefined) {
  const { label, remove } = otherSource;
  againstLabel = againstFirst ? `${label}, imported first` : label;
  if (remove !== undefined) cleanups.push(remove);
  const other: { RegoEngine: EngineClass } = otherFirst ?? (await import(otherEntry!));
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
 * Checks that every contestant decides as the engine on the size's prompt and sizes each
 * contestant's batch to about two milliseconds of CPU (after `warmUp`).
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

/**
 * Runs every contestant at every size in small alternating slices until the JIT has
 * settled (its compiler threads' CPU time would count against whoever runs while it
 * works). Alternating matters: warming one engine fully before the other measured the one
 * warmed first up to 30% faster than an identical copy.
 */
function warmUp(): void {
  const inputs = sizes.map((s) => ({
    prompt: benchPrompt(s.chars),
    user_id: 'user-123',
    context: { team: 'finance' },
  }));
  const start = process.cpuUsage();
  for (let slice = 0; ; slice++) {
    for (const input of inputs)
      for (const c of contestants) for (let i = 0; i < 20; i++) c.decide(input);
    const used = process.cpuUsage(start);
    if (slice >= 20 && used.user + used.system > 1_500_000 * contestants.length) break;
  }
}

warmUp();
const results = measureAll(sizes.map((s) => prepare(s.label, s.chars)));
for (const cleanup of cleanups) cleanup();
const loadAfter = loadavg()[0]!;

if (asJson) {
  const json: ProcessResult = {
    sizes: results.map((r) => ({ label: r.label, micros: Object.fromEntries(r.micros) })),
    liveAgrees: results.every((r) => r.liveAgrees !== false),
    decision: results[1]!.decision,
    liveNote,
    againstLabel,
    compileMs: median(compileTimes),
    load: loadAfter,
    mode,
  };
  console.log(JSON.stringify(json));
} else {
  report(
    [
      {
        sizes: results.map((r) => ({ label: r.label, micros: Object.fromEntries(r.micros) })),
        liveAgrees: results.every((r) => r.liveAgrees !== false),
        decision: results[1]!.decision,
        liveNote,
        againstLabel,
        compileMs: median(compileTimes),
        load: loadAfter,
        mode,
      },
    ],
    `median over ${rounds} alternating rounds`,
  );
  console.log(
    `compile: first, cold ${coldCompileMs.toFixed(2)} ms; warm median ${median(compileTimes).toFixed(2)} ms (${compileTimes.length} runs after 20 warm-up)`,
  );
  printLoad(loadBefore, loadAfter);
}

/** What one process measured, as `--json` prints it. */
interface ProcessResult {
  readonly sizes: ReadonlyArray<{
    readonly label: string;
    readonly micros: Record<string, number>;
  }>;
  readonly liveAgrees: boolean;
  readonly decision: unknown;
  readonly liveNote: string;
  readonly againstLabel: string | undefined;
  readonly compileMs: number;
  readonly load: number;
  readonly mode: Mode;
}

/**
 * Runs the bench in `n` processes one after the other and reports the medians over them: how
 * V8 happens to optimise an engine differs from one process to the next (an identical copy
 * measured from 0.6x to 1.2x of the original at 100 B in single runs), so a comparison
 * needs several processes.
 */
function repeatInProcesses(n: number, modes: readonly Mode[]): void {
  const loadStart = loadavg()[0]!;
  const valued = ['--processes', '--mode', '--modes'];
  const args = process.argv
    .slice(2)
    .filter(
      (a, i, all) => a !== '--compiled' && !valued.includes(a) && !valued.includes(all[i - 1]!),
    );
  const runs: ProcessResult[] = [];
  const compares = args.includes('--against');
  // With several modes, their processes take turns, so that a change in the machine's load
  // falls on all of them; the import order alternates within each mode.
  for (let i = 0; i < n * modes.length; i++) {
    const which = modes[i % modes.length]!;
    const turn = Math.floor(i / modes.length);
    const order = compares && turn % 2 === 1 ? ['--against-first'] : [];
    const out = execFileSync(
      process.execPath,
      [...process.execArgv, process.argv[1]!, ...args, '--mode', which, ...order, '--json'],
      {
        maxBuffer: 1 << 24,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    ).toString();
    const line = out.trim().split('\n').pop() ?? '';
    runs.push(JSON.parse(line) as ProcessResult);
  }
  for (const which of modes) {
    const ofMode = runs.filter((r) => r.mode === which);
    report(
      ofMode,
      `median over ${n} processes of each one's median over ${rounds} alternating rounds`,
    );
    console.log(`compile: warm median ${median(ofMode.map((r) => r.compileMs)).toFixed(2)} ms`);
  }
  printLoad(loadStart, loadavg()[0]!);
}

/** Prints the figures of one or more processes: medians, with the ratios' range over processes. */
function report(runs: readonly ProcessResult[], how: string): void {
  const first = runs[0]!;
  const us = (x: number): string => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} µs`;
  const range = (xs: number[]): string =>
    xs.length > 1 ? ` [${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}]` : '';
  console.log(`== ${MODE_TITLES[first.mode]}`);
  console.log(
    `policy: snapshot ${SNAPSHOT_DIR} (commit 6cc85e3's shipped policy, ${snapshot.modules.length} modules), query ${GATEWAY_QUERY}; the reference decides as this snapshot`,
  );
  console.log(first.liveNote);
  console.log(`decision on the 2 KB prompt: ${JSON.stringify(first.decision)}`);
  console.log(
    `evaluation, CPU µs per evaluation, ${how} (ratio to the reference, range over processes):`,
  );
  for (let s = 0; s < first.sizes.length; s++) {
    const at = (name: string): number[] =>
      runs.map((r) => r.sizes[s]!.micros[name]).filter((v): v is number => v !== undefined);
    const ratios = (name: string, to: string): number[] =>
      runs.map((r) => r.sizes[s]!.micros[name]! / r.sizes[s]!.micros[to]!).filter(Number.isFinite);
    const cell = (name: string): string =>
      at(name).length === 0
        ? ''
        : `${name} ${us(median(at(name)))} (${median(ratios(name, 'reference')).toFixed(2)}x${range(ratios(name, 'reference'))})`;
    const parts = [cell('engine'), `reference ${us(median(at('reference')))}`];
    if (at('against').length > 0) parts.push(cell('against'));
    if (at('live').length > 0)
      parts.push(
        `${cell('live')}${first.liveAgrees ? '' : ' [live decides otherwise on some prompt]'}`,
      );
    console.log(`  ${first.sizes[s]!.label.padEnd(6)} ${parts.join(', ')}`);
  }
  if (first.againstLabel !== undefined) {
    const balanced = runs.length > 1 && runs.length % 2 === 0;
    console.log(
      `against: ${first.againstLabel}; engine here / there` +
        (runs.length > 1
          ? `, import order alternating by process (${balanced ? 'balanced' : 'one more with this version first'}); geometric mean:`
          : ':'),
    );
    for (let s = 0; s < first.sizes.length; s++) {
      const r = runs.map((x) => x.sizes[s]!.micros.engine! / x.sizes[s]!.micros.against!);
      const mean = Math.exp(r.reduce((acc, x) => acc + Math.log(x), 0) / r.length);
      console.log(`  ${first.sizes[s]!.label.padEnd(6)} ${mean.toFixed(3)}${range(r)}`);
    }
  }
}

function printLoad(before: number, after: number): void {
  console.log(
    `machine: load average ${before.toFixed(1)} before, ${after.toFixed(1)} after, over ${cpus().length} cores` +
      (after > cpus().length / 2
        ? ' (busy: even CPU µs are inflated by other jobs sharing caches and cores; the ratios, measured side by side, are the steadier figures)'
        : ''),
  );
}
