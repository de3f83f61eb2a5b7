// services/policy-gateway/entrypoint.sh: valid shell, serve-only, and exec (signals reach the
// gateway itself). A stub `policy-gateway` on PATH shows what the script really runs.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoPath } from './support/repo-path.js';
import { runProcess } from './support/run-process.js';

const entrypoint = repoPath('services/policy-gateway/entrypoint.sh');
const script = readFileSync(entrypoint, 'utf8');
const commands = script
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

const stubDir = mkdtempSync(join(tmpdir(), 'entrypoint-stub-'));
// Reports its pid and arguments, then waits; on SIGTERM it says so and exits 0, as the gateway does.
writeFileSync(
  join(stubDir, 'policy-gateway'),
  [
    '#!/bin/sh',
    'trap \'echo "stub got TERM"; exit 0\' TERM',
    'echo "pid=$$ args=$*"',
    'while :; do sleep 0.1; done',
    '',
  ].join('\n'),
);
chmodSync(join(stubDir, 'policy-gateway'), 0o755);
const stubPath = `${stubDir}:${process.env.PATH ?? ''}`;

afterAll(() => rmSync(stubDir, { recursive: true, force: true }));

describe('entrypoint.sh', () => {
  it.each(['bash', 'sh'])('parses with %s -n', async (shell) => {
    const result = await runProcess(shell, ['-n', entrypoint], { timeoutMs: 10_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('stops on errors and unset variables', () => {
    expect(commands).toContain('set -eu');
  });

  it('contains no migration: no command line mentions migrate', () => {
    expect(commands.filter((line) => /migrat/i.test(line))).toEqual([]);
  });

  it('replaces itself with `policy-gateway serve`, passing its arguments through', async () => {
    const child = spawn('sh', [entrypoint, '--log-level', 'debug'], {
      env: { ...process.env, PATH: stubPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const firstLine = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      child.once('error', reject);
    });
    child.kill('SIGKILL');
    // Same pid as the shell that ran entrypoint.sh: exec replaced it.
    expect(firstLine).toBe(`pid=${child.pid} args=serve --log-level debug`);
  });

  it('lets SIGTERM reach the gateway, whose exit code becomes the container’s', async () => {
    const child = spawn('sh', [entrypoint], {
      env: { ...process.env, PATH: stubPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await new Promise<void>((resolve) => {
      child.stdout.once('data', () => resolve());
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 10_000)),
    ]);
    if (code === 'still running') child.kill('SIGKILL');
    expect(output).toContain('stub got TERM');
    expect(code).toBe(0);
  });
});
