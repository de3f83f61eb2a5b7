/**
 * The audit hash chain as `policy-gateway serve` writes it (issue 11), with the real command
 * as a child process: every entry of a run is in that run's chain without a gap, and the chain
 * is whole after a SIGKILL in the middle of load, after a graceful restart (a new chain, the
 * old one closed by a final checkpoint) and with two replicas writing to one PostgreSQL server
 * at once. A chain whose writer was killed is sealed by the next gateway to start (a
 * `recovery` checkpoint at its head), never while its writer lives. Chains are read back from
 * the database and checked link by link (`checkChain`); the signatures with the public keys
 * the store holds.
 */
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditLogEntry, StoredAuditCheckpoint } from '@policy-gateway/governance-runtime';
import {
  openPgliteAuditLogDatabase,
  openPostgresAuditLogDatabase,
  PostgresAuditCheckpointRepository,
  PostgresAuditLogEntryRepository,
} from '@policy-gateway/governance-runtime/postgres';
import {
  allEntries,
  chainsOf,
  checkChain,
  createTestDatabase,
} from '@policy-gateway/governance-runtime/testing';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import {
  evaluate,
  type GatewayEnv,
  type GatewayProcess,
  runCli,
  startGateway,
} from './support/gateway-process.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgw-chain-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function gateway(env: GatewayEnv): Promise<GatewayProcess> {
  const started = await startGateway(env);
  cleanups.push(async () => {
    if (started.child.exitCode === null && started.child.signalCode === null) {
      await started.kill('SIGKILL');
    }
  });
  return started;
}

interface ReadyChain {
  chain_id: string;
  signing_key_id: string;
  signing_key_source: string;
  last_checkpoint_seq: number;
  sealed_at_start: number;
}

async function readyChain(url: string): Promise<ReadyChain> {
  const ready = (await (await fetch(`${url}/ready`)).json()) as { audit_chain: ReadyChain };
  return ready.audit_chain;
}

/**
 * `count` evaluations, six at a time (within the admission's per-client bound of eight, so
 * that none is refused as TOO_MANY_EVALUATIONS); the statuses, 0 for a connection that died.
 */
async function load(url: string, count: number, user = 'chain-user'): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next;
      next += 1;
      try {
        statuses[i] = (await evaluate(url, { prompt: `prompt ${i}`, user_id: user })).status;
      } catch {
        statuses[i] = 0;
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return statuses;
}

interface Trail {
  readonly entries: AuditLogEntry[];
  readonly checkpoints: StoredAuditCheckpoint[];
  readonly keys: Map<string, string>;
}

async function readTrail(db: Kysely<never>): Promise<Trail> {
  const typed = db as unknown as ConstructorParameters<typeof PostgresAuditLogEntryRepository>[0];
  const checkpoints = new PostgresAuditCheckpointRepository(typed);
  return {
    entries: await allEntries(new PostgresAuditLogEntryRepository(typed)),
    checkpoints: await checkpoints.checkpoints(),
    keys: new Map((await checkpoints.signingKeys()).map((k) => [k.keyId, k.publicKeyPem])),
  };
}

/** Every chain whole, every checkpoint signed by a stored key and naming a stored head. */
function expectSoundTrail(trail: Trail): Map<string, AuditLogEntry[]> {
  const chains = chainsOf(trail.entries);
  for (const [chainId, entries] of chains) {
    expect(checkChain(chainId, entries).problems, chainId).toEqual([]);
  }
  for (const checkpoint of trail.checkpoints) {
    const key = trail.keys.get(checkpoint.keyId);
    expect(key, `key of ${checkpoint.id}`).toBeDefined();
    const signed = Buffer.from(checkpoint.payload, 'utf8');
    const signature = Buffer.from(checkpoint.signature, 'base64');
    expect(verify(null, signed, createPublicKey(key!), signature), checkpoint.id).toBe(true);
    const entry = chains.get(checkpoint.chainId)?.[checkpoint.seq - 1];
    expect(entry?.chain?.entryHash, `head of ${checkpoint.id}`).toBe(checkpoint.entryHash);
  }
  return chains;
}

function headCovered(trail: Trail, chainId: string, seq: number): StoredAuditCheckpoint[] {
  return trail.checkpoints.filter((c) => c.chainId === chainId && c.seq === seq);
}

