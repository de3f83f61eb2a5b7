/**
 * `policy-gateway keys create|list|revoke` as operators and deployment jobs run it: the real
 * command against a real PostgreSQL database. The key printed once authenticates; listings
 * never show it; revocation holds on the next use; bad usage is one line and exit 2.
 */
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator } from '../src/auth/api-key-authenticator.js';
import { PostgresApiKeyRepository } from '../src/auth/postgres/postgres-api-key-repository.js';
import { parseKeysArgs } from '../src/keys-commands.js';
import { type GatewayEnv, runCli } from './support/gateway-process.js';

let database: TestDatabase;
let env: GatewayEnv;
let db: Kysely<unknown>;

beforeAll(async () => {
  database = await createTestDatabase();
  env = { POLICY_GATEWAY_DATABASE_URL: database.url, POLICY_GATEWAY_LOG_LEVEL: 'warn' };
  db = new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }),
  });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('policy-gateway keys', () => {
  it('refuses to make keys before the schema is migrated, saying what to run', async () => {
    const result = await runCli(['keys', 'create', '--role', 'admin'], env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('policy-gateway migrate');
  });

  it('creates a key printed once as one JSON object, which then authenticates', async () => {
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const result = await runCli(
      ['keys', 'create', '--role', 'admin', '--name', 'bootstrap', '--expires', '90d', '--json'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const created = JSON.parse(lines[0] ?? '') as Record<string, string>;
    expect(Object.keys(created).sort()).toEqual(['expires_at', 'id', 'key', 'name', 'role']);
    expect(created).toMatchObject({ role: 'admin', name: 'bootstrap' });
    const authenticator = new ApiKeyAuthenticator(PostgresApiKeyRepository.over(db));
    const { principal } = await authenticator.authenticate(created.key ?? '');
    expect(principal).toMatchObject({ id: `key:${created.id}`, roles: ['admin'] });

    const listed = await runCli(['keys', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(created.id);
    expect(listed.stdout).not.toContain(created.key);
    expect(JSON.parse(listed.stdout).keys[0]).toMatchObject({
      id: created.id,
      role: 'admin',
      revoked_at: null,
    });
    const table = await runCli(['keys', 'list'], env);
    expect(table.stdout).toContain(created.id);
    expect(table.stdout).not.toContain(created.key);

    const revoked = await runCli(['keys', 'revoke', created.id ?? ''], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain('revoked');
    expect((await authenticator.authenticate(created.key ?? '')).principal).toBeUndefined();
  });

  it('prints a human-readable key without --json', async () => {
    const result = await runCli(['keys', 'create', '--role', 'evaluator'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\npgw_[0-9A-Za-z]{12}_[0-9A-Za-z]{43}\n$/);
  });

  it.each([
    { args: ['create'], note: 'no role' },
    { args: ['create', '--role', 'root'], note: 'unknown role' },
    { args: ['create', '--role', 'admin', '--expires', '1y'], note: 'bad expiry' },
    { args: ['create', '--role', 'admin', '--colour', 'red'], note: 'unknown option' },
    { args: ['create', '--role'], note: 'option without value' },
    { args: ['create', '--role', 'admin', '--role', 'auditor'], note: 'option twice' },
    { args: ['create', '--role', 'admin', '--name', ' '], note: 'blank name' },
    { args: ['revoke'], note: 'no id' },
    { args: ['revoke', 'not-an-id'], note: 'malformed id' },
    { args: ['list', '--all'], note: 'unknown list option' },
    { args: ['rotate'], note: 'unknown action' },
  ])('reads bad usage ($note) as one line of error', ({ args }) => {
    const parsed = parseKeysArgs(args);
    expect(parsed).toHaveProperty('error');
    expect((parsed as { error: string }).error).not.toContain('\n');
  });

  it('answers bad usage with one line and exit 2, touching no database', async () => {
    const result = await runCli(['keys', 'create', '--role', 'root'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'policy-gateway: keys create: unknown role "root": expected evaluator, auditor, admin, privacy-officer\n',
    );
  });

  it('says so in one line when the key to revoke does not exist', async () => {
    const result = await runCli(['keys', 'revoke', 'NoSuchKey123'], env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('policy-gateway: no API key NoSuchKey123');
  });

  it('refuses the memory store, which keeps no keys, saying what to set', async () => {
    const result = await runCli(['keys', 'list'], { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('POLICY_GATEWAY_AUDIT_STORE_BACKEND=embedded');
  });
});
