/**
 * Audit reads on a real streaming replica (POLICY_GATEWAY_READ_DATABASE_URL): the script in
 * deploy/scripts starts a scratch primary and a hot standby following it with the machine's
 * PostgreSQL binaries, and the real `policy-gateway serve` runs against both, started before
 * the replica is up. Replay is paused on the replica to show where each read is served; then
 * the replica is stopped and started again.
 *
 * The scratch primary, rather than the shared test server: a base backup copies a whole
 * server (others' databases included) and needs a `replication` line in its pg_hba.conf,
 * which the shared server's configuration does not have and a test must not add.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase } from '@policy-gateway/governance-runtime/testing';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnusableSettingError } from '../src/config/unusable-setting-error.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import {
  auditEntries,
  evaluate,
  type GatewayProcess,
  runCli,
  startGateway,
} from './support/gateway-process.js';

const SCRIPT = fileURLToPath(
  new URL('../../../deploy/scripts/start-streaming-replica.sh', import.meta.url),
);

async function script(...args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('bash', [SCRIPT, ...args]);
    return stdout.trim();
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`start-streaming-replica.sh ${args[0]} failed: ${stderr ?? String(error)}`);
  }
}

async function onServer<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** A port nobody listens on now, for the replica the gateway is told of before it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Polls `probe` until it returns true, for at most `ms`. */
async function eventually(probe: () => Promise<boolean>, what: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface ReadyBody extends Record<string, unknown> {
  readonly read_replica?: { readonly serving_reads?: boolean };
}

async function ready(url: string): Promise<{ status: number; body: ReadyBody }> {
  const response = await fetch(`${url}/ready`);
  return { status: response.status, body: (await response.json()) as ReadyBody };
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  // Every step runs even when one fails: no server may outlive the test run.
  const failures: unknown[] = [];
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'cleaning up the replica failed');
});

let root: string;
let primaryUrl: string;
let replicaPort: number;
let replicaUrl: string;
let gateway: GatewayProcess;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pgw-read-replica-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  // As root, the servers run as the `postgres` account, which must reach their directories.
  chmodSync(root, 0o755);
  const primaryDir = join(root, 'primary');
  const replicaDir = join(root, 'replica');
  cleanups.push(() => script('clean', '--dir', primaryDir));
  primaryUrl = await script('start-primary', '--dir', primaryDir);
  const migrate = await runCli(['migrate'], { POLICY_GATEWAY_DATABASE_URL: primaryUrl });
  if (migrate.code !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
  cleanups.push(() => script('clean', '--dir', replicaDir));
  // The gateway starts before its replica does, as after a replica's outage or with a replica
  // that is still being made: the replica's URL is known ahead by its port.
  replicaPort = await freePort();
  replicaUrl = `postgresql://postgres@127.0.0.1:${replicaPort}/postgres`;
  gateway = await startGateway({
    POLICY_GATEWAY_DATABASE_URL: primaryUrl,
    POLICY_GATEWAY_READ_DATABASE_URL: replicaUrl,
  });
  cleanups.push(async () => {
    if (gateway.child.exitCode === null && gateway.child.signalCode === null) {
      await gateway.kill('SIGKILL');
    }
  });
}, 120_000);

let first: { status: number; body: Record<string, unknown> };

