/**
 * Memory of a gateway whose audit trail holds the largest entries it accepts, while clients read
 * the trail as fast as they can with the largest `limit` (issue 9, defect 4: one page of 100
 * entries once took the gateway from 212 MB to 529 MB). The real gateway runs as a child process
 * on a fresh PostgreSQL database; the entries are written through `POST /policy/evaluate` with a
 * prompt and a context at the limits the settings allow, made of the character whose JSON text is
 * longest (U+0001, six bytes as `\u0001`); then a fresh gateway serves N concurrent clients that
 * page through the whole trail with `limit=1000`, again and again, while its resident memory is
 * sampled from /proc/<pid>/status, and its main thread's V8 heap and memory outside the heap by a
 * preloaded probe (scripts/memory-probe.mjs).
 *
 * Each variant is a fresh gateway on the same trail, measured one after the other:
 *   compiled   dist/ as built by scripts/build.mjs (built first), default settings: what ships,
 *              and the one held to the 300 MB target (PASS/FAIL);
 *   sources    the TypeScript sources through tsx (bin/policy-gateway-sources.js), as the gateway
 *              ran before it was compiled;
 *   no-workers compiled, POLICY_GATEWAY_EVAL_WORKERS=0 (what one evaluation thread costs).
 *
 * Usage: npm run bench:memory -w services/policy-gateway
 *   BENCH_MEMORY_ENTRIES (200), BENCH_MEMORY_CLIENTS (8), BENCH_MEMORY_SECONDS (20),
 *   BENCH_MEMORY_PAGE_MAX_BYTES (the gateway's default, 1 MiB; 1073741824 shows it unbounded),
 *   BENCH_MEMORY_VARIANTS (compiled,sources,no-workers).
 *   PostgreSQL is POLICY_GATEWAY_TEST_DATABASE_URL's server, or an embedded one when unset.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createTestDatabase,
  stopSharedEmbeddedTestServer,
} from '@policy-gateway/governance-runtime/testing';
import { loadSettings } from '../src/config/settings.js';
import {
  buildGateway,
  PACKAGE_DIR,
  writeCompiledLauncher,
} from '../tests/support/compiled-gateway.js';
import { type GatewayProcess, runCli, startGateway } from '../tests/support/gateway-process.js';

const LIMIT_MB = 300;
const entries = Number(process.env.BENCH_MEMORY_ENTRIES ?? 200);
const clients = Number(process.env.BENCH_MEMORY_CLIENTS ?? 8);
const seconds = Number(process.env.BENCH_MEMORY_SECONDS ?? 20);
const pageMaxBytes = process.env.BENCH_MEMORY_PAGE_MAX_BYTES;
const selectedVariants = (process.env.BENCH_MEMORY_VARIANTS ?? 'compiled,sources,no-workers').split(
  ',',
);

// The limits a client is held to, as the gateway reads them (defaults unless set here).
const settings = loadSettings(process.env);
const WIDEST = '\u0001';
const prompt = WIDEST.repeat(settings.maxPromptBytes);
/** The context's compact JSON is at most maxContextBytes: `{"k":"…"}` with six bytes a character. */
const context = { k: WIDEST.repeat(Math.floor((settings.maxContextBytes - 8) / 6)) };
const body = JSON.stringify({ prompt, user_id: 'bench-memory', context });
if (Buffer.byteLength(body) > settings.bodyLimitBytes) {
  throw new Error('the largest prompt and context do not fit the body limit together');
}

function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function seed(gateway: GatewayProcess): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < entries) {
      next += 1;
      const response = await fetch(`${gateway.url}/policy/evaluate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      if (response.status !== 200) {
        throw new Error(`evaluate answered ${response.status}: ${await response.text()}`);
      }
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 4 }, writer));
}

interface ReadFigures {
  pages: number;
  bytes: number;
  walks: number;
  largestPage: number;
}

/** Walks the whole trail with limit=1000, again and again, until `until`. */
async function reader(url: string, until: number, figures: ReadFigures): Promise<void> {
  while (Date.now() < until) {
    let cursor: string | null = null;
    do {
      const query: string = `limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`;
      const response = await fetch(`${url}/governance/audit?${query}`);
      const text = await response.text();
      if (response.status !== 200) throw new Error(`audit answered ${response.status}: ${text}`);
      const page = JSON.parse(text) as { next_cursor: string | null };
      figures.pages += 1;
      figures.bytes += text.length;
      figures.largestPage = Math.max(figures.largestPage, text.length);
      cursor = page.next_cursor;
    } while (cursor !== null && Date.now() < until);
    figures.walks += 1;
  }
}

interface ProbeSample {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

interface VariantFigures {
  readonly name: string;
  readonly idle: number;
  readonly peak: number;
  /** The probe's sample with the highest RSS, when it wrote any. */
  readonly atPeak: ProbeSample | undefined;
  readonly read: ReadFigures;
}

interface Variant {
  readonly name: string;
  readonly what: string;
  readonly bin: string;
  readonly env: Record<string, string>;
}

const workDir = await mkdtemp(path.join(tmpdir(), 'bench-memory-'));

async function measure(variant: Variant, env: Record<string, string>): Promise<VariantFigures> {
  const probeFile = path.join(workDir, `${variant.name}.probe.jsonl`);
  const gateway = await startGateway(
    {
      ...env,
      ...variant.env,
      NODE_OPTIONS: `--import=${pathToFileURL(path.join(PACKAGE_DIR, 'scripts/memory-probe.mjs')).href}`,
      MEMORY_PROBE_FILE: probeFile,
    },
    { bin: variant.bin },
  );
  try {
    const pid = gateway.child.pid!;
    // One small read and one evaluation, so that idle counts what any request loads.
    await fetch(`${gateway.url}/governance/audit?limit=1`).then((r) => r.arrayBuffer());
    await fetch(`${gateway.url}/policy/evaluate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'hello', user_id: 'bench-memory-idle' }),
    }).then((r) => r.arrayBuffer());
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idle = residentMb(pid);
    let peak = idle;
    const sampler = setInterval(() => {
      peak = Math.max(peak, residentMb(pid));
    }, 50);
    const read: ReadFigures = { pages: 0, bytes: 0, walks: 0, largestPage: 0 };
    const until = Date.now() + seconds * 1000;
    try {
      await Promise.all(Array.from({ length: clients }, () => reader(gateway.url, until, read)));
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, residentMb(pid));
    let atPeak: ProbeSample | undefined;
    for (const line of (await readFile(probeFile, 'utf8').catch(() => '')).split('\n')) {
      if (line === '') continue;
      const sample = JSON.parse(line) as ProbeSample;
      if (atPeak === undefined || sample.rss > atPeak.rss) atPeak = sample;
    }
    return { name: variant.name, idle, peak, atPeak, read };
  } finally {
    await gateway.kill('SIGTERM');
  }
}

