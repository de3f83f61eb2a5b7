/**
 * Verification speed of the audit trail on a real PostgreSQL server: seeds N chained entries
 * (default 1,000,000, over 4 chains, a signed checkpoint every 1,000) with correct hashes,
 * inserted set-based (`unnest` of arrays, 5,000 rows a statement), then runs the verifier and
 * prints entries/s, with the two halves of its cost measured apart: reading the entries
 * (keyset batches through the repository's mapping) and hashing them. The verifier runs on
 * this process's one thread; the server works in its own process.
 *
 * Usage: `npm run bench:verify -w libs/governance-runtime [-- entries]`, with
 * POLICY_GATEWAY_TEST_DATABASE_URL naming the server (else an embedded one is started).
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { type Kysely, sql } from 'kysely';
import type { AuditLogDatabase } from '../adapters/postgres/audit-log-database.js';
import { openPostgresAuditLogDatabase } from '../adapters/postgres/open-postgres-audit-log-database.js';
import {
  SELECTION,
  SELECTION_AS_JSON_ARRAY,
  type SelectedRow,
  toEntry,
  toEntryFromJsonArray,
  toRow,
} from '../adapters/postgres/postgres-audit-log-entry-repository.js';
import { PostgresAuditTrailReader } from '../adapters/postgres/postgres-audit-trail-reader.js';
import type { AuditCheckpointPayload } from '../src/audit-checkpoint-payload.js';
import { auditEntryHash, chainGenesisHash } from '../src/audit-entry-hash.js';
import type { AuditLogEntry } from '../src/audit-log-entry.js';
import { formatEpochMicros } from '../src/audit-timestamp.js';
import { verifyAuditTrail } from '../src/audit-trail-verifier.js';
import { newAuditLogEntryId } from '../src/new-audit-log-entry-id.js';
import { toStorableAuditLogEntry } from '../src/storable-audit-log-entry.js';
import { createTestDatabase } from '../testing/create-test-database.js';
import { stopSharedEmbeddedTestServer } from '../testing/embedded-test-server.js';
import { migrateAuditLogToLatest } from '../testing/open-test-pglite.js';
import { insertCheckpoint, newSigningKeyPair } from '../testing/signed-chain-fixture.js';

const rate = (value: number) => Math.round(value).toLocaleString('en-US');
const ENTRIES = Number(process.argv[2] ?? 1_000_000);
const CHAINS = 4;
const CHECKPOINT_EVERY = 1000;
const ROWS_PER_STATEMENT = 5000;
/** Entries per read of the verifier. */
const BATCH = Number(process.env.BENCH_VERIFY_BATCH ?? 2000);
const START_MICROS = Date.UTC(2026, 11, 1) * 1000;

function entry(i: number): AuditLogEntry {
  const deny = i % 10 === 0;
  return toStorableAuditLogEntry({
    id: newAuditLogEntryId(),
    decisionId: randomUUID(),
    occurredAt: formatEpochMicros(START_MICROS + i * 1000),
    userId: `user-${i % 50}`,
    principalId: 'key:bench',
    action: 'policy.evaluate',
    decision: deny ? 'deny' : 'allow',
    reasons: deny ? [{ code: 'pii.email', message: 'e-mail address', severity: 'high' }] : [],
    policyPath: 'data.policy_gateway.decision',
    policyVersion: 'sha256:bench',
    policyEngine: 'embedded',
    input: {
      prompt: `please summarise document ${i} for the quarterly review`,
      user_id: `user-${i % 50}`,
    },
    result: { allow: !deny, reasons: [] },
    error: null,
    latencyMs: 0.25 + (i % 7) / 8,
    requestId: randomUUID(),
    clientRequestId: null,
    clientAddress: '10.0.0.7',
    userAgent: 'bench',
    gatewayInstance: 'bench:1',
    idempotencyKey: null,
    requestDigest: null,
  });
}

