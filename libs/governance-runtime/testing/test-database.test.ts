/**
 * The test-database helpers other packages rely on: fresh databases on the configured
 * server, and an embedded server when none is configured.
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './create-test-database.js';
import { startEmbeddedTestServer } from './embedded-test-server.js';

async function queryOnce<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  it('creates a separate, empty database per call and drops it afterwards', async () => {
    const [a, b] = [await createTestDatabase(), await createTestDatabase()];
    expect(a.url).not.toBe(b.url);
    await queryOnce(a.url, 'create table only_in_a (x int)');
    const tables = await queryOnce<{ n: number }>(
      b.url,
      "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
    );
    expect(tables[0]?.n).toBe(0);
    const name = new URL(a.url).pathname.slice(1);
    await a.drop();
    await b.drop();
    const left = await queryOnce<{ datname: string }>(
      b.url.replace(/\/[^/]+$/, '/postgres'),
      `select datname from pg_database where datname = '${name}'`,
    );
    expect(left).toEqual([]);
  });
});

describe('startEmbeddedTestServer', () => {
  it('runs a real PostgreSQL server with no configuration and removes it when stopped', async () => {
    const server = await startEmbeddedTestServer();
    const rows = await queryOnce<{ server_version_num: string }>(
      server.url,
      'show server_version_num',
    );
    expect(Number(rows[0]?.server_version_num)).toBeGreaterThanOrEqual(150000);
    const { port } = new URL(server.url);
    const dataDirs = await queryOnce<{ data_directory: string }>(server.url, 'show data_directory');
    await server.stop();
    expect(existsSync(dataDirs[0]!.data_directory)).toBe(false);
    await expect(
      queryOnce(`postgres://postgres@127.0.0.1:${port}/postgres`, 'select 1'),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
