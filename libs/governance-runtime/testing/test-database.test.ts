/**
 * The test-database helpers other packages rely on: fresh databases on the configured
 * server, and an embedded server when none is configured, which also starts as root
 * from a clone other accounts cannot read, and does not outlive a killed test run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from './create-test-database.js';
import { startEmbeddedTestServer } from './embedded-test-server.js';
import { copyPostgresBinaries, findPostgresBinaries } from './postgres-binaries.js';
import { serverAccount } from './server-account.js';

const asRoot = process.getuid?.() === 0;

async function queryOnce<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

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

  it('lets the connections of a pool that just ended close before it drops the database', async () => {
    const database = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    const errors: Error[] = [];
    // What a pool without a listener would throw as an uncaught exception.
    pool.on('error', (error) => errors.push(error));
    const clients = await Promise.all([1, 2, 3, 4].map(() => pool.connect()));
    for (const client of clients) client.release();
    await pool.end();
    await database.drop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(errors.map((error) => error.message)).toEqual([]);
  });

  it('still drops a database a test left a session open on', async () => {
    const database = await createTestDatabase();
    const left = new pg.Client({ connectionString: database.url });
    const ended = new Promise<Error>((resolve) => left.on('error', resolve));
    await left.connect();
    await database.drop();
    expect((await ended).message).toMatch(/terminating connection/);
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
    const dataDir = dataDirs[0]!.data_directory;
    // As root the server runs as an unprivileged account, which owns its data.
    expect(statSync(dataDir).uid).toBe(serverAccount()?.uid ?? process.getuid?.());
    expect(statSync(dataDir).uid).not.toBe(0);
    await server.stop();
    expect(existsSync(dataDir)).toBe(false);
    await expect(
      queryOnce(`postgres://postgres@127.0.0.1:${port}/postgres`, 'select 1'),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it('stops and removes, on its next start, a server whose test process was SIGKILLed', async () => {
    const module = fileURLToPath(new URL('./embedded-test-server.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { startEmbeddedTestServer } = await import(${JSON.stringify(module)});
         const server = await startEmbeddedTestServer();
         console.log(server.url);
         setInterval(() => undefined, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const orphanUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before starting`)));
    });
    const orphanDir = (
      await queryOnce<{ data_directory: string }>(orphanUrl, 'show data_directory')
    )[0]!.data_directory;
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // SIGKILL runs no exit hook: the server outlives its process…
    await expect(queryOnce(orphanUrl, 'select 1')).resolves.toHaveLength(1);
    // …until the next start finds it.
    const next = await startEmbeddedTestServer();
    try {
      expect(existsSync(orphanDir)).toBe(false);
      await expect(queryOnce(orphanUrl, 'select 1')).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await next.stop();
    }
  });
});

describe('copyPostgresBinaries', () => {
  it('makes a copy the server account can run, even of binaries only their owner could read', async () => {
    const installed = await findPostgresBinaries();
    // A clone made under umask 077, in a home directory other accounts cannot enter.
    // (A real copy: copyPostgresBinaries would hard-link, and the chmod reach the originals.)
    const home = mkdtempSync(join(tmpdir(), 'governance-runtime-test-home-'));
    scratch.push(home);
    const installation = dirname(dirname(installed.postgres));
    cpSync(installation, join(home, 'pg'), { recursive: true, verbatimSymlinks: true });
    expect(spawnSync('chmod', ['-R', 'go-rwx', home]).status).toBe(0);
    const privateCopy = {
      initdb: join(home, 'pg', relative(installation, installed.initdb)),
      postgres: join(home, 'pg', relative(installation, installed.postgres)),
    };

    const target = mkdtempSync(join(tmpdir(), 'governance-runtime-test-copy-'));
    scratch.push(target);
    chmodSync(target, 0o755);
    const copy = copyPostgresBinaries(privateCopy, join(target, 'pg'));

    const account = serverAccount();
    const run = (binary: string) =>
      spawnSync(binary, ['--version'], {
        encoding: 'utf8',
        ...(account === undefined ? {} : { uid: account.uid, gid: account.gid }),
      });
    if (asRoot) expect(run(privateCopy.postgres).error?.message).toMatch(/EACCES/);
    expect(run(copy.postgres).stdout).toMatch(/^postgres \(PostgreSQL\) \d+/);
    expect(run(copy.initdb).stdout).toMatch(/^initdb \(PostgreSQL\) \d+/);
    // The source is left as it was.
    expect(statSync(privateCopy.postgres).mode & 0o077).toBe(0);
  });
});

describe('serverAccount', () => {
  it('is the current user when not root, else the first existing unprivileged candidate', () => {
    if (!asRoot) {
      expect(serverAccount()).toBeUndefined();
      return;
    }
    const nobody = serverAccount(['no-such-account-for-tests', 'root', 'nobody']);
    expect(nobody?.name).toBe('nobody');
    expect(nobody?.uid).not.toBe(0);
    expect(() => serverAccount(['no-such-account-for-tests'])).toThrow(
      /no-such-account-for-tests exists.*POLICY_GATEWAY_TEST_DATABASE_URL/,
    );
  });
});
