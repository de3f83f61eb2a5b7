// apps/workbench/docker/40-workbench-config.sh writes, at container start, nginx's forwarding of
// /api to WORKBENCH_PROXY_TARGET (the same origin) when it is set, else config.json naming
// WORKBENCH_GATEWAY_URL, and refuses values that would make either invalid.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoPath } from './support/repo-path.js';
import { runProcess } from './support/run-process.js';

const script = repoPath('apps/workbench/docker/40-workbench-config.sh');
const directories: string[] = [];

async function writeConfig(gatewayUrl: string | undefined, proxyTarget?: string) {
  const directory = mkdtempSync(join(tmpdir(), 'workbench-config-'));
  directories.push(directory);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, WORKBENCH_CONFIG_DIR: directory };
  if (gatewayUrl !== undefined) env.WORKBENCH_GATEWAY_URL = gatewayUrl;
  if (proxyTarget !== undefined) env.WORKBENCH_PROXY_TARGET = proxyTarget;
  const result = await runProcess('sh', [script], { env, timeoutMs: 10_000 });
  const read = () => JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8')) as unknown;
  const proxy = () => readFileSync(join(directory, 'gateway-proxy.conf'), 'utf8');
  return { result, read, proxy };
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
    const { read, proxy } = await writeConfig(undefined);
    expect(read()).toEqual({ gatewayUrl: 'http://localhost:8080' });
    expect(proxy()).not.toContain('proxy_pass');
  });

  it('forwards /api to WORKBENCH_PROXY_TARGET and names no gateway: the same origin', async () => {
    const { result, read, proxy } = await writeConfig(undefined, 'http://policy-gateway:8080/');
    expect(result.code).toBe(0);
    expect(proxy()).toContain('proxy_pass http://policy-gateway:8080/;');
    expect(read()).toEqual({ gatewayUrl: null });
  });

  it.each([
    { note: 'a semicolon would end the nginx directive', target: 'http://gateway:8080;x' },
    { note: 'a path would be prepended to every API path', target: 'http://gateway:8080/v1' },
    { note: 'not a web URL', target: 'gateway:8080' },
  ])('refuses WORKBENCH_PROXY_TARGET=$target ($note)', async ({ target }) => {
    const { result } = await writeConfig(undefined, target);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('WORKBENCH_PROXY_TARGET');
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
