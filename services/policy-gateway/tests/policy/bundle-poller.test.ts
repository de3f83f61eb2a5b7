/**
 * Bundle polling (issue 14) against a real HTTP server on a local port serving `.tar.gz`
 * bundles as a bundle server does (ETag, 304 on If-None-Match, a bearer token required), with
 * the embedded engine compiling each: a new bundle becomes active only once it compiles, one
 * that does not keeps the old one active and says why, and an unchanged one is not reloaded.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import canonicalize from 'canonicalize';
import { CompactSign } from 'jose';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { BundlePoller } from '../../src/policy/bundle-poller.js';
import { EmbeddedPolicyEngine } from '../../src/policy/embedded-policy-engine.js';
import type { PolicyEngine } from '../../src/policy/policy-engine.js';
import { SwitchablePolicyEngine } from '../../src/policy/switchable-policy-engine.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { TEST_APP_SETTINGS } from '../support/build-test-app.js';

const TOKEN = 'bundle-server-token';
const PATH = 'data.t.decision';

/** Allows the prompts it is told to; its manifest names the revision. */
function bundleFiles(revision: string, allowed: string): Record<string, string> {
  return {
    '.manifest': JSON.stringify({ revision, roots: ['t'] }),
    't/policy.rego': `package t

default decision := {"allow": false, "reasons": []}

decision := {"allow": true, "reasons": []} if input.prompt == "${allowed}"
`,
  };
}

async function tarball(files: Readonly<Record<string, string>>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk) => {
    chunks.push(chunk as Buffer);
  });
  const done = new Promise<void>((resolve) => archive.on('end', () => resolve()));
  for (const [name, content] of Object.entries(files)) archive.entry({ name: `/${name}` }, content);
  archive.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** A bundle server: serves `current` with its ETag, 304 when the client has it. */
class BundleServer {
  current: { body: Buffer; etag: string } | undefined;
  readonly requests: IncomingMessage[] = [];
  #server: Server | undefined;
  url = '';

  async publish(files: Readonly<Record<string, string>>, etag: string): Promise<void> {
    this.current = { body: await tarball(files), etag: `"${etag}"` };
  }

