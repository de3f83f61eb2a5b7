/**
 * Append and query latency of each audit repository adapter (memory, PGlite in a
 * temporary directory, a PostgreSQL server), one operation at a time, printed as
 * medians and p99s. Usage: `npm run bench -w libs/governance-runtime [-- entries]`.
 * Uses POLICY_GATEWAY_TEST_DATABASE_URL's server when set, else an embedded one.
 */

import { MemoryAuditLogEntryRepository } from '../adapters/memory/memory-audit-log-entry-repository.js';
import { openPostgresAuditLogDatabase } from '../adapters/postgres/open-postgres-audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../adapters/postgres/postgres-audit-log-entry-repository.js';
import { encodeAuditLogCursor } from '../src/audit-log-cursor.js';
import type { AuditDecision, AuditLogEntry } from '../src/audit-log-entry.js';
import type { AuditLogEntryRepository } from '../src/audit-log-entry-repository.js';
import { auditTimestampNow } from '../src/audit-timestamp.js';
import { newAuditLogEntryId } from '../src/new-audit-log-entry-id.js';
import { createTestDatabase } from '../testing/create-test-database.js';
import { stopSharedEmbeddedTestServer } from '../testing/embedded-test-server.js';
import { migrateAuditLogToLatest, openTestPglite } from '../testing/open-test-pglite.js';

const ENTRIES = Number(process.argv[2] ?? 2000);
const QUERIES = 200;
const USERS = 50;

function entry(i: number): AuditLogEntry {
  const decision: AuditDecision = i % 10 === 0 ? 'deny' : 'allow';
  return {
    id: newAuditLogEntryId(),
    decisionId: newAuditLogEntryId(),
    occurredAt: auditTimestampNow(),
    userId: `user-${i % USERS}`,
    principalId: 'key:bench',
    action: 'policy.evaluate',
    decision,
    reasons:
      decision === 'deny'
        ? [{ code: 'pii.email', message: 'e-mail address', severity: 'high' }]
        : [],
    policyPath: 'data.policy_gateway.decision',
    policyVersion: 'sha256:bench',
    policyEngine: 'embedded',
    input: {
      prompt: `benchmark prompt number ${i} `.repeat(8),
      user_id: `user-${i % USERS}`,
      context: { app: 'bench' },
    },
    result: { allow: decision === 'allow', reasons: [] },
    error: null,
    latencyMs: 0.4,
    requestId: `req-${i}`,
    clientRequestId: null,
    clientAddress: '127.0.0.1',
    userAgent: 'bench',
    gatewayInstance: 'bench:1',
    idempotencyKey: null,
    requestDigest: null,
  };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `p50 ${at(0.5).toFixed(3)} ms, p99 ${at(0.99).toFixed(3)} ms`;
}

async function bench(name: string, repository: AuditLogEntryRepository): Promise<void> {
  const appends: number[] = [];
  let deepCursor = '';
  for (let i = 0; i < ENTRIES; i += 1) {
    const e = entry(i);
    appends.push(await timed(() => repository.append(e)));
    // Near the oldest end: keyset pagination should cost the same there as at the top.
    if (i === 100) deepCursor = encodeAuditLogCursor(e);
  }
  const queries: Record<string, number[]> = {
    'newest 50': [],
    'user, 50': [],
    'deny, 50': [],
    'page 2 via cursor': [],
    'deep page': [],
  };
  for (let i = 0; i < QUERIES; i += 1) {
    queries['newest 50']!.push(await timed(() => repository.query({ limit: 50 })));
    queries['user, 50']!.push(
      await timed(() => repository.query({ limit: 50, userId: `user-${i % USERS}` })),
    );
    queries['deny, 50']!.push(await timed(() => repository.query({ limit: 50, decision: 'deny' })));
    const { nextCursor } = await repository.query({ limit: 50 });
    queries['page 2 via cursor']!.push(
      await timed(() => repository.query({ limit: 50, cursor: nextCursor! })),
    );
    queries['deep page']!.push(
      await timed(() => repository.query({ limit: 50, cursor: deepCursor })),
    );
  }
  console.log(`${name} (${ENTRIES} entries)`);
  console.log(`  append                  ${summary(appends)}`);
  for (const [label, samples] of Object.entries(queries)) {
    console.log(`  query ${label.padEnd(18)}${summary(samples)}`);
  }
  await repository.close();
}

await bench('memory', new MemoryAuditLogEntryRepository({ maxEntries: ENTRIES }));

const pglite = await openTestPglite();
await bench('PGlite', new PostgresAuditLogEntryRepository(pglite.db));
await pglite.remove();

const database = await createTestDatabase();
const db = openPostgresAuditLogDatabase({ connectionString: database.url });
await migrateAuditLogToLatest(db);
await bench(
  `PostgreSQL ${process.env.POLICY_GATEWAY_TEST_DATABASE_URL ? '(configured server)' : '(embedded server)'}`,
  new PostgresAuditLogEntryRepository(db),
);
await db.destroy();
await database.drop();
await stopSharedEmbeddedTestServer();
