/**
 * The `opa` adapter against a local HTTP server that answers as OPA's Data API is
 * documented to (see opa-data-api-double.ts). OPA itself cannot be installed on these
 * machines, so this double stands in for it: it reproduces OPA's answer shapes (result
 * present or absent, decision_id, provenance, `{"code", "message"}` error bodies), not its
 * policy evaluation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createPolicyEngine } from '../../src/policy/create-policy-engine.js';
import { dataApiPath, OpaPolicyEngine } from '../../src/policy/opa-policy-engine.js';
import type { PolicyEngine, PolicyInput } from '../../src/policy/policy-engine.js';
import { type OpaDouble, type OpaDoubleOptions, startOpaDouble } from './opa-data-api-double.js';

const POLICY_PATH = 'data.policy_gateway.decision';
const INPUT: PolicyInput = { prompt: 'summarise this', user_id: 'u-1', context: { app: 'docs' } };

const DENY_DOCUMENT = {
  allow: false,
  reasons: [
    { code: 'pii.email', message: '1 e-mail address found in the prompt', severity: 'medium' },
  ],
};

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((resource) => resource.close()));
});

async function opa(options: OpaDoubleOptions): Promise<OpaDouble> {
  const double = await startOpaDouble(options);
  open.push(double);
  return double;
}

async function engineFor(url: string, timeoutMs = 2_000): Promise<PolicyEngine> {
  const engine = await OpaPolicyEngine.start({ url, policyPath: POLICY_PATH, timeoutMs });
  open.push(engine);
  return engine;
}

const decide = (document: unknown) => ({ 'policy_gateway/decision': () => document });

describe('OpaPolicyEngine', () => {
  it('posts the input to the Data API path of the policy and allows on an allow document', async () => {
    const double = await opa({ documents: decide({ allow: true, reasons: [] }) });
    const engine = await engineFor(double.url);

    const evaluation = await engine.evaluate(INPUT);

    expect(evaluation).toMatchObject({
      decision: 'allow',
      allow: true,
      reasons: [],
      error: null,
      result: { allow: true, reasons: [] },
    });
    expect(evaluation.latencyMs).toBeGreaterThanOrEqual(0);
    expect(double.requests).toHaveLength(1);
    const [request] = double.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/v1/data/policy_gateway/decision?provenance=true');
    expect(request?.contentType).toBe('application/json');
    expect(request?.body).toEqual({ input: INPUT });
  });

  it('denies with the reasons of a deny document and keeps the raw result', async () => {
    const double = await opa({ documents: decide(DENY_DOCUMENT) });
    const engine = await engineFor(double.url);

    const evaluation = await engine.evaluate(INPUT);

    expect(evaluation.decision).toBe('deny');
    expect(evaluation.allow).toBe(false);
    expect(evaluation.reasons).toEqual(DENY_DOCUMENT.reasons);
    expect(evaluation.result).toEqual(DENY_DOCUMENT);
    expect(evaluation.error).toBeNull();
  });

  it("keeps OPA's decision_id when decision logging gives one", async () => {
    const double = await opa({ documents: decide(DENY_DOCUMENT), decisionLogs: true });
    const engine = await engineFor(double.url);

    const evaluation = await engine.evaluate(INPUT);

    expect(evaluation.decisionId).toMatch(/^4ca636c1-/);
  });

  it('has no decisionId when OPA returns none', async () => {
    const double = await opa({ documents: decide(DENY_DOCUMENT) });
    const engine = await engineFor(double.url);

    const evaluation = await engine.evaluate(INPUT);

    expect(evaluation.decisionId).toBeUndefined();
    expect('decisionId' in evaluation).toBe(false);
  });

  it('fails closed when the policy is undefined on the server (OPA answers {} without result)', async () => {
    const double = await opa({ documents: {} });
    const engine = await engineFor(double.url);

    const evaluation = await engine.evaluate(INPUT);

    expect(evaluation).toMatchObject({
      decision: 'error',
      allow: false,
      reasons: [],
      result: null,
    });
    expect(evaluation.error).toContain('data.policy_gateway.decision is undefined');
  });

  it('keeps the decision_id of an undefined decision, so the audit entry matches OPA’s log', async () => {
    const double = await opa({ documents: {}, decisionLogs: true });
    const engine = await engineFor(double.url);

    const evaluation = await engine.evaluate(INPUT);

    expect(evaluation.decision).toBe('error');
    expect(evaluation.decisionId).toMatch(/^4ca636c1-/);
  });

  it.each([
    { note: 'a bare boolean', document: true, problem: 'expected an object' },
    { note: 'allow missing', document: { reasons: [] }, problem: '"allow" must be a boolean' },
    {
      note: 'reasons not an array',
      document: { allow: false, reasons: 'pii' },
      problem: '"reasons" must be an array',
    },
    {
      note: 'a reason without a code',
      document: { allow: false, reasons: [{ message: 'm', severity: 'high' }] },
      problem: 'reasons[0].code must be a non-empty string',
    },
    {
      note: 'an unknown severity',
      document: { allow: false, reasons: [{ code: 'c', message: 'm', severity: 'urgent' }] },
      problem: 'reasons[0].severity must be one of low, medium, high, critical',
    },
  ])(
    'fails closed on a result that is not a decision document: $note',
    async ({ document, problem }) => {
      const double = await opa({ documents: decide(document) });
      const engine = await engineFor(double.url);

      const evaluation = await engine.evaluate(INPUT);

      expect(evaluation.decision).toBe('error');
      expect(evaluation.allow).toBe(false);
      expect(evaluation.error).toContain(problem);
      expect(evaluation.result).toEqual(document);
    },
  );

  it("reports OPA's 4xx error body", async () => {
    const double = await opa({
      answer: () => ({
        status: 400,
        body: { code: 'invalid_parameter', message: 'body contains malformed input document' },
      }),
    });
    const engine = await engineFor(double.url);

    const evaluation = await engine.evaluate(INPUT);

    expect(evaluation.decision).toBe('error');
    expect(evaluation.error).toBe(
      'OPA answered 400: invalid_parameter: body contains malformed input document',
    );
  });

  it("reports OPA's 5xx evaluation error with its details", async () => {
    const double = await opa({
      answer: () => ({
        status: 500,
        body: {
          code: 'internal_error',
          message: 'error(s) occurred while evaluating query',
          errors: [
            {
              code: 'eval_conflict_error',
              message: 'complete rules must not produce multiple outputs',
              location: { file: 'decision.rego', row: 7, col: 1 },
            },
          ],
        },
      }),
    });
    const engine = await engineFor(double.url);

    const evaluation = await engine.evaluate(INPUT);

    expect(evaluation).toMatchObject({ decision: 'error', allow: false });
    expect(evaluation.error).toBe(
      'OPA answered 500: internal_error: error(s) occurred while evaluating query (complete rules must not produce multiple outputs)',
    );
  });

  it('reports a non-JSON error page from a proxy in front of OPA', async () => {
    const double = await opa({
      answer: () => ({ status: 502, text: '<html><body>Bad Gateway</body></html>' }),
    });
    const engine = await engineFor(double.url);

    const evaluation = await engine.evaluate(INPUT);

    expect(evaluation.decision).toBe('error');
    expect(evaluation.error).toBe('OPA answered 502: <html><body>Bad Gateway</body></html>');
  });

  it('fails closed when OPA answers later than the timeout', async () => {
    const double = await opa({
      answer: () => ({ status: 200, body: { result: { allow: true, reasons: [] } }, delayMs: 500 }),
    });
    const engine = await engineFor(double.url, 50);

    const evaluation = await engine.evaluate(INPUT);

    expect(evaluation.decision).toBe('error');
    expect(evaluation.allow).toBe(false);
    expect(evaluation.error).toBe(`OPA at ${double.url} did not answer within 50 ms`);
  });

  it('fails closed when OPA is unreachable', async () => {
    const double = await startOpaDouble();
    await double.close();
    const engine = await engineFor(double.url);

    const evaluation = await engine.evaluate(INPUT);

    expect(evaluation.decision).toBe('error');
    expect(evaluation.error).toMatch(
      new RegExp(`^OPA at ${double.url} is unreachable: .*ECONNREFUSED`),
    );
  });

  it('reads the policy version from the bundle revisions OPA reports', async () => {
    const double = await opa({
      documents: decide({ allow: true, reasons: [] }),
      bundles: { policy_gateway: 'rev-2026-11-28.3', shared: 'a1b2c3' },
    });
    const engine = await engineFor(double.url);
    expect(engine.policyVersion).toBe(`opa:${double.url}`);

    await engine.evaluate(INPUT);

    expect(engine.policyVersion).toBe(
      `opa:${double.url}#policy_gateway@rev-2026-11-28.3,shared@a1b2c3`,
    );
  });

  it('names the server as the version when OPA serves plain files without a bundle revision', async () => {
    const double = await opa({ documents: decide({ allow: true, reasons: [] }) });
    const engine = await engineFor(double.url);

    await engine.evaluate(INPUT);

    expect(engine.policyVersion).toBe(`opa:${double.url}`);
  });

  it('answers error once closed, without calling OPA', async () => {
    const double = await opa({ documents: decide({ allow: true, reasons: [] }) });
    const engine = await engineFor(double.url);
    await engine.close();

    const evaluation = await engine.evaluate(INPUT);

    expect(evaluation.decision).toBe('error');
    expect(evaluation.error).toBe('the OPA policy engine is closed');
    expect(double.requests).toHaveLength(0);
  });

  it.each([
    { note: 'not a URL', url: 'opa:8181', message: 'OPA URL must' },
    { note: 'another scheme', url: 'ftp://opa:8181', message: 'OPA URL must use http or https' },
    { note: 'a query string', url: 'http://opa:8181/?x=1', message: 'must not have a query' },
  ])('refuses to start with a bad OPA URL: $note', async ({ url, message }) => {
    await expect(
      OpaPolicyEngine.start({ url, policyPath: POLICY_PATH, timeoutMs: 100 }),
    ).rejects.toThrow(message);
  });

  it('refuses to start with a timeout that is not positive', async () => {
    await expect(
      OpaPolicyEngine.start({ url: 'http://opa:8181', policyPath: POLICY_PATH, timeoutMs: 0 }),
    ).rejects.toThrow('OPA timeout must be a positive number');
  });

  it('is the engine createPolicyEngine builds when an OPA URL is given, keeping a base path', async () => {
    const double = await opa({
      answer: (request) =>
        request.url.startsWith('/opa/v1/data/policy_gateway/decision')
          ? { status: 200, body: { result: { allow: true, reasons: [] } } }
          : { status: 404, body: { code: 'resource_not_found', message: request.url } },
    });
    const engine = await createPolicyEngine({
      opaUrl: `${double.url}/opa/`,
      bundleDir: '/nonexistent',
      policyPath: POLICY_PATH,
      opaTimeoutMs: 2_000,
    });
    open.push(engine);

    const evaluation = await engine.evaluate(INPUT);

    expect(engine.name).toBe('opa');
    expect(engine.policyPath).toBe(POLICY_PATH);
    expect(evaluation.decision).toBe('allow');
  });
});

describe('dataApiPath', () => {
  it.each([
    {
      note: 'a nested rule',
      path: 'data.policy_gateway.decision',
      expected: 'data/policy_gateway/decision',
    },
    { note: 'the whole data document', path: 'data', expected: 'data' },
  ])('maps $note to its Data API path', ({ path, expected }) => {
    expect(dataApiPath(path)).toBe(expected);
  });

  it.each([
    { note: 'no data root', path: 'policy_gateway.decision' },
    { note: 'a bracketed segment', path: 'data.policy_gateway["decision"]' },
    { note: 'an empty segment', path: 'data..decision' },
  ])('rejects $note', ({ path }) => {
    expect(() => dataApiPath(path)).toThrow('policy path must be "data" followed by');
  });
});
