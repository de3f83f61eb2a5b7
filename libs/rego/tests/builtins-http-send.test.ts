/**
 * http.send and net.lookup_ip_addr against a real HTTP server on 127.0.0.1. The server runs
 * on a thread of its own: http.send blocks the calling thread until the answer arrives.
 */
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegoEngine } from '../src/index.js';

const SERVER = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
let counter = 0;
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null }));
    } else if (url.pathname === '/count') {
      counter++;
      res.setHeader('cache-control', 'max-age=60');
      res.setHeader('content-type', 'application/json');
      res.end(String(counter));
    } else if (url.pathname === '/slow') {
      setTimeout(() => res.end('late'), 2000);
    } else if (url.pathname === '/big') {
      res.end('x'.repeat(64 * 1024));
    } else if (url.pathname === '/redirect') {
      res.statusCode = 302;
      res.setHeader('location', url.searchParams.get('to') ?? '/json');
      res.end();
    } else {
      res.statusCode = 404;
      res.end('not here');
    }
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => server.close(() => process.exit(0)));
`;

let server: Worker;
let base: string;

beforeAll(async () => {
  server = new Worker(SERVER, { eval: true });
  const port = await new Promise<number>((resolve) => server.once('message', resolve));
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.postMessage('stop');
  await new Promise((resolve) => server.once('exit', resolve));
});

function engine(allowedHosts: readonly string[], maxResponseBytes?: number): RegoEngine {
  return new RegoEngine({
    strictBuiltinErrors: true,
    network: {
      allowedHosts,
      configuredBy: 'POLICY_GATEWAY_POLICY_HTTP_ALLOWED_HOSTS',
      ...(maxResponseBytes === undefined ? {} : { maxResponseBytes }),
    },
  });
}

function send(e: RegoEngine, request: Record<string, unknown>): Record<string, unknown> {
  const out = e.evalQuery('x := http.send(input)', { input: request });
  return out.results[0]?.bindings.x as Record<string, unknown>;
}

describe('http.send', () => {
  it("answers OPA's response object: status, status_code, decoded body, raw_body, headers", () => {
    const response = send(engine(['127.0.0.1']), {
      method: 'post',
      url: `${base}/json`,
      body: { a: 1 },
      headers: { Authorization: 'Bearer t' },
    });
    expect(response.status_code).toBe(200);
    expect(response.status).toBe('200 OK');
    expect(response.body).toEqual({ method: 'POST', body: '{"a":1}', auth: 'Bearer t' });
    expect(JSON.parse(response.raw_body as string)).toEqual(response.body);
    expect((response.headers as Record<string, string[]>)['content-type']).toEqual([
      'application/json',
    ]);
  });

  it('gives a non-JSON body as raw_body only, and a 404 as a response, not an error', () => {
    const response = send(engine(['127.0.0.1']), { method: 'get', url: `${base}/nothing` });
    expect(response.status_code).toBe(404);
    expect(response.body).toBeNull();
    expect(response.raw_body).toBe('not here');
  });

  it('refuses a host that is not allowed, naming the setting that allows it', () => {
    const e = engine(['api.example.com']);
    expect(() => send(e, { method: 'get', url: `${base}/json` })).toThrow(
      /http\.send: host 127\.0\.0\.1:\d+ is not in the allowed hosts \(POLICY_GATEWAY_POLICY_HTTP_ALLOWED_HOSTS\)/,
    );
    expect(() =>
      new RegoEngine({ strictBuiltinErrors: true }).evalQuery(
        'x := http.send({"method": "get", "url": "http://169.254.169.254/latest"})',
      ),
    ).toThrow(/network access is off/);
  });

  it('allows a host only on the port the allow-list names, when it names one', () => {
    const port = new URL(base).port;
    expect(
      send(engine([`127.0.0.1:${port}`]), { method: 'get', url: `${base}/json` }).status_code,
    ).toBe(200);
    expect(() => send(engine(['127.0.0.1:1']), { method: 'get', url: `${base}/json` })).toThrow(
      /not in the allowed hosts/,
    );
  });

  it('follows a redirect only when enable_redirect is set, and never to a host not allowed', () => {
    const e = engine(['127.0.0.1']);
    expect(send(e, { method: 'get', url: `${base}/redirect` }).status_code).toBe(302);
    expect(
      send(e, { method: 'get', url: `${base}/redirect`, enable_redirect: true }).status_code,
    ).toBe(200);
    expect(() =>
      send(e, {
        method: 'get',
        url: `${base}/redirect?to=http://169.254.169.254/`,
        enable_redirect: true,
      }),
    ).toThrow(/169\.254\.169\.254 is not in the allowed hosts/);
  });

  it('times out after the request timeout: an error, or with raise_error false an error object', () => {
    const e = engine(['127.0.0.1']);
    const started = Date.now();
    expect(() => send(e, { method: 'get', url: `${base}/slow`, timeout: '200ms' })).toThrow(
      /http\.send: GET .*\/slow: request timed out after 200ms/,
    );
    expect(Date.now() - started).toBeLessThan(1500);
    const response = send(e, {
      method: 'get',
      url: `${base}/slow`,
      timeout: '200ms',
      raise_error: false,
    });
    expect(response.status_code).toBe(0);
    expect((response.error as { code: string }).code).toBe('eval_http_send_network_error');
  });

  it("caps a request's timeout at the engine's maxTimeoutMs", () => {
    const e = new RegoEngine({
      strictBuiltinErrors: true,
      network: { allowedHosts: ['127.0.0.1'], maxTimeoutMs: 150 },
    });
    const started = Date.now();
    expect(() => send(e, { method: 'get', url: `${base}/slow`, timeout: '10s' })).toThrow(
      /request timed out after 150ms/,
    );
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('refuses a response body larger than the limit', () => {
    expect(() => send(engine(['127.0.0.1'], 1024), { method: 'get', url: `${base}/big` })).toThrow(
      /response body exceeds 1024 bytes/,
    );
  });

  it('reuses a response within a query, and across queries only when cache allows it', () => {
    const e = engine(['127.0.0.1']);
    const twice = e.evalQuery(
      `a := http.send({"method": "get", "url": "${base}/count"}).body
       b := http.send({"method": "get", "url": "${base}/count"}).body`,
    ).results[0]?.bindings;
    expect(twice?.a).toBe(twice?.b);
    const uncached = send(e, { method: 'get', url: `${base}/count` }).body as number;
    expect(send(e, { method: 'get', url: `${base}/count` }).body).toBe(uncached + 1);
    const cached = send(e, { method: 'get', url: `${base}/count`, cache: true }).body;
    expect(send(e, { method: 'get', url: `${base}/count`, cache: true }).body).toBe(cached);
  });

  it('names missing and unknown request parameters as OPA does', () => {
    const e = engine(['127.0.0.1']);
    expect(() => e.evalQuery('http.send({"method": "get"}, x)')).toThrow(
      'missing required request parameters(s): {"url"}',
    );
    expect(() =>
      e.evalQuery(`http.send({"method": "get", "url": "${base}", "bogus": 1}, x)`),
    ).toThrow('invalid request parameters(s): {"bogus"}');
  });
});

