/**
 * What a scheduled verification costs, full against incremental, side by side in one run
 * (issue 11): serve's memory store with its chain and checkpoints holds N entries (default
 * 200,000, spread evenly over the last day, a checkpoint every 1,000), and the gateway's own
 * monitor verifies it alternately in full and incrementally (the entries of the last five
 * minutes, as a run after an intact one does), three rounds each way. Prints the medians of
 * wall-clock time and of this process's CPU time per run, and the load average beside them.
 *
 *   npx tsx scripts/bench-scheduled-verify.ts [N]
 */
import { loadavg } from 'node:os';
import {
  formatEpochMicros,
  generateAuditSigningKey,
  newAuditLogEntryId,
} from '@policy-gateway/governance-runtime';
import pino from 'pino';
import { AuditIntegrityMonitor } from '../src/audit/audit-integrity-monitor.js';
import { INCREMENTAL_MARGIN_MS } from '../src/audit/audit-verification-schedule.js';
import { loadSettings } from '../src/config/settings.js';
import { openAuditStore } from '../src/store/open-audit-store.js';

const count = Number(process.argv[2] ?? 200_000);
const silent = pino({ level: 'silent' });
const settings = loadSettings({
  POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory',
  POLICY_GATEWAY_MEMORY_STORE_MAX_ENTRIES: String(count),
});
const store = await openAuditStore(settings.store, silent, {
  signingKey: {
    key: generateAuditSigningKey().key,
    source: 'generated',
    path: 'bench',
    generatedNow: false,
  },
  instance: 'bench',
  checkpointEveryEntries: 1000,
  checkpointIntervalMs: 0,
});
const spacingMs = 86_400_000 / count;
const start = Date.now() - count * spacingMs;
const batch = 500;
for (let i = 0; i < count; i += batch) {
  const { results } = await store.repository.appendMany(
    Array.from({ length: Math.min(batch, count - i) }, (_, j) => {
      const n = i + j;
      return {
        id: newAuditLogEntryId(),
        decisionId: `decision-${n}`,
        occurredAt: formatEpochMicros(Math.round((start + n * spacingMs) * 1000)),
        userId: `user-${n % 97}`,
        principalId: 'key:bench',
        action: 'policy.evaluate',
        decision: n % 5 === 0 ? 'deny' : 'allow',
        reasons: [],
        policyPath: 'data.policy_gateway.decision',
        policyVersion: 'sha256:bench',
        policyEngine: 'embedded',
        input: { prompt: `prompt number ${n} with some words in it`, user_id: `user-${n % 97}` },
        result: { allow: n % 5 !== 0, reasons: [] },
        error: null,
        latencyMs: 0.25,
        requestId: `req-${n}`,
        clientRequestId: null,
        clientAddress: '10.0.0.1',
        userAgent: 'bench',
        gatewayInstance: 'bench',
        idempotencyKey: null,
        requestDigest: null,
      };
    }),
    { atomic: true },
  );
  const refused = results.find((r) => r.status !== 'committed');
  if (refused !== undefined) throw new Error(`an entry was not stored: ${JSON.stringify(refused)}`);
}

const monitor = new AuditIntegrityMonitor(store.trail);
async function timed(
  since: string | undefined,
): Promise<{ wallMs: number; cpuMs: number; entries: number }> {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  monitor.start(since === undefined ? {} : { since });
  await monitor.settled();
  const used = process.cpuUsage(cpu);
  const last = monitor.last;
  if (last === null || !last.result.intact) throw new Error('the trail did not verify intact');
  return {
    wallMs: performance.now() - wall,
    cpuMs: (used.user + used.system) / 1000,
    entries: last.result.entriesChecked,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const rounds: Record<'full' | 'incremental', { wallMs: number; cpuMs: number; entries: number }[]> =
  {
    full: [],
    incremental: [],
  };
const since = new Date(Date.now() - INCREMENTAL_MARGIN_MS).toISOString();
for (let round = 0; round < 3; round += 1) {
  rounds.full.push(await timed(undefined));
  rounds.incremental.push(await timed(since));
}
console.log(
  `${count.toLocaleString('en-US')} entries in the memory store, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const scope of ['full', 'incremental'] as const) {
  const runs = rounds[scope];
  console.log(
    `${scope.padEnd(11)} entries checked ${runs[0]!.entries.toLocaleString('en-US').padStart(9)}  median wall ${median(
      runs.map((r) => r.wallMs),
    )
      .toFixed(0)
      .padStart(6)} ms  median CPU ${median(runs.map((r) => r.cpuMs))
      .toFixed(0)
      .padStart(6)} ms`,
  );
}
await store.close();
