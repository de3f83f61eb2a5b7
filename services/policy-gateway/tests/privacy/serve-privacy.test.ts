// `policy-gateway serve` masks what it stores, on the embedded database and on a PostgreSQL
// server: the real command runs as a child process, a decision on a prompt holding a card
// number and an e-mail address is read back over HTTP (markers in place, masking recorded, the
// original sealed), and the database row is then read directly: neither is in it.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditEntry } from '@policy-gateway/gateway-contract';
import { createTestDatabase } from '@policy-gateway/governance-runtime/testing';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';
import { openDatabase } from '../../src/db/database.js';
import { evaluate, type GatewayEnv, runCli, startGateway } from '../support/gateway-process.js';

const CARD = '4111 1111 1111 1111';
const EMAIL = 'jane.doe@example.com';
const silent = { info: () => {}, warn: () => {}, error: () => {} } as never;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pgw-serve-privacy-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The stored row, every column as text, read with no gateway running. */
async function storedRow(env: GatewayEnv, id: string): Promise<string> {
  const { store } = loadSettings(env);
  if (store.backend === 'memory') throw new Error('a database backend was expected');
  const database = await openDatabase(store, { log: silent, forMigrations: true });
  try {
    const { rows } = await sql<{ row: string }>`
      select t::text as row from audit_log_entries t where id = ${id}::uuid`.execute(database.db);
    expect(rows).toHaveLength(1);
    return rows[0]!.row;
  } finally {
    await database.close();
  }
}

describe.each([
  {
    name: 'embedded (npm start)',
    env: async (): Promise<GatewayEnv> => ({
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'embedded',
      POLICY_GATEWAY_DATA_DIR: dataDir(),
    }),
  },
  {
    name: 'PostgreSQL',
    env: async (): Promise<GatewayEnv> => {
      const database = await createTestDatabase();
      cleanups.push(() => database.drop());
      return { POLICY_GATEWAY_DATABASE_URL: database.url, POLICY_GATEWAY_DATA_DIR: dataDir() };
    },
  },
])('serve on $name', ({ env: makeEnv }) => {
  it('stores a prompt with a card number and an e-mail masked, the original sealed under a generated key', async () => {
    const env = await makeEnv();
    const migrate = await runCli(['migrate'], env);
    expect(migrate.code, migrate.stderr).toBe(0);
    const gateway = await startGateway(env);
    let id: string;
    try {
      const decided = await evaluate(gateway.url, {
        prompt: `Charge card ${CARD} and mail the receipt to ${EMAIL}`,
        user_id: 'u-serve-privacy',
      });
      expect(decided.status).toBe(200);
      id = decided.body.audit_id as string;
      const response = await fetch(`${gateway.url}/governance/audit/${id}`);
      expect(response.status).toBe(200);
      const entry = (await response.json()) as AuditEntry;
      expect((entry.input as { prompt: string }).prompt).toBe(
        'Charge card [pii.payment_card] and mail the receipt to [pii.email]',
      );
      expect(entry.masking).toEqual({
        erased: [],
        masked: [],
        redacted: [
          { code: 'pii.email', count: 1 },
          { code: 'pii.payment_card', count: 1 },
        ],
      });
      expect(entry.sealed_original).toMatchObject({ v: 1, key_id: expect.any(String) });
      expect(JSON.stringify(entry.result)).not.toContain('redact');
    } finally {
      expect(await gateway.kill('SIGTERM')).toBe(0);
    }
    const row = await storedRow(env, id);
    expect(row).toContain('[pii.payment_card]');
    expect(row.includes(CARD)).toBe(false);
    expect(row.includes(CARD.replaceAll(' ', ''))).toBe(false);
    expect(row.includes(EMAIL)).toBe(false);
    const dir = env.POLICY_GATEWAY_DATA_DIR!;
    expect(existsSync(path.join(dir, 'subject-kek.key'))).toBe(true);
    expect(readdirSync(path.join(dir, 'subject-keys'))).toHaveLength(1);
  }, 180_000);
});