describe('the allow-list', () => {
  it('matches subdomains with *.domain or .domain, and any host only with *', async () => {
    const { hostAllowed } = await import('../src/builtins/network/network-access.js');
    const access = (allowedHosts: string[]) => ({ allowedHosts });
    expect(hostAllowed(access(['*.example.com']), 'api.example.com', '')).toBe(true);
    expect(hostAllowed(access(['.example.com']), 'a.b.example.com', '')).toBe(true);
    expect(hostAllowed(access(['.example.com']), 'example.com', '')).toBe(false);
    expect(hostAllowed(access(['.example.com']), 'evilexample.com', '')).toBe(false);
    expect(hostAllowed(access(['example.com']), 'EXAMPLE.com', '')).toBe(true);
    expect(hostAllowed(access(['::1']), '[::1]', '8080')).toBe(true);
    expect(hostAllowed(access(['*']), '169.254.169.254', '')).toBe(true);
    expect(hostAllowed(undefined, 'example.com', '')).toBe(false);
  });
});

describe('net.lookup_ip_addr', () => {
  it('answers an IP address itself without network access', () => {
    const e = new RegoEngine();
    expect(e.evalQuery('x := net.lookup_ip_addr("10.0.0.1")').results[0]?.bindings.x).toEqual([
      '10.0.0.1',
    ]);
  });

  it('resolves an allowed name and refuses any other', () => {
    const allowed = engine(['localhost']);
    const addresses = allowed.evalQuery('x := net.lookup_ip_addr("localhost")').results[0]?.bindings
      .x as string[];
    expect(addresses.some((a) => a === '127.0.0.1' || a === '::1')).toBe(true);
    expect(() => allowed.evalQuery('x := net.lookup_ip_addr("example.com")')).toThrow(
      /net\.lookup_ip_addr: host example\.com is not in the allowed hosts/,
    );
  });
});
