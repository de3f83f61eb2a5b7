// apps/workbench/docker/40-workbench-config.sh writes config.json from WORKBENCH_GATEWAY_URL at
// container start, and refuses values that would make it invalid JSON.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoPath } from './support/repo-path.js';
import { runProcess } from './support/run-process.js';

const script = repoPath('apps/workbench/docker/40-workbench-config.sh');
const directories: string[] = [];

async function writeConfig(gatewayUrl: string | undefined) {
  const directory = mkdtempSync(join(tmpdir(), 'workbench-config-'));
  directories.push(directory);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, WORKBENCH_CONFIG_DIR: directory };
  if (gatewayUrl !== undefined) env.WORKBENCH_GATEWAY_URL = gatewayUrl;
  const result = await runProcess('sh', [script], { env, timeoutMs: 10_000 });
  const read = () => JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8')) as unknown;
  return { result, read };
}

afterEach(() => {
  for (const directory of directories.splice(0))
    rmSync(directory, { recursive: true, force: true });
});

describe('the Workbench config.json start script', () => {
  it('writes the gateway URL it is given', async () => {
    const { result, read } = await writeConfig('https://gateway.example.com');
    expect(result.code).toBe(0);
    expect(read()).toEqual({ gatewayUrl: 'https://gateway.example.com' });
  });

  it('drops trailing slashes, since the Workbench appends paths', async () => {
    const { read } = await writeConfig('http://localhost:8080/');
    expect(read()).toEqual({ gatewayUrl: 'http://localhost:8080' });
  });

  it('defaults to http://localhost:8080 when the variable is unset', async () => {
    const { read } = await writeConfig(undefined);
    expect(read()).toEqual({ gatewayUrl: 'http://localhost:8080' });
  });

  it.each([
    { note: 'a quote would break the JSON', url: 'http://x"y' },
    { note: 'a backslash would be an escape', url: 'http://x\\y' },
    { note: 'not a web URL', url: 'ftp://files.example.com' },
    { note: 'the Workbench would ignore a relative URL', url: '/api' },
    { note: 'a scheme with no host', url: 'https://' },
    { note: 'a space', url: 'http://exa mple.com' },
  ])('refuses $url and names the variable ($note)', async ({ url }) => {
    const { result } = await writeConfig(url);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('WORKBENCH_GATEWAY_URL');
  });
});
