/**
 * `policy-gateway audit rotate-key` as an operator runs it (issue 11): real `serve` processes
 * on a PostgreSQL server sign checkpoints with the generated key, the command replaces it, the
 * next start signs with the new one, and `audit verify` finds the trail intact with checkpoints
 * from both keys, which `audit public-key` exports; a key the operator gives is left alone.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, runCli, startGateway } from './support/gateway-process.js';

let database: TestDatabase;
let env: Record<string, string>;
let dataDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'policy-gateway-rotate-key-'));
  env = {
    POLICY_GATEWAY_DATA_DIR: dataDir,
    POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
    POLICY_GATEWAY_DATABASE_URL: database.url,
    POLICY_GATEWAY_AUDIT_CHECKPOINT_EVERY_ENTRIES: '3',
  };
  const migrated = await runCli(['migrate'], env);
  expect(migrated.code, migrated.stdout + migrated.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await database?.drop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/** Starts serve, makes `count` decisions, stops it gracefully (a final checkpoint). */
async function serveDecisions(count: number): Promise<void> {
  const gateway = await startGateway(env);
  for (let i = 0; i < count; i += 1) {
    const answer = await evaluate(gateway.url, { prompt: `hello ${i}`, user_id: 'rotating' });
    expect(answer.status).toBe(200);
  }
  expect(await gateway.kill('SIGTERM')).toBe(0);
}

async function checkpointKeyIds(): Promise<string[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ key_id: string }>(
      'select distinct key_id from audit_checkpoints order by key_id',
    );
    return rows.map((row) => row.key_id);
  } finally {
    await client.end();
  }
}

describe('policy-gateway audit rotate-key', () => {
  it('signs from the next start with a new key while checkpoints of the old one still verify', async () => {
    await serveDecisions(7);
    const keyFile = join(dataDir, 'audit-signing-key.pem');
    const oldPem = await readFile(keyFile, 'utf8');
    const [oldKeyId] = await checkpointKeyIds();

    const rotated = await runCli(['audit', 'rotate-key'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newKeyId = /new checkpoint signing key ([0-9a-f]{32})/.exec(rotated.stdout)?.[1];
    expect(newKeyId).toBeDefined();
    expect(newKeyId).not.toBe(oldKeyId);
    expect(rotated.stdout).toContain(`old key ${oldKeyId}`);
    expect(await readFile(keyFile, 'utf8')).not.toBe(oldPem);

    await serveDecisions(7);
    expect(await checkpointKeyIds()).toEqual([oldKeyId, newKeyId].sort());

    const verified = await runCli(['audit', 'verify'], env);
    expect(verified.stdout).toMatch(/^checked 14 entries in 2 chains, \d+ checkpoints: intact\n$/);
    expect(verified.code).toBe(0);

    const exported = await runCli(['audit', 'public-key'], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`key_id ${oldKeyId}\n-----BEGIN PUBLIC KEY-----`);
    expect(exported.stdout).toContain(`key_id ${newKeyId}\n-----BEGIN PUBLIC KEY-----`);
    // What was exported is all a verifier elsewhere needs, for both keys' checkpoints.
    const publicKeys = join(dataDir, 'exported-public-keys.pem');
    await writeFile(publicKeys, exported.stdout);
    const offline = await runCli(['audit', 'verify', '--public-key', publicKeys], env);
    expect(offline.stdout).toMatch(/ in 2 chains, \d+ checkpoints: intact\n$/);
    expect(offline.code).toBe(0);
  }, 240_000);

  it("leaves the operator's key file alone and says how to rotate it", async () => {
    const keyFile = join(dataDir, 'audit-signing-key.pem');
    const before = await readFile(keyFile, 'utf8');
    const refused = await runCli(['audit', 'rotate-key'], {
      ...env,
      POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE: keyFile,
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      /^policy-gateway: the signing key comes from POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE \(.*\), which this command does not replace: .*openssl genpkey -algorithm ed25519.*restart the gateway.*\n$/,
    );
    expect(await readFile(keyFile, 'utf8')).toBe(before);
  }, 60_000);

  it('refuses arguments in one line with the usage exit code', async () => {
    const result = await runCli(['audit', 'rotate-key', '--now'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('policy-gateway: audit rotate-key takes no arguments\n');
  }, 60_000);
});
