/**
 * Memory of a gateway whose audit trail holds the largest entries it accepts, while clients read
 * the trail as fast as they can with the largest `limit` (issue 9, defect 4: one page of 100
 * entries once took the gateway from 212 MB to 529 MB). The real gateway runs as a child process
 * on a fresh PostgreSQL database; the entries are written through `POST /policy/evaluate` with a
 * prompt and a context at the limits the settings allow, made of the character whose JSON text is
 * longest (U+0001, six bytes as `\u0001`); then a fresh gateway serves N concurrent clients that
 * page through the whole trail with `limit=1000`, again and again, while its resident memory is
 * sampled from /proc/<pid>/status. Prints the peak and PASS/FAIL against 300 MB.
 *
 * Usage: npm run bench:memory -w services/policy-gateway
 *   BENCH_MEMORY_ENTRIES (200), BENCH_MEMORY_CLIENTS (8), BENCH_MEMORY_SECONDS (20),
 *   BENCH_MEMORY_PAGE_MAX_BYTES (the gateway's default, 1 MiB; 1073741824 shows it unbounded).
 *   PostgreSQL is POLICY_GATEWAY_TEST_DATABASE_URL's server, or an embedded one when unset.
 */
import { readFileSync } from 'node:fs';
import {
  createTestDatabase,
  stopSharedEmbeddedTestServer,
} from '@policy-gateway/governance-runtime/testing';
import { loadSettings } from '../src/config/settings.js';
import { type GatewayProcess, runCli, startGateway } from '../tests/support/gateway-process.js';

const LIMIT_MB = 300;
const entries = Number(process.env.BENCH_MEMORY_ENTRIES ?? 200);
const clients = Number(process.env.BENCH_MEMORY_CLIENTS ?? 8);
const seconds = Number(process.env.BENCH_MEMORY_SECONDS ?? 20);
const pageMaxBytes = process.env.BENCH_MEMORY_PAGE_MAX_BYTES;

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

const database = await createTestDatabase();
const env = {
  POLICY_GATEWAY_DATABASE_URL: database.url,
  ...(pageMaxBytes === undefined ? {} : { POLICY_GATEWAY_AUDIT_PAGE_MAX_BYTES: pageMaxBytes }),
};
let exitCode = 1;
try {
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

  // A fresh process, so that what seeding left in its heap is not counted.
  const gateway = await startGateway(env);
  try {
    const pid = gateway.child.pid!;
    const first = await fetch(`${gateway.url}/governance/audit?limit=1`);
    const entry = ((await first.json()) as { entries: unknown[] }).entries[0];
    const entryBytes = JSON.stringify(entry).length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idle = residentMb(pid);
    let peak = idle;
    const sampler = setInterval(() => {
      peak = Math.max(peak, residentMb(pid));
    }, 50);
    const figures: ReadFigures = { pages: 0, bytes: 0, walks: 0, largestPage: 0 };
    const until = Date.now() + seconds * 1000;
    try {
      await Promise.all(Array.from({ length: clients }, () => reader(gateway.url, until, figures)));
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, residentMb(pid));
    const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
    process.stdout.write(
      [
        `  one entry as served: ${mb(entryBytes)} MB of JSON`,
        `  read ${figures.pages} pages (${figures.walks} whole walks), ${mb(figures.bytes)} MB, largest page ${mb(figures.largestPage)} MB`,
        `  gateway RSS: ${idle.toFixed(0)} MB idle, ${peak.toFixed(0)} MB at peak while reading`,
        `${peak < LIMIT_MB ? 'PASS' : 'FAIL'}: peak RSS ${peak.toFixed(0)} MB ${peak < LIMIT_MB ? '<' : '>='} ${LIMIT_MB} MB`,
        '',
      ].join('\n'),
    );
    exitCode = peak < LIMIT_MB ? 0 : 1;
  } finally {
    await gateway.kill('SIGTERM');
  }
} finally {
  await database.drop();
  await stopSharedEmbeddedTestServer();
}
process.exitCode = exitCode;