describe('the audit chain on the embedded database', () => {
  it('survives a SIGKILL in the middle of load: no gap, and the next gateway seals the tail', async () => {
    const dataDir = scratchDir();
    const env = {
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'embedded',
      POLICY_GATEWAY_DATA_DIR: dataDir,
      // None before the kill: what the killed process wrote is all uncovered tail.
      POLICY_GATEWAY_AUDIT_CHECKPOINT_EVERY_ENTRIES: '1000',
    };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const first = await gateway(env);
    const firstChain = await readyChain(first.url);
    expect(firstChain).toMatchObject({ signing_key_source: 'generated', sealed_at_start: 0 });
    // The generated key is the owner's alone.
    expect(statSync(join(dataDir, 'audit-signing-key.pem')).mode & 0o777).toBe(0o600);
    expect((await load(first.url, 20)).every((s) => s === 200)).toBe(true);
    const killed = load(first.url, 40);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await first.kill('SIGKILL')).toBe('SIGKILL');
    await killed;

    const second = await gateway(env);
    const secondChain = await readyChain(second.url);
    expect(secondChain.chain_id).not.toBe(firstChain.chain_id);
    expect(secondChain.signing_key_id).toBe(firstChain.signing_key_id);
    expect(secondChain.sealed_at_start).toBe(1);
    expect((await load(second.url, 10)).every((s) => s === 200)).toBe(true);
    expect(await second.kill('SIGTERM')).toBe(0);

    const { db } = await openPgliteAuditLogDatabase(`${dataDir}/pglite`);
    try {
      const trail = await readTrail(db as unknown as Kysely<never>);
      const chains = expectSoundTrail(trail);
      const old = chains.get(firstChain.chain_id)!;
      expect(old.length).toBeGreaterThanOrEqual(20);
      const seals = headCovered(trail, firstChain.chain_id, old.length);
      expect(seals.map((c) => c.reason)).toContain('recovery');
      const current = chains.get(secondChain.chain_id)!;
      expect(current).toHaveLength(10);
      // The final checkpoint at the head on SIGTERM, naming none before it.
      expect(
        trail.checkpoints
          .filter((c) => c.chainId === secondChain.chain_id)
          .map((c) => [c.seq, c.reason, c.final, c.prevCheckpointId]),
      ).toEqual([[10, 'final', true, null]]);
    } finally {
      await db.destroy();
    }
  }, 240_000);
});

describe('the audit chain on a PostgreSQL server', () => {
  it('keeps two replicas in two whole chains, seals a killed one at the next start and never a live one', async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const keyDir = scratchDir();
    const keyFile = join(keyDir, 'signing.pem');
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const env = {
      POLICY_GATEWAY_DATABASE_URL: database.url,
      POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE: keyFile,
      POLICY_GATEWAY_DATA_DIR: keyDir,
      POLICY_GATEWAY_AUDIT_CHECKPOINT_EVERY_ENTRIES: '1000',
    };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const [a, b] = await Promise.all([gateway(env), gateway(env)]);
    const [chainA, chainB] = await Promise.all([readyChain(a.url), readyChain(b.url)]);
    expect(chainA.signing_key_source).toBe('file');
    expect(chainA.signing_key_id).toBe(chainB.signing_key_id);

    expect((await load(a.url, 5, 'a-user')).every((s) => s === 200)).toBe(true);
    const loadB = load(b.url, 60, 'b-user');
    const loadA = load(a.url, 60, 'a-user');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await a.kill('SIGKILL')).toBe('SIGKILL');
    await loadA;
    expect((await loadB).every((s) => s === 200)).toBe(true);

    // A third replica starts while b still writes: it seals a's chain, not b's.
    const c = await gateway(env);
    expect((await readyChain(c.url)).sealed_at_start).toBe(1);
    expect((await load(c.url, 5, 'c-user')).every((s) => s === 200)).toBe(true);
    expect((await load(b.url, 5, 'b-user')).every((s) => s === 200)).toBe(true);
    expect(await b.kill('SIGTERM')).toBe(0);
    expect(await c.kill('SIGTERM')).toBe(0);

    const db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
    try {
      const trail = await readTrail(db as unknown as Kysely<never>);
      const chains = expectSoundTrail(trail);
      expect(chains.get(chainB.chain_id)).toHaveLength(65);
      const sealsOfB = trail.checkpoints.filter(
        (cp) => cp.chainId === chainB.chain_id && cp.reason === 'recovery',
      );
      expect(sealsOfB).toEqual([]);
      const ofA = chains.get(chainA.chain_id) ?? [];
      expect(ofA.length).toBeGreaterThanOrEqual(5);
      expect(headCovered(trail, chainA.chain_id, ofA.length).map((cp) => cp.reason)).toEqual([
        'recovery',
      ]);
      // Every chain's head is covered by a signed checkpoint once all have stopped.
      for (const [chainId, entries] of chains) {
        expect(headCovered(trail, chainId, entries.length).length, chainId).toBeGreaterThan(0);
      }
    } finally {
      await db.destroy();
    }
  }, 240_000);

  it('refuses to start with a signing key file that is not an Ed25519 private key, in one line', async () => {
    const dir = scratchDir();
    const keyFile = join(dir, 'rsa.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const result = await runCli(['serve'], {
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory',
      POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE: keyFile,
      POLICY_GATEWAY_PORT: '0',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('an Ed25519 private key is needed, this one is rsa');
  });
});
