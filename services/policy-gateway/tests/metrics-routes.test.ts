/**
 * `GET /metrics` (issue 12): Prometheus' text format, behind the guard (any valid credential),
 * with what an operator graphs — decisions by outcome and policy version, evaluation latency,
 * the audit write path's batches, queue depth and failures, HTTP requests by declared route —
 * and only bounded labels. The Grafana dashboard in deploy/ may graph only metrics served here.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAuditSigningKey } from '@policy-gateway/governance-runtime';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { GatewayMetrics } from '../src/metrics/gateway-metrics.js';
import { MeasuredPolicyEngine } from '../src/metrics/measured-policy-engine.js';
import { localMetrics, type MetricsSource } from '../src/metrics/metrics-source.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from './support/build-test-app.js';
import {
  FIXED_TOKEN_PREFIX,
  FixedPrincipalAuthenticator,
  keyPrincipal,
} from './support/fixed-principal-authenticator.js';
import { ScriptedPolicyEngine } from './support/scripted-policy-engine.js';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
const EVALUATOR = { authorization: `Bearer ${FIXED_TOKEN_PREFIX}evaluator` };

let app: FastifyInstance | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

/** The app as `serve` builds it: a chained memory store and the measured engine. */
async function gateway(options: { source?: (metrics: GatewayMetrics) => MetricsSource } = {}) {
  dataDir = await mkdtemp(join(tmpdir(), 'policy-gateway-metrics-'));
  const metrics = new GatewayMetrics(1);
  const store = await openAuditStore(
    { backend: 'memory', maxEntries: 100 } as never,
    silent,
    {
      signingKey: loadAuditSigningKey({ keyFile: undefined, dataDir }),
      instance: 'metrics-test',
      checkpointEveryEntries: 1000,
      checkpointIntervalMs: 60_000,
    },
    { writeObserver: metrics.writeObserver },
  );
  metrics.watchWriteQueue(store.writeQueue);
  app = await buildApp({
    settings: TEST_APP_SETTINGS,
    store,
    engine: new MeasuredPolicyEngine(new ScriptedPolicyEngine(), metrics),
    authentication: {
      mode: { mode: 'on', unsafe: false },
      authenticators: {
        fixed: new FixedPrincipalAuthenticator({
          evaluator: keyPrincipal('evaluator', ['evaluator']),
        }),
      },
    },
    metrics: { metrics, source: (options.source ?? localMetrics)(metrics) },
  });
  return app;
}

async function scrape(server: FastifyInstance): Promise<string> {
  const response = await server.inject({ url: '/metrics', headers: EVALUATOR });
  expect(response.statusCode).toBe(200);
  return response.body;
}

function evaluate(server: FastifyInstance, prompt: string) {
  return server.inject({
    method: 'POST',
    url: '/policy/evaluate',
    headers: EVALUATOR,
    payload: { prompt, user_id: 'alice@example.com' },
  });
}

describe('GET /metrics', () => {
  it('answers 401 without credentials and the text format to any valid credential', async () => {
    const server = await gateway();
    const refused = await server.inject({ url: '/metrics' });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    const response = await server.inject({ url: '/metrics', headers: EVALUATOR });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.body).toContain('# TYPE policy_gateway_decisions_total counter');
    expect(response.body).toContain('process_resident_memory_bytes{worker="1"}');
  });

  it('counts decisions by outcome and policy version, with their latency and their audit batches', async () => {
    const server = await gateway();
    expect((await evaluate(server, 'hello')).statusCode).toBe(200);
    expect((await evaluate(server, 'hello again')).statusCode).toBe(200);
    expect((await evaluate(server, 'a SECRET')).statusCode).toBe(200);
    const text = await scrape(server);
    expect(text).toContain(
      'policy_gateway_decisions_total{decision="allow",policy_version="sha256:test-bundle",worker="1"} 2',
    );
    expect(text).toContain(
      'policy_gateway_decisions_total{decision="deny",policy_version="sha256:test-bundle",worker="1"} 1',
    );
    expect(text).toContain(
      'policy_gateway_evaluation_duration_seconds_count{worker="1",engine="embedded"} 3',
    );
    // Each decision waited for its entry's batch; the three batches held three entries.
    expect(text).toMatch(/^policy_gateway_audit_batch_entries_sum\{worker="1"\} 3$/m);
    expect(text).toMatch(
      /^policy_gateway_audit_commit_duration_seconds_count\{worker="1",outcome="committed"\} 3$/m,
    );
    expect(text).toContain('policy_gateway_audit_write_queue_entries{worker="1"} 0');
    expect(text).toContain(
      'policy_gateway_audit_store_errors_total{operation="write",worker="1"} 0',
    );
    expect(text).toContain(
      'policy_gateway_http_requests_total{method="POST",route="/policy/evaluate",status="200",worker="1"} 3',
    );
  });

  it('labels requests by declared route, never by the URL asked for or the user', async () => {
    const server = await gateway();
    await server.inject({ url: '/governance/audit/0192f0c4-1a2b-7c3d-8e4f-5a6b7c8d9e0f' });
    await server.inject({ url: '/no/such/path/alice' });
    await evaluate(server, 'hello');
    const text = await scrape(server);
    expect(text).toContain(
      'policy_gateway_http_requests_total{method="GET",route="/governance/audit/:id",status="401",worker="1"} 1',
    );
    expect(text).toContain(
      'policy_gateway_http_requests_total{method="GET",route="unmatched",status="404",worker="1"} 1',
    );
    expect(text).not.toContain('0192f0c4');
    expect(text).not.toContain('alice');
  });

  it('answers 503 METRICS_UNAVAILABLE when the workers do not all answer', async () => {
    const server = await gateway({
      source: (metrics) => ({
        contentType: metrics.registry.contentType,
        metrics: () => Promise.reject(new Error('Operation timed out.')),
      }),
    });
    const response = await server.inject({ url: '/metrics', headers: EVALUATOR });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'METRICS_UNAVAILABLE' });
    expect(response.json().detail).toContain('Operation timed out.');
  });
});

describe('the Grafana dashboard in deploy/grafana', () => {
  it('graphs only metrics the gateway serves', async () => {
    const dashboard = readFileSync(
      new URL('../../../deploy/grafana/policy-gateway.json', import.meta.url),
      'utf8',
    );
    const expressions = [...dashboard.matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)].map((m) =>
      JSON.parse(`"${m[1]}"`),
    );
    expect(expressions.length).toBeGreaterThan(5);
    const served = await scrape(await gateway());
    const used = new Set(
      expressions.flatMap(
        (expr: string) => expr.match(/\b(?:policy_gateway|process|nodejs)_\w+/g) ?? [],
      ),
    );
    for (const name of used) {
      // A histogram is declared under its base name, a series it has once something happened.
      const declared = name.replace(/_(bucket|sum|count)$/, '');
      expect(served, name).toMatch(new RegExp(`^# TYPE (${name}|${declared} histogram)`, 'm'));
    }
  });
});
