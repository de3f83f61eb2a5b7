// @vitest-environment node
// The Workbench's server forwarding /api to the gateway: a real `vite preview` (Vite's JS API,
// the same proxy options as vite.config.ts) in front of a plain HTTP server standing in for the
// gateway, which answers with what it received. The real gateway behind the proxy is covered by
// the browser tests in e2e/.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../e2e/support/free-port.js';
import { DEFAULT_PROXY_TARGET, gatewayProxy, proxyTarget } from '../../server/gateway-proxy.js';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let upstream: Server;
let upstreamUrl: string;
let server: PreviewServer;
let origin: string;
let outDir: string;

async function startPreview(target: string): Promise<{ server: PreviewServer; origin: string }> {
  const port = await freePort();
  const started = await preview({
    configFile: false,
    logLevel: 'silent',
    build: { outDir },
    preview: { host: '127.0.0.1', port, strictPort: true, proxy: gatewayProxy(target) },
  });
  return { server: started, origin: `http://127.0.0.1:${port}` };
}

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'workbench-proxy-'));
  await writeFile(join(outDir, 'index.html'), '<!doctype html><title>Workbench</title>');
  upstream = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const received: Received = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
      };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(received));
    });
  });
  const upstreamPort = await freePort();
  await new Promise<void>((resolve) => upstream.listen(upstreamPort, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  ({ server, origin } = await startPreview(upstreamUrl));
});

afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => upstream?.close(resolve));
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

async function forwarded(path: string, init?: RequestInit): Promise<Received> {
  const response = await fetch(`${origin}${path}`, init);
  expect(response.status).toBe(200);
  return (await response.json()) as Received;
}

describe('the Workbench server forwarding /api to the gateway', () => {
  it('sends /api/* to the gateway without the prefix, query and body included', async () => {
    const received = await forwarded('/api/policy/evaluate?x=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer pgw_secret' },
      body: '{"prompt":"hi"}',
    });
    expect(received).toMatchObject({ method: 'POST', url: '/policy/evaluate?x=1' });
    expect(received.body).toBe('{"prompt":"hi"}');
    expect(received.headers.authorization).toBe('Bearer pgw_secret');
  });

  it("keeps the browser's Host, so the gateway's Host check judges the name the browser used", async () => {
    const received = await forwarded('/api/ready');
    expect(received.headers.host).toBe(new URL(origin).host);
  });

  it('replaces a client-sent X-Forwarded-For with the address it saw, so a client cannot choose it', async () => {
    const received = await forwarded('/api/governance/audit', {
      headers: { 'x-forwarded-for': '203.0.113.9', forwarded: 'for=203.0.113.9' },
    });
    expect(received.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(received.headers.forwarded).toBeUndefined();
  });

  it("serves the Workbench's own pages, including those under /governance, itself", async () => {
    const response = await fetch(`${origin}/governance/audit/0193`, {
      headers: { accept: 'text/html' },
    });
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('<title>Workbench</title>');
    // /apiary is not under /api.
    const other = await fetch(`${origin}/apiary`, { headers: { accept: 'text/html' } });
    expect(await other.text()).toContain('<title>Workbench</title>');
  });

  it('answers a problem naming the gateway when nothing listens there', async () => {
    const deadTarget = `http://127.0.0.1:${await freePort()}`;
    const dead = await startPreview(deadTarget);
    try {
      const response = await fetch(`${dead.origin}/api/ready`);
      expect(response.status).toBe(502);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({
        status: 502,
        code: 'GATEWAY_UNREACHABLE',
        gateway_url: deadTarget,
      });
    } finally {
      await dead.server.close();
    }
  });
});

describe('WORKBENCH_PROXY_TARGET', () => {
  it('defaults to the gateway npm start runs', () => {
    expect(proxyTarget({})).toBe(DEFAULT_PROXY_TARGET);
    expect(DEFAULT_PROXY_TARGET).toBe('http://127.0.0.1:8080');
  });

  it('accepts an http(s) origin', () => {
    expect(proxyTarget({ WORKBENCH_PROXY_TARGET: 'http://gateway:8080/' })).toBe(
      'http://gateway:8080',
    );
  });

  it.each([
    { value: 'gateway:8080', note: 'no scheme' },
    { value: 'ftp://gateway', note: 'not http' },
    { value: 'http://gateway:8080/v1', note: 'a path' },
  ])('refuses $value ($note), naming the variable', ({ value }) => {
    expect(() => proxyTarget({ WORKBENCH_PROXY_TARGET: value })).toThrow(/WORKBENCH_PROXY_TARGET/);
  });
});
