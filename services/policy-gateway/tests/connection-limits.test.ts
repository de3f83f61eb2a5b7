/**
 * The bounds on client connections, against a real listening gateway and raw sockets: a client
 * that trickles its request is answered `408` and disconnected once its time is up, an idle
 * kept-alive connection is closed, a connection past the cap is closed on arrival, and what
 * goes wrong before routing is answered as `application/problem+json`.
 */
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppSettings, buildApp } from '../src/app.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { buildTestApp, TEST_APP_SETTINGS } from './support/build-test-app.js';
import { ScriptedPolicyEngine } from './support/scripted-policy-engine.js';

const started: FastifyInstance[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(started.splice(0).map((app) => app.close()));
});

async function listening(connections: Partial<AppSettings['connections']>): Promise<number> {
  const { app } = await buildTestApp({
    settings: { connections: { ...TEST_APP_SETTINGS.connections, ...connections } },
  });
  started.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return address.port;
}

interface RawConnection {
  readonly socket: Socket;
  /** Everything received, once the server has closed the connection, and when that was. */
  readonly closed: Promise<{ readonly received: string; readonly afterMs: number }>;
}

async function open(port: number): Promise<RawConnection> {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  const startedAt = performance.now();
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  const closed = new Promise<{ received: string; afterMs: number }>((resolve) => {
    socket.on('error', () => {});
    socket.on('close', () => resolve({ received, afterMs: performance.now() - startedAt }));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, closed };
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function trickle(socket: Socket, text: string, everyMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || at >= text.length) {
      clearInterval(timer);
      return;
    }
    socket.write(text[at]!);
    at += 1;
  }, everyMs);
  socket.on('close', () => clearInterval(timer));
}

/** Status line, headers and the parsed body of one raw HTTP response. */
function parseResponse(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: body === '' ? undefined : JSON.parse(body),
  };
}

describe('connection timeouts', () => {
  it('answers 408 and closes a connection that trickles its headers past the headers timeout', async () => {
    const port = await listening({ headersTimeoutMs: 400, requestTimeoutMs: 5_000 });
    const { socket, closed } = await open(port);
    trickle(
      socket,
      'GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n',
      50,
    );
    const { received, afterMs } = await closed;
    const response = parseResponse(received);
    expect(response.status).toBe(408);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'REQUEST_TIMEOUT', status: 408 });
    expect(afterMs).toBeGreaterThanOrEqual(400);
    expect(afterMs).toBeLessThan(3_000);
  });

  it('answers 408 and closes a connection that trickles its body past the request timeout', async () => {
    const port = await listening({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const { socket, closed } = await open(port);
    const body = JSON.stringify({ prompt: 'x'.repeat(60), user_id: 'alice' });
    socket.write(
      `POST /policy/evaluate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    trickle(socket, body, 50);
    const { received, afterMs } = await closed;
    expect(parseResponse(received)).toMatchObject({
      status: 408,
      body: { code: 'REQUEST_TIMEOUT' },
    });
    expect(afterMs).toBeGreaterThanOrEqual(600);
    expect(afterMs).toBeLessThan(3_000);
  });

  it('serves a request sent in time on the same settings', async () => {
    const port = await listening({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const { socket, closed } = await open(port);
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    const { received } = await closed;
    expect(parseResponse(received).status).toBe(200);
  });

  it('closes a kept-alive connection left idle past the keep-alive timeout', async () => {
    const port = await listening({ keepAliveTimeoutMs: 300 });
    const { socket, closed } = await open(port);
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const { received, afterMs } = await closed;
    expect(parseResponse(received).status).toBe(200);
    expect(afterMs).toBeGreaterThanOrEqual(300);
    expect(afterMs).toBeLessThan(3_000);
  });
});

describe('connection limit', () => {
  it('closes a connection past the limit on arrival and keeps serving those within it', async () => {
    const port = await listening({ maxConnections: 3 });
    const within = await Promise.all([open(port), open(port), open(port)]);
    // The server counts a connection once it has accepted it; give it a moment to.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const past = await open(port);
    past.socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const { received, afterMs } = await past.closed;
    expect(received).toBe('');
    expect(afterMs).toBeLessThan(1_000);
    for (const { socket, closed } of within) {
      socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      expect(parseResponse((await closed).received).status).toBe(200);
    }
  });
});

describe('connections closed on arrival', () => {
  it('are counted and said in the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await buildApp({
      settings: {
        ...TEST_APP_SETTINGS,
        connections: { ...TEST_APP_SETTINGS.connections, maxConnections: 1 },
      },
      store: createMemoryStore(10),
      engine: new ScriptedPolicyEngine(),
      logger: pino({ level: 'warn' }, sink),
    });
    started.push(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
    await open(address.port);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const past = await Promise.all([open(address.port), open(address.port)]);
    await Promise.all(past.map(({ closed }) => closed));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const warning = lines.map((line) => JSON.parse(line)).find((line) => 'dropped' in line);
    expect(warning).toMatchObject({ maxConnections: 1 });
    expect(warning.dropped).toBeGreaterThanOrEqual(1);
    expect(warning.msg).toMatch(
      /closed \d+ connection\(s\) on arrival: 1 were open already \(POLICY_GATEWAY_MAX_CONNECTIONS\)/,
    );
  });
});

describe('errors before routing', () => {
  it.each([
    {
      note: 'a request line that is not HTTP',
      request: 'HELLO THERE\r\n\r\n',
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      note: 'a header line without a colon',
      request: 'GET /health HTTP/1.1\r\nHost gateway\r\n\r\n',
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      note: 'two Content-Length headers that disagree',
      request:
        'POST /policy/evaluate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      note: 'a malformed chunk size',
      request:
        'POST /policy/evaluate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      note: 'a CONNECT request, which Node would close unanswered',
      request: 'CONNECT gateway:443 HTTP/1.1\r\nHost: gateway:443\r\n\r\n',
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      note: 'an Expect other than 100-continue, which Node would answer bare',
      request: 'GET /health HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\n\r\n',
      status: 417,
      code: 'EXPECTATION_FAILED',
    },
    {
      note: 'a path that is not percent-encoded UTF-8, which Fastify answers as its own JSON',
      request:
        'GET /governance/audit/%ED%A0%80 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      note: 'a path parameter past 100 characters, which Fastify answers as its own JSON',
      request: `GET /governance/audit/${'a'.repeat(101)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      note: 'an OPTIONS request that is no CORS preflight, which @fastify/cors answers as text',
      request: 'OPTIONS /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      note: 'headers over 16 KiB',
      request: `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      status: 431,
      code: 'HEADERS_TOO_LARGE',
    },
  ])(
    'answers $note with $status $code as a problem, then closes',
    async ({ request, status, code }) => {
      const port = await listening({});
      const { socket, closed } = await open(port);
      socket.write(request);
      const response = parseResponse((await closed).received);
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({
        code,
        status,
        type: expect.stringMatching(/^urn:policy-gateway:problem:/),
      });
    },
  );
});
