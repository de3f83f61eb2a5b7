/**
 * The `embedded` adapter on small purpose-built bundles: start-up checks (a bundle that does
 * not compile names file:line:col), the mapping of results to decisions, and fail-closed
 * handling of undefined results, wrong shapes, runtime errors and runaway evaluations.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPolicyEngine,
  DEFAULT_POLICY_BUNDLE_DIR,
  DEFAULT_POLICY_PATH,
} from '../../src/policy/create-policy-engine.js';
import { EmbeddedPolicyEngine } from '../../src/policy/embedded-policy-engine.js';
import { loadPolicyBundle } from '../../src/policy/policy-bundle.js';
import type { PolicyEngine, PolicyInput } from '../../src/policy/policy-engine.js';

const PATH = 'data.t.decision';

const toClose: PolicyEngine[] = [];
const toRemove: string[] = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((engine) => engine.close()));
  await Promise.all(toRemove.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function bundle(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'embedded-policy-'));
  toRemove.push(dir);
  for (const [name, content] of Object.entries(files))
    await writeFile(path.join(dir, name), content);
  return dir;
}

async function start(
  files: Readonly<Record<string, string>>,
  options: { maxSteps?: number; policyPath?: string } = {},
): Promise<EmbeddedPolicyEngine> {
  const engine = await EmbeddedPolicyEngine.start({
    bundleDir: await bundle(files),
    policyPath: options.policyPath ?? PATH,
    ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
  });
  toClose.push(engine);
  return engine;
}

const input = (prompt: string): PolicyInput => ({ prompt, user_id: 'u-1', context: {} });

/** Allows everything except the prompts the test names; `odd` answers a malformed document. */
const DEMO = `package t

default decision := {"allow": true, "reasons": []}

decision := {"allow": false, "reasons": [{"code": "demo.no", "message": "said no", "severity": "low"}]} if {
	input.prompt == "no"
}

decision := {"allow": "yes", "reasons": []} if input.prompt == "odd"

decision := {"allow": false, "reasons": [{"code": "demo.bad", "message": "bad", "severity": "severe"}]} if {
	input.prompt == "bad severity"
}
`;