/** Inserts rows set-based: one `insert … select from unnest(…)` per batch. */
async function insertRows(db: Kysely<AuditLogDatabase>, entries: readonly AuditLogEntry[]) {
  const rows = entries.map((e) => toRow(e) as unknown as Record<string, unknown>);
  const columns = Object.keys(rows[0]!);
  const json = new Set(['reasons', 'input', 'result']);
  const arrays = columns.map((column) => {
    const values = rows.map((row, index) => {
      if (json.has(column)) return JSON.stringify(jsonOf(entries[index]!, column));
      if (column === 'occurred_at') return entries[index]!.occurredAt;
      return row[column];
    });
    const type = columnType(column);
    return sql`${values}::${sql.raw(type)}[]`;
  });
  await sql`insert into audit_log_entries (${sql.join(columns.map((c) => sql.ref(c)))})
            select ${sql.join(columns.map((c) => sql.raw(cast(c))))}
              from unnest(${sql.join(arrays)}) as t(${sql.join(columns.map((c) => sql.ref(c)))})`.execute(
    db,
  );
}

function jsonOf(entry: AuditLogEntry, column: string): unknown {
  return column === 'reasons' ? entry.reasons : column === 'input' ? entry.input : entry.result;
}

function columnType(column: string): string {
  if (column === 'id' || column === 'chain_id') return 'uuid';
  if (column === 'chain_seq') return 'bigint';
  if (column === 'latency_ms') return 'float8';
  return 'text';
}

function cast(column: string): string {
  if (column === 'reasons' || column === 'input' || column === 'result')
    return `"${column}"::jsonb`;
  if (column === 'occurred_at') return `"${column}"::timestamptz`;
  return `"${column}"`;
}

async function seed(db: Kysely<AuditLogDatabase>): Promise<void> {
  const key = newSigningKeyPair();
  await db
    .insertInto('audit_signing_keys')
    .values({
      key_id: key.keyId,
      algorithm: 'ed25519',
      public_key_pem: key.publicKeyPem,
      first_used_by: 'bench',
    })
    .execute();
  const perChain = Math.ceil(ENTRIES / CHAINS);
  let i = 0;
  for (let c = 0; c < CHAINS; c += 1) {
    const chainId = randomUUID();
    let head = chainGenesisHash(chainId);
    let previous: { id: string; hash: string } | null = null;
    let batch: AuditLogEntry[] = [];
    for (let seq = 1; seq <= perChain && i < ENTRIES; seq += 1, i += 1) {
      const e = entry(i);
      const position = { chainId, seq, prevHash: head };
      head = auditEntryHash(e, position);
      batch.push({ ...e, chain: { ...position, entryHash: head } });
      const last = seq === perChain || i === ENTRIES - 1;
      if (batch.length === ROWS_PER_STATEMENT || last) {
        await insertRows(db, batch);
        batch = [];
      }
      if (seq % CHECKPOINT_EVERY === 0 || last) {
        const payload: AuditCheckpointPayload = {
          v: 1,
          id: randomUUID(),
          chain_id: chainId,
          chain_seq: seq,
          entry_hash: head,
          prev_checkpoint_id: previous?.id ?? null,
          prev_checkpoint_hash: previous?.hash ?? null,
          key_id: key.keyId,
          created_at: formatEpochMicros(START_MICROS + i * 1000 + 1),
          instance: 'bench:1',
          reason: last ? 'final' : 'entries',
          final: last,
        };
        // Checkpoints must be stored after the entries they sign.
        if (batch.length > 0) {
          await insertRows(db, batch);
          batch = [];
        }
        await insertCheckpoint(db, payload, key.privateKey);
        const { checkpoint_hash } = await db
          .selectFrom('audit_checkpoints')
          .select('checkpoint_hash')
          .where('id', '=', payload.id)
          .executeTakeFirstOrThrow();
        previous = { id: payload.id, hash: checkpoint_hash };
      }
    }
  }
  await sql`analyze audit_log_entries`.execute(db);
}

