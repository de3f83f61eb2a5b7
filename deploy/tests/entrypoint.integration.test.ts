// The real entrypoint against a real PostgreSQL database: on a database that needs migrating it
// refuses to start and leaves the schema untouched (the migration is the deployment's separate
// step); once migrated, it serves and drains on SIGTERM with exit 0.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.js';
import { repoPath, repoRoot } from './support/repo-path.js';
import { runProcess } from './support/run-process.js';
import { userTables } from './support/user-tables.js';

const entrypoint = repoPath('services/policy-gateway/entrypoint.sh');

let database: TestDatabase;
let dataDir: string;

beforeEach(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'entrypoint-data-'));
});

afterEach(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The container's environment: `policy-gateway` on PATH, as the image links it. */
function containerEnv(port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${repoPath('node_modules/.bin')}:${process.env.PATH ?? ''}`,
    POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
    // The form compose.yaml uses, accepted as written.
    POLICY_GATEWAY_DATABASE_URL: database.url.replace(/^postgres(ql)?:/, 'postgresql+asyncpg:'),
    POLICY_GATEWAY_HOST: '127.0.0.1',
    POLICY_GATEWAY_PORT: String(port),
    POLICY_GATEWAY_DATA_DIR: dataDir,
  };
}

async function readyStatus(port: number): Promise<number | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/ready`, {
      signal: AbortSignal.timeout(2_000),
    });
    return response.status;
  } catch {
    return undefined;
  }
}

describe('entrypoint.sh with a real database', () => {
  it('refuses a database that needs migrating, says to migrate, and leaves it unmigrated', async () => {
    const port = await freePort();
    const result = await runProcess('sh', [entrypoint], {
      cwd: repoRoot,
      env: containerEnv(port),
      timeoutMs: 60_000,
    });
    expect(result.timedOut).toBe(false);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('policy-gateway migrate');
    expect(await userTables(database.url)).toEqual([]);
  });

  it('serves a migrated database and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const migrated = await runProcess(
      process.execPath,
      [repoPath('services/policy-gateway/bin/policy-gateway.js'), 'migrate'],
      { cwd: repoRoot, env: containerEnv(port), timeoutMs: 60_000 },
    );
    expect(migrated.code).toBe(0);

    const child = spawn('sh', [entrypoint], {
      cwd: repoRoot,
      env: containerEnv(port),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      // Starting takes seconds on a quiet machine and a minute or more on a loaded one.
      const deadline = Date.now() + 120_000;
      let status: number | undefined;
      while (Date.now() < deadline && child.exitCode === null) {
        status = await readyStatus(port);
        if (status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(status, stderr).toBe(200);
      child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<'still running'>((resolve) =>
          setTimeout(() => resolve('still running'), 30_000),
        ),
      ]);
      expect(code, stderr).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 240_000);
});