describe('audit reads on a streaming replica', () => {
  it('starts while the replica is not up yet, reading from the primary', async () => {
    first = await evaluate(gateway.url, { prompt: 'hello', user_id: 'replica-user' });
    expect(first.status).toBe(200);
    expect((await auditEntries(gateway.url)).map((entry) => entry.id)).toEqual([
      first.body.audit_id,
    ]);
    const down = await ready(gateway.url);
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({
      status: 'ready',
      read_replica: { reachable: false, serving_reads: false },
    });
  });

  it('lists from the replica once it is up, and finds by id on the primary an entry the replica has not replayed', async () => {
    const printed = await script(
      'start',
      '--primary',
      primaryUrl,
      '--dir',
      join(root, 'replica'),
      '--port',
      String(replicaPort),
    );
    expect(printed).toBe(replicaUrl);
    // The base backup holds the first entry; replay stops before any later one.
    await onServer(replicaUrl, 'select pg_wal_replay_pause()');
    await eventually(
      async () =>
        (
          await onServer<{ state: string }>(
            replicaUrl,
            'select pg_get_wal_replay_pause_state() as state',
          )
        )[0]?.state === 'paused',
      'replay pausing',
    );
    const second = await evaluate(gateway.url, { prompt: 'again', user_id: 'replica-user' });
    expect(second.status).toBe(200);
    const id = String(second.body.audit_id);

    // Once the gateway tries the replica again (it was left alone after failing), the list is
    // the replica's, which has not replayed the second decision...
    await eventually(
      async () => (await auditEntries(gateway.url)).length === 1,
      'the list coming from the replica',
    );
    expect((await auditEntries(gateway.url)).map((entry) => entry.id)).toEqual([
      first.body.audit_id,
    ]);
    const readers = await onServer<{ count: string }>(
      replicaUrl,
      "select count(*) from pg_stat_activity where application_name = 'policy-gateway read'",
    );
    expect(Number(readers[0]?.count)).toBeGreaterThan(0);
    expect(gateway.output()).toContain('answers again; audit reads go to it');
    // ...but the client that was just answered finds its entry.
    const byId = await fetch(`${gateway.url}/governance/audit/${id}`);
    expect(byId.status).toBe(200);
    expect(await byId.json()).toMatchObject({
      id,
      user_id: 'replica-user',
      input: { prompt: 'again' },
    });
    const paused = await ready(gateway.url);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      status: 'ready',
      read_replica: {
        reachable: true,
        serving_reads: true,
        in_recovery: true,
        replay_paused: true,
      },
    });
    expect(paused.body.warnings).toContain(
      'the read replica has paused its replay: lists of the audit trail lag behind',
    );

    await onServer(replicaUrl, 'select pg_wal_replay_resume()');
    await eventually(
      async () => (await auditEntries(gateway.url)).length === 2,
      'the replica catching up after replay resumed',
    );
    const caughtUp = await ready(gateway.url);
    expect(caughtUp.body).toMatchObject({
      read_replica: { reachable: true, serving_reads: true, replay_paused: false },
    });
  });

  it('reads from the primary while the replica is down, and says so in /ready', async () => {
    const logged = gateway.output().length;
    await script('stop', '--dir', join(root, 'replica'));
    const third = await evaluate(gateway.url, { prompt: 'third', user_id: 'replica-user' });
    expect(third.status).toBe(200);
    const entries = await auditEntries(gateway.url);
    expect(entries.map((entry) => entry.id)[0]).toBe(third.body.audit_id);
    expect(entries).toHaveLength(3);
    const down = await ready(gateway.url);
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({
      status: 'ready',
      read_replica: { reachable: false, serving_reads: false },
    });
    expect(String(down.body.warnings)).toMatch(
      /the read replica is not serving reads \(.+\): audit reads go to the primary/,
    );
    expect(gateway.output().slice(logged)).toContain('audit reads go to the primary');
  });

  it('goes back to the replica once it answers again', async () => {
    const logged = gateway.output().length;
    await script('restart', '--dir', join(root, 'replica'));
    await eventually(
      async () => (await ready(gateway.url)).body.read_replica?.serving_reads === true,
      'the replica serving reads again',
    );
    await eventually(
      async () => (await auditEntries(gateway.url)).length === 3,
      'the replica catching up after its restart',
    );
    await onServer(replicaUrl, 'select pg_wal_replay_pause()');
    await eventually(
      async () =>
        (
          await onServer<{ state: string }>(
            replicaUrl,
            'select pg_get_wal_replay_pause_state() as state',
          )
        )[0]?.state === 'paused',
      'replay pausing',
    );
    expect((await evaluate(gateway.url, { prompt: 'fourth', user_id: 'u' })).status).toBe(200);
    // Served by the replica again: the list lags behind the primary.
    expect(await auditEntries(gateway.url)).toHaveLength(3);
    expect(gateway.output().slice(logged)).toContain('answers again; audit reads go to it');
    await onServer(replicaUrl, 'select pg_wal_replay_resume()');
  });
});

describe('a read URL that is not a replica of the primary', () => {
  it('is refused at start in one line naming the setting', async () => {
    const other = await createTestDatabase();
    cleanups.push(() => other.drop());
    const opening = openAuditStore(
      {
        backend: 'postgres',
        databaseUrl: primaryUrl,
        redactedDatabaseUrl: primaryUrl,
        poolSize: 2,
        connect: { maxWaitMs: 5_000, initialBackoffMs: 100, operationTimeoutMs: 5_000 },
        readReplica: { databaseUrl: other.url, redactedDatabaseUrl: other.url },
      },
      pino({ level: 'silent' }),
    );
    const refusal = await opening.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(UnusableSettingError);
    const { message } = refusal as UnusableSettingError;
    expect(message).toMatch(
      /^POLICY_GATEWAY_READ_DATABASE_URL .* is not a replica of POLICY_GATEWAY_DATABASE_URL \(another PostgreSQL system/,
    );
    expect(message).not.toContain('\n');
  });
});
