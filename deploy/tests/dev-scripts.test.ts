// scripts/dev-up.sh, skeleton-up.sh and verify-deployment-flow.sh: valid bash; and dev-up's two
// paths, with a stub `docker` on PATH standing in for an engine (none runs on these machines).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@policy-gateway/governance-runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { repoPath, repoRoot } from './support/repo-path.js';
import { runProcess } from './support/run-process.js';

const scripts = ['dev-up.sh', 'skeleton-up.sh', 'verify-deployment-flow.sh'];
const stubDirectories: string[] = [];

/**
 * A `docker` that logs its arguments; `engine: false` behaves like a client with no engine.
 * `health` is what `docker inspect` reports for the postgres container.
 */
function stubDocker(options: { readonly engine: boolean; readonly health?: string }) {
  const directory = mkdtempSync(join(tmpdir(), 'dev-up-docker-'));
  stubDirectories.push(directory);
  const log = join(directory, 'calls.log');
  writeFileSync(
    join(directory, 'docker'),
    [
      '#!/bin/sh',
      `echo "$*" >> "${log}"`,
      options.engine ? '' : 'exit 1',
      'case "$*" in',
      '  "compose version" | info | "compose -f deploy/compose.yaml up -d postgres") exit 0 ;;',
      '  "compose -f deploy/compose.yaml ps -q postgres") echo 4f2a; exit 0 ;;',
      `  inspect*) echo "${options.health ?? 'healthy'}"; exit 0 ;;`,
      'esac',
      'exit 1',
      '',
    ].join('\n'),
  );
  chmodSync(join(directory, 'docker'), 0o755);
  return {
    path: `${directory}:${process.env.PATH ?? ''}`,
    calls: () => readFileSync(log, 'utf8').trim().split('\n'),
  };
}

function devUp(path: string, env: NodeJS.ProcessEnv = {}) {
  return runProcess('bash', [repoPath('scripts/dev-up.sh')], {
    cwd: repoRoot,
    env: { PATH: path, HOME: process.env.HOME, ...env },
    timeoutMs: 30_000,
  });
}

afterEach(() => {
  for (const directory of stubDirectories.splice(0))
    rmSync(directory, { recursive: true, force: true });
});

describe('root scripts', () => {
  it.each(scripts)('%s parses with bash -n', async (script) => {
    const result = await runProcess('bash', ['-n', repoPath('scripts', script)], {
      timeoutMs: 10_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('skeleton-up checks the schema but never migrates it', () => {
    const commands = readFileSync(repoPath('scripts/skeleton-up.sh'), 'utf8')
      .split('\n')
      .filter((line) => !line.trim().startsWith('#') && /"\$cli" migrate/.test(line));
    expect(commands.length).toBeGreaterThan(0);
    for (const line of commands) expect(line).toMatch(/"\$cli" migrate status/);
  });
});

describe('dev-up with Docker Compose', () => {
  it('starts only the compose postgres service, waits for it to be healthy, and prints its URL', async () => {
    const docker = stubDocker({ engine: true });
    const result = await devUp(docker.path);
    expect(result.code).toBe(0);
    expect(docker.calls()).toContain('compose -f deploy/compose.yaml up -d postgres');
    expect(result.stdout).toContain(
      'export POLICY_GATEWAY_DATABASE_URL=postgresql://policy_user:policy_pass@127.0.0.1:5432/sea_governance',
    );
  });

  it('fails, pointing at the logs, when postgres never becomes healthy', async () => {
    const docker = stubDocker({ engine: true, health: 'starting' });
    const result = await devUp(docker.path, { DEV_UP_WAIT_SECONDS: '2' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('logs postgres');
  });
});

describe('dev-up without a Docker engine', () => {
  it('starts nothing and explains how to set POLICY_GATEWAY_DATABASE_URL, exiting non-zero', async () => {
    const docker = stubDocker({ engine: false });
    const result = await devUp(docker.path);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('export POLICY_GATEWAY_DATABASE_URL=');
    expect(docker.calls().some((call) => call.includes('up'))).toBe(false);
  });

  it('accepts a reachable server named by POLICY_GATEWAY_DATABASE_URL, in the asyncpg form too', async () => {
    const docker = stubDocker({ engine: false });
    const server = process.env.POLICY_GATEWAY_TEST_DATABASE_URL ?? '';
    const result = await devUp(docker.path, {
      POLICY_GATEWAY_DATABASE_URL: server.replace(/^postgres(ql)?:/, 'postgresql+asyncpg:'),
    });
    expect(result.stdout).toContain('is reachable');
    expect(result.code).toBe(0);
  });

  it('fails when the server it names does not answer, without printing its password', async () => {
    const docker = stubDocker({ engine: false });
    const result = await devUp(docker.path, {
      POLICY_GATEWAY_DATABASE_URL: 'postgresql://policy_user:s3cret@127.0.0.1:1/sea_governance',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not reachable');
    expect(result.stdout + result.stderr).not.toContain('s3cret');
  });
});

describe('skeleton-up', () => {
  it('starts nothing on a database that is not migrated, and says to run npm run migrate', async () => {
    const database = await createTestDatabase();
    try {
      const result = await runProcess('bash', [repoPath('scripts/skeleton-up.sh')], {
        cwd: repoRoot,
        env: {
          ...process.env,
          POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
          POLICY_GATEWAY_DATABASE_URL: database.url,
        },
        timeoutMs: 60_000,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Run: npm run migrate');
      expect(result.stdout).not.toContain('Starting the gateway');
    } finally {
      await database.drop();
    }
  });
});