function report(figures: VariantFigures, variant: Variant): string {
  const mib = (bytes: number) => (bytes / 1_048_576).toFixed(0);
  const probe = figures.atPeak;
  const breakdown =
    probe === undefined
      ? ''
      : `; at its peak the main thread's V8 heap ${mib(probe.heapTotal)} MB (${mib(probe.heapUsed)} used), outside it ${mib(probe.external)} MB (${mib(probe.arrayBuffers)} in buffers), the rest (code, worker threads, native) ${mib(probe.rss - probe.heapTotal - probe.external)} MB`;
  return [
    `  ${variant.name.padEnd(10)} ${figures.idle.toFixed(0).padStart(4)} MB idle, ${figures.peak.toFixed(0).padStart(4)} MB peak  (${variant.what})`,
    `             read ${figures.read.pages} pages (${figures.read.walks} whole walks), ${(figures.read.bytes / 1_048_576).toFixed(0)} MB, largest page ${(figures.read.largestPage / 1_048_576).toFixed(1)} MB${breakdown}`,
  ].join('\n');
}

const database = await createTestDatabase();
const env = {
  POLICY_GATEWAY_DATABASE_URL: database.url,
  ...(pageMaxBytes === undefined ? {} : { POLICY_GATEWAY_AUDIT_PAGE_MAX_BYTES: pageMaxBytes }),
};
let exitCode = 1;
try {
  process.stdout.write(buildGateway());
  const compiled = await writeCompiledLauncher(workDir);
  const allVariants: Variant[] = [
    {
      name: 'compiled',
      what: 'dist/, default settings: what ships',
      bin: compiled,
      env: {},
    },
    {
      name: 'sources',
      what: 'src/ through tsx, default settings: as before the build step',
      bin: path.join(PACKAGE_DIR, 'bin/policy-gateway-sources.js'),
      env: {},
    },
    {
      name: 'no-workers',
      what: 'dist/, POLICY_GATEWAY_EVAL_WORKERS=0',
      bin: compiled,
      env: { POLICY_GATEWAY_EVAL_WORKERS: '0' },
    },
  ];
  const variants = allVariants.filter((variant) => selectedVariants.includes(variant.name));
  const migrate = await runCli(['migrate'], env);
  if (migrate.code !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
  process.stdout.write(
    `policy-gateway bench:memory: ${entries} entries with a ${settings.maxPromptBytes}-byte prompt and a ${settings.maxContextBytes}-byte context of U+0001, ${clients} clients reading with limit=1000 for ${seconds} s, page budget ${pageMaxBytes ?? 'default'}\n`,
  );
  const writer = await startGateway(env);
  const seedStarted = performance.now();
  try {
    await seed(writer);
  } finally {
    await writer.kill('SIGTERM');
  }
  process.stdout.write(`  seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s\n`);
  const first = await startGateway(env);
  try {
    const page = await fetch(`${first.url}/governance/audit?limit=1`);
    const entry = ((await page.json()) as { entries: unknown[] }).entries[0];
    process.stdout.write(
      `  one entry as served: ${(JSON.stringify(entry).length / 1_048_576).toFixed(1)} MB of JSON\n`,
    );
  } finally {
    await first.kill('SIGTERM');
  }

  // Each variant is a fresh process, so that what seeding or another variant left is not counted.
  const results: VariantFigures[] = [];
  for (const variant of variants) {
    const figures = await measure(variant, env);
    results.push(figures);
    process.stdout.write(`${report(figures, variant)}\n`);
  }
  const shipped = results.find((figures) => figures.name === 'compiled');
  const sources = results.find((figures) => figures.name === 'sources');
  if (shipped !== undefined && sources !== undefined) {
    process.stdout.write(
      `  compiled/sources: idle ${(shipped.idle / sources.idle).toFixed(2)}×, peak ${(shipped.peak / sources.peak).toFixed(2)}×\n`,
    );
  }
  if (shipped === undefined) {
    process.stdout.write('no PASS/FAIL: the compiled variant was not measured\n');
    exitCode = 0;
  } else {
    const pass = shipped.peak < LIMIT_MB;
    process.stdout.write(
      `${pass ? 'PASS' : 'FAIL'}: peak RSS of the compiled gateway ${shipped.peak.toFixed(0)} MB ${pass ? '<' : '>='} ${LIMIT_MB} MB\n`,
    );
    exitCode = pass ? 0 : 1;
  }
} finally {
  await database.drop();
  await stopSharedEmbeddedTestServer();
  await rm(workDir, { recursive: true, force: true });
}
process.exitCode = exitCode;