describe('EmbeddedPolicyEngine', () => {
  it('starts on the shipped bundle with the digest of its files as the version', async () => {
    const engine = await EmbeddedPolicyEngine.start({
      bundleDir: DEFAULT_POLICY_BUNDLE_DIR,
      policyPath: DEFAULT_POLICY_PATH,
    });
    toClose.push(engine);

    expect(engine.name).toBe('embedded');
    expect(engine.policyPath).toBe(DEFAULT_POLICY_PATH);
    expect(engine.policyVersion).toBe((await loadPolicyBundle(DEFAULT_POLICY_BUNDLE_DIR)).version);
  });

  it('is the engine createPolicyEngine builds without an OPA URL', async () => {
    const engine = await createPolicyEngine({
      bundleDir: DEFAULT_POLICY_BUNDLE_DIR,
      policyPath: DEFAULT_POLICY_PATH,
      opaTimeoutMs: 1_000,
    });
    toClose.push(engine);

    expect(engine.name).toBe('embedded');
    expect((await engine.evaluate(input('hello'))).decision).toBe('allow');
  });

  it('maps allow and deny documents to decisions and reasons', async () => {
    const engine = await start({ 'demo.rego': DEMO });

    const allowed = await engine.evaluate(input('hello'));
    const denied = await engine.evaluate(input('no'));

    expect(allowed).toMatchObject({ decision: 'allow', allow: true, reasons: [], error: null });
    expect(denied).toMatchObject({
      decision: 'deny',
      allow: false,
      reasons: [{ code: 'demo.no', message: 'said no', severity: 'low' }],
      error: null,
    });
    expect(denied.result).toEqual({
      allow: false,
      reasons: [{ code: 'demo.no', message: 'said no', severity: 'low' }],
    });
    expect(denied.decisionId).toBeUndefined();
  });

  it.each([
    { note: 'allow is not a boolean', prompt: 'odd', problem: '"allow" must be a boolean' },
    {
      note: 'a reason has an unknown severity',
      prompt: 'bad severity',
      problem: 'reasons[0].severity must be one of low, medium, high, critical',
    },
  ])('fails closed when $note', async ({ prompt, problem }) => {
    const engine = await start({ 'demo.rego': DEMO });

    const evaluation = await engine.evaluate(input(prompt));

    expect(evaluation.decision).toBe('error');
    expect(evaluation.allow).toBe(false);
    expect(evaluation.error).toContain(`${PATH} is not a decision document`);
    expect(evaluation.error).toContain(problem);
  });

  it('fails closed when the decision is undefined for an input', async () => {
    const engine = await start({
      'demo.rego': `package t\n\ndecision := {"allow": true, "reasons": []} if input.prompt != "nothing"\n`,
    });

    const evaluation = await engine.evaluate(input('nothing'));

    expect(evaluation).toMatchObject({ decision: 'error', allow: false, result: null });
    expect(evaluation.error).toBe(
      `${PATH} is undefined: the policy produced no decision (fail-closed)`,
    );
  });

  it('fails closed when evaluation raises an error', async () => {
    const engine = await start({
      'demo.rego': `package t

default decision := {"allow": true, "reasons": []}

decision := {"allow": true, "reasons": []} if input.prompt == "conflict"

decision := {"allow": false, "reasons": []} if input.prompt == "conflict"
`,
    });

    const evaluation = await engine.evaluate(input('conflict'));

    expect(evaluation.decision).toBe('error');
    expect(evaluation.error).toMatch(/^evaluating data\.t\.decision failed: /);
    // Named as in the bundle, without the server's directory (the error reaches clients).
    expect(evaluation.error).toMatch(/ demo\.rego:\d+:\d+: eval_conflict_error/);
    expect(evaluation.error).not.toContain('/demo.rego');
  });

  it('stops an evaluation that exceeds its step budget', async () => {
    const engine = await start(
      {
        'demo.rego': `package t

default decision := {"allow": true, "reasons": []}

decision := {"allow": false, "reasons": []} if {
	input.prompt == "spin"
	count([x | some x in numbers.range(1, 1000000); x % 7 == 0]) > 0
}
`,
      },
      { maxSteps: 10_000 },
    );

    const evaluation = await engine.evaluate(input('spin'));

    expect(evaluation.decision).toBe('error');
    expect(evaluation.allow).toBe(false);
    expect((await engine.evaluate(input('calm'))).decision).toBe('allow');
  });

  it('refuses to start on a bundle with a syntax error, naming file:line:col', async () => {
    const dir = await bundle({
      'ok.rego': 'package t\n\ndecision := {"allow": true, "reasons": []}\n',
      'broken.rego': 'package t\n\nhelper if {\n\tinput.prompt ==\n}\n',
    });

    const failure = EmbeddedPolicyEngine.start({ bundleDir: dir, policyPath: PATH });

    await expect(failure).rejects.toThrow(/does not compile: .*broken\.rego:\d+:\d+/s);
  });

  it("type checks the modules against the bundle's schemas/input.json: a misspelt field fails start-up", async () => {
    const schema = JSON.stringify({
      type: 'object',
      properties: { prompt: { type: 'string' }, user_id: { type: 'string' }, context: {} },
    });
    const typed = async (module: string) => {
      const dir = await bundle({ 'demo.rego': module });
      await mkdir(path.join(dir, 'schemas'));
      await writeFile(path.join(dir, 'schemas', 'input.json'), schema);
      return EmbeddedPolicyEngine.start({ bundleDir: dir, policyPath: PATH });
    };

    await expect(
      typed(DEMO.replace('input.prompt == "no"', 'input.promt == "no"')),
    ).rejects.toThrow(/does not compile: demo\.rego:6:2: undefined ref: input\.promt/);
    const engine = await typed(DEMO);
    toClose.push(engine);
    expect((await engine.evaluate(input('no'))).decision).toBe('deny');
  });

  it('refuses to start when the decision is undefined for every input', async () => {
    const dir = await bundle({ 'demo.rego': 'package t\n\nother := true\n' });

    await expect(EmbeddedPolicyEngine.start({ bundleDir: dir, policyPath: PATH })).rejects.toThrow(
      `cannot decide: ${PATH} is undefined`,
    );
  });

  it('answers error once closed', async () => {
    const engine = await start({ 'demo.rego': DEMO });
    await engine.close();

    const evaluation = await engine.evaluate(input('hello'));

    expect(evaluation).toMatchObject({
      decision: 'error',
      error: 'the embedded policy engine is closed',
    });
  });
});