/** Entries read and mapped per CPU-second, in keyset batches, with either row shape. */
async function readRateOf(
  db: Kysely<AuditLogDatabase>,
  shape: 'columns' | 'json array',
  limit: number,
): Promise<number> {
  const cpu = process.cpuUsage();
  let count = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  while (count < limit) {
    const batch = Math.min(BATCH, limit - count);
    const ids: string[] = [];
    if (shape === 'columns') {
      const { rows } = await sql<SelectedRow>`select ${sql.join(SELECTION)} from audit_log_entries
        where id > ${after}::uuid order by id limit ${batch}`.execute(db);
      for (const row of rows) ids.push(toEntry(row).id);
    } else {
      const { rows } = await sql<{ entry: string }>`select ${SELECTION_AS_JSON_ARRAY} as entry
        from audit_log_entries where id > ${after}::uuid order by id limit ${batch}`.execute(db);
      for (const row of rows) ids.push(toEntryFromJsonArray(row.entry).id);
    }
    if (ids.length === 0) break;
    count += ids.length;
    after = ids[ids.length - 1]!;
  }
  const used = process.cpuUsage(cpu);
  return count / ((used.user + used.system) / 1e6);
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
  try {
    await migrateAuditLogToLatest(db);
    let started = performance.now();
    await seed(db);
    const seedSeconds = (performance.now() - started) / 1000;
    console.log(
      `seeded ${ENTRIES.toLocaleString('en-US')} chained entries in ${CHAINS} chains (checkpoint every ${CHECKPOINT_EVERY}) in ${seedSeconds.toFixed(1)} s (${Math.round(ENTRIES / seedSeconds).toLocaleString('en-US')} entries/s)`,
    );

    const reader = new PostgresAuditTrailReader(db, { batchSize: BATCH });
    const runs: number[] = [];
    const cpuRuns: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      started = performance.now();
      const cpu = process.cpuUsage();
      const result = await verifyAuditTrail(reader);
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;
      runs.push(result.entriesChecked / seconds);
      cpuRuns.push(result.entriesChecked / cpuSeconds);
      if (!result.intact)
        throw new Error(`the seeded trail is not intact: ${JSON.stringify(result.problems)}`);
      console.log(
        `verify run ${run + 1}: ${result.entriesChecked.toLocaleString('en-US')} entries, ${result.checkpoints} checkpoints in ${seconds.toFixed(2)} s = ${rate(result.entriesChecked / seconds)} entries/s (${cpuSeconds.toFixed(2)} s of this process's CPU = ${rate(result.entriesChecked / cpuSeconds)} entries per CPU-second)`,
      );
    }
    runs.sort((a, b) => a - b);
    cpuRuns.sort((a, b) => a - b);

    // The two halves, apart: reading (batches and mapping) and hashing (in memory).
    started = performance.now();
    const sample: AuditLogEntry[] = [];
    let read = 0;
    for (const segment of await reader.chainSegments({})) {
      for await (const e of reader.entries(segment.chainId, 1)) {
        read += 1;
        if (sample.length < 100_000) sample.push(e);
      }
    }
    const readRate = read / ((performance.now() - started) / 1000);
    let cpu = process.cpuUsage();
    started = performance.now();
    for (const e of sample)
      auditEntryHash(e, {
        chainId: e.chain!.chainId,
        seq: e.chain!.seq,
        prevHash: e.chain!.prevHash,
      });
    const hashRate = sample.length / ((performance.now() - started) / 1000);
    const hashCpu = process.cpuUsage(cpu);
    cpu = hashCpu;
    console.log(
      `reading alone: ${rate(readRate)} entries/s; hashing alone: ${rate(hashRate)} entries/s (${rate(sample.length / ((hashCpu.user + hashCpu.system) / 1e6))} per CPU-second)`,
    );
    // The reader's row shape against the repository's own (one column per field), side by side.
    const columnsRate = await readRateOf(db, 'columns', Math.min(read, 200_000));
    const arrayRate = await readRateOf(db, 'json array', Math.min(read, 200_000));
    console.log(
      `reading ${Math.min(read, 200_000).toLocaleString('en-US')} entries per CPU-second: one column per field ${rate(columnsRate)}, one JSON array per row ${rate(arrayRate)} (×${(arrayRate / columnsRate).toFixed(2)})`,
    );
    console.log(
      `verification median: ${rate(runs[1]!)} entries/s wall clock, ${rate(cpuRuns[1]!)} entries per CPU-second of the verifier (one thread; target ≥ 100,000); load average now ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`,
    );
  } finally {
    await db.destroy();
    await database.drop();
    await stopSharedEmbeddedTestServer();
  }
}

await main();
