// `policy-gateway audit verify | public-key | verify-proof` as an operator runs them: the real
// command in a child process, against a real PostgreSQL database holding a signed chain,
// found through the same POLICY_GATEWAY_* settings the gateway uses.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAuditEntryProof, isAuditEntryProofRefusal } from '@policy-gateway/governance-runtime';
import {
  type AuditLogDatabase,
  openPostgresAuditLogDatabase,
  PostgresAuditTrailReader,
} from '@policy-gateway/governance-runtime/postgres';
import {
  createTestDatabase,
  migrateAuditLogToLatest,
  newSigningKeyPair,
  SignedChainFixture,
  type SigningKeyPair,
  type TestDatabase,
} from '@policy-gateway/governance-runtime/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/gateway-process.js';

let database: TestDatabase;
let db: Kysely<AuditLogDatabase>;
let chain: SignedChainFixture;
let key: SigningKeyPair;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
  await migrateAuditLogToLatest(db);
  key = newSigningKeyPair();
  chain = new SignedChainFixture(db, key);
  await chain.registerKey();
  await chain.append(10);
  await chain.checkpoint();
  await chain.append(10);
  await chain.checkpoint({ final: true });
  dir = await mkdtemp(join(tmpdir(), 'policy-gateway-audit-commands-'));
  env = {
    POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
    POLICY_GATEWAY_DATABASE_URL: database.url,
  };
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Changes an entry as a superuser past any trigger, runs `fn`, and puts it back. */
async function whileAltered<T>(entryId: string, fn: () => Promise<T>): Promise<T> {
  const change = (to: string) =>
    sql`update audit_log_entries set user_id = ${to} where id = ${entryId}::uuid`;
  const original = chain.entries.find((e) => e.id === entryId)!.userId;
  await db.connection().execute(async (connection) => {
    await sql`set session_replication_role = replica`.execute(connection);
    await change('mallory').execute(connection);
    await sql`set session_replication_role = origin`.execute(connection);
  });
  try {
    return await fn();
  } finally {
    await db.connection().execute(async (connection) => {
      await sql`set session_replication_role = replica`.execute(connection);
      await change(original).execute(connection);
      await sql`set session_replication_role = origin`.execute(connection);
    });
  }
}

describe('policy-gateway audit verify', () => {
  it('ends with one line saying intact, and exits 0, for an untouched trail', async () => {
    const result = await runCli(['audit', 'verify'], env);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('checked 20 entries in 1 chain, 2 checkpoints: intact\n');
    expect(result.code).toBe(0);
  });

  it('names the altered entry, what is wrong and where, and exits 1', async () => {
    const target = chain.entries[6]!;
    const result = await whileAltered(target.id, () => runCli(['audit', 'verify'], env));
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      'checked 20 entries in 1 chain, 2 checkpoints: NOT INTACT: altered:',
    );
    expect(lines[0]).toContain(`entry ${target.id} at seq 7 of chain ${chain.chainId}`);
  });

  it('trusts only the keys of --public-key FILE, and takes the exported keys as such a file', async () => {
    const exported = await runCli(['audit', 'public-key'], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`key_id ${key.keyId}`);
    expect(exported.stdout).toContain('-----BEGIN PUBLIC KEY-----');
    const ours = join(dir, 'audit-public-key.pem');
    await writeFile(ours, exported.stdout);
    const trusted = await runCli(['audit', 'verify', '--public-key', ours], env);
    expect(trusted.stdout).toContain(': intact');
    expect(trusted.code).toBe(0);

    const theirs = join(dir, 'other-key.pem');
    await writeFile(theirs, newSigningKeyPair().publicKeyPem);
    const untrusted = await runCli(['audit', 'verify', `--public-key=${theirs}`], env);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toContain(`unknown-key (2): checkpoint`);
    expect(untrusted.stdout).toContain(`not among the trusted public keys (${theirs})`);
  });

  it('verifies only the range --since and --until name', async () => {
    const since = chain.entries[12]!.occurredAt;
    const until = chain.entries[14]!.occurredAt;
    const result = await runCli(['audit', 'verify', '--since', since, '--until', until], env);
    expect(result.stdout).toBe(
      `checked 10 entries in 1 chain, 2 checkpoints between ${since} and ${until}: intact\n`,
    );
    expect(result.code).toBe(0);
  });

  it('refuses bad usage with one line and exit 2', async () => {
    for (const args of [
      ['audit', 'verify', '--since', 'yesterday'],
      ['audit', 'verify', '--until'],
      ['audit', 'verify', '--fast'],
      ['audit', 'sign'],
      ['audit', 'verify-proof'],
    ]) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stdout).toBe('');
    }
  });
});

describe('policy-gateway audit verify-proof', () => {
  it('says valid for a proof the store built, and INVALID once its entry is edited', async () => {
    const proof = await buildAuditEntryProof(new PostgresAuditTrailReader(db), chain.entries[3]!);
    if (isAuditEntryProofRefusal(proof)) throw new Error(proof.message);
    const file = join(dir, 'proof.json');
    await writeFile(file, JSON.stringify(proof));
    const valid = await runCli(['audit', 'verify-proof', file], {});
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(
      new RegExp(
        `^valid: entry ${chain.entries[3]!.id} is seq 4 of chain ${chain.chainId}, unchanged`,
      ),
    );

    const edited = join(dir, 'edited-proof.json');
    await writeFile(
      edited,
      JSON.stringify({ ...proof, entry: { ...proof.entry, decision: 'deny' } }),
    );
    const invalid = await runCli(['audit', 'verify-proof', edited], {});
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/^INVALID: entry .* does not match its digest/);
  });
});