  async listen(): Promise<void> {
    this.#server = createServer((request, response) => {
      this.requests.push(request);
      if (request.headers.authorization !== `Bearer ${TOKEN}`) {
        response.writeHead(401).end();
        return;
      }
      const current = this.current;
      if (current === undefined) {
        response.writeHead(404).end();
      } else if (request.headers['if-none-match'] === current.etag) {
        response.writeHead(304, { etag: current.etag }).end();
      } else {
        response.writeHead(200, { etag: current.etag, 'content-type': 'application/gzip' });
        response.end(current.body);
      }
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}/bundles/t.tar.gz`;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.#server?.close(resolve));
  }
}

const input = (prompt: string) => ({ prompt, user_id: 'u-1', context: {} });

let server: BundleServer;
let engine: SwitchablePolicyEngine;
let poller: BundlePoller;
const warnings: string[] = [];
const started: PolicyEngine[] = [];

beforeEach(async () => {
  server = new BundleServer();
  await server.listen();
  await server.publish(bundleFiles('v1', 'one'), 'v1');
  warnings.length = 0;
  const startEngine = async (bundleFile: string) => {
    const next = await EmbeddedPolicyEngine.start({ bundleDir: bundleFile, policyPath: PATH });
    started.push(next);
    return next;
  };
  const initial = await EmbeddedPolicyEngine.start({
    bundleDir: (await writeInitial()).file,
    policyPath: PATH,
  });
  engine = new SwitchablePolicyEngine(initial);
  poller = new BundlePoller({
    url: server.url,
    token: TOKEN,
    intervalMs: 60_000,
    timeoutMs: 5_000,
    maxBytes: 1_048_576,
    startEngine,
    engine,
    log: { info: () => undefined, warn: (object) => warnings.push(JSON.stringify(object)) },
  });
});

afterEach(async () => {
  await poller.stop();
  await engine.close();
  await server.close();
});

/** The gateway's bundle before polling: allows nothing. */
async function writeInitial() {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(`${tmpdir()}/bundle-poller-`);
  const file = `${dir}/initial.tar.gz`;
  await writeFile(file, await tarball(bundleFiles('v0', 'none')));
  return { file };
}

describe('BundlePoller', () => {
  it('activates the served bundle once it compiles, with the bearer token', async () => {
    expect(engine.policyVersion).toBe('v0');
    await poller.pollOnce();
    expect(poller.status()).toMatchObject({ activeVersion: 'v1', lastError: null });
    expect(engine.policyVersion).toBe('v1');
    expect((await engine.evaluate(input('one'))).decision).toBe('allow');
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('asks with If-None-Match and keeps the bundle it has when the server answers 304', async () => {
    await poller.pollOnce();
    const engines = started.length;
    await poller.pollOnce();
    expect(server.requests.at(-1)?.headers['if-none-match']).toBe('"v1"');
    expect(started).toHaveLength(engines);
    expect(poller.status()).toMatchObject({ activeVersion: 'v1', lastError: null });
  });

  it('keeps the old bundle active when the new one does not compile, and says why', async () => {
    await poller.pollOnce();
    await server.publish(
      { '.manifest': '{"revision": "v2"}', 't/policy.rego': 'package t\n\ndecision := {' },
      'v2',
    );
    await poller.pollOnce();
    const status = poller.status();
    expect(status.activeVersion).toBe('v1');
    expect(status.lastError).toContain('the bundle does not load');
    expect(status.lastError).toContain('policy.rego');
    expect(warnings.join('\n')).toContain('"activeVersion":"v1"');
    expect((await engine.evaluate(input('one'))).decision).toBe('allow');
    // Fixed on the server: the next poll activates it.
    await server.publish(bundleFiles('v3', 'three'), 'v3');
    await poller.pollOnce();
    expect(poller.status()).toMatchObject({ activeVersion: 'v3', lastError: null });
    expect((await engine.evaluate(input('three'))).decision).toBe('allow');
  });

  it('says in /ready why the served bundle is not active, until one is', async () => {
    const app = await buildApp({
      settings: TEST_APP_SETTINGS,
      store: createMemoryStore(10),
      engine,
    });
    try {
      await server.publish({ 't/policy.rego': 'package t\n\ndecision := {' }, 'broken');
      await poller.pollOnce();
      const ready = (await app.inject({ url: '/ready' })).json() as {
        policy: { version: string };
        warnings: string[];
      };
      expect(ready.policy.version).toBe('v0');
      expect(ready.warnings.join('\n')).toContain(
        `the policy bundle at ${server.url} was not activated`,
      );
      await server.publish(bundleFiles('v5', 'five'), 'v5');
      await poller.pollOnce();
      const after = (await app.inject({ url: '/ready' })).json() as {
        policy: { version: string };
        warnings: string[];
      };
      expect(after.policy.version).toBe('v5');
      expect(after.warnings.join('\n')).not.toContain('not activated');
    } finally {
      await app.close();
    }
  });

  it('keeps the old bundle when the server refuses or is unreachable', async () => {
    server.current = undefined;
    await poller.pollOnce();
    expect(poller.status()).toMatchObject({ activeVersion: 'v0' });
    expect(poller.status().lastError).toContain('answered 404');
    await server.close();
    await poller.pollOnce();
    expect(poller.status().lastError).toContain('cannot fetch');
    expect(engine.policyVersion).toBe('v0');
  });

  it('finishes the evaluations in flight on the old engine before closing it', async () => {
    const pending = Array.from({ length: 20 }, () => engine.evaluate(input('none')));
    await poller.pollOnce();
    const decisions = await Promise.all(pending);
    expect(decisions.every((d) => d.decision === 'allow')).toBe(true);
    expect((await engine.evaluate(input('none'))).decision).toBe('deny');
  });
});

/** Signs `files` as `opa sign` does: one ES256 JWS listing each file's SHA-256. */
async function signed(
  files: Readonly<Record<string, string>>,
  key: KeyObject,
): Promise<Record<string, string>> {
  const listed = Object.entries(files).map(([name, content]) => {
    const json = name.endsWith('.json') || name.endsWith('.manifest');
    const text = json ? (canonicalize(JSON.parse(content)) ?? '') : content;
    return { name, hash: createHash('sha256').update(text).digest('hex'), algorithm: 'SHA-256' };
  });
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify({ files: listed })))
    .setProtectedHeader({ alg: 'ES256' })
    .sign(key);
  return { ...files, '.signatures.json': JSON.stringify({ signatures: [jws] }) };
}

describe('BundlePoller with a verification key', () => {
  const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  beforeEach(async () => {
    await poller.stop();
    poller = new BundlePoller({
      url: server.url,
      token: TOKEN,
      intervalMs: 60_000,
      timeoutMs: 5_000,
      maxBytes: 1_048_576,
      startEngine: (file) => EmbeddedPolicyEngine.start({ bundleDir: file, policyPath: PATH }),
      engine,
      verificationKey: signer.publicKey,
      log: { info: () => undefined, warn: (object) => warnings.push(JSON.stringify(object)) },
    });
  });

  it('activates a bundle whose signature verifies', async () => {
    await server.publish(await signed(bundleFiles('s1', 'signed'), signer.privateKey), 's1');
    await poller.pollOnce();
    expect(poller.status()).toMatchObject({ activeVersion: 's1', lastError: null });
  });

  it('refuses a bundle signed by another key, a file changed after signing, and an unsigned one', async () => {
    const cases = [
      {
        note: 'another key',
        files: await signed(bundleFiles('s2', 'x'), stranger.privateKey),
        error: 'does not verify',
      },
      {
        note: 'a file changed after signing',
        files: {
          ...(await signed(bundleFiles('s3', 'x'), signer.privateKey)),
          't/policy.rego': bundleFiles('s3', 'mallory')['t/policy.rego']!,
        },
        error: 't/policy.rego differs from the signed file',
      },
      { note: 'unsigned', files: bundleFiles('s4', 'x'), error: 'has no .signatures.json' },
    ];
    for (const [index, { files, error }] of cases.entries()) {
      await server.publish(files, `bad-${index}`);
      await poller.pollOnce();
      expect(poller.status().activeVersion).toBe('v0');
      expect(poller.status().lastError).toContain(error);
    }
  });
});
