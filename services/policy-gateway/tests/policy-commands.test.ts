/**
 * `policy-gateway policy test|eval|check|capabilities` (issues 14, 15), run as the installed
 * command: the shipped bundle's own tests pass through `policy test` (so CI runs them the way
 * `opa test` would), a failing test names file:line and exits 1, an error exits 2, `with`
 * mocks input and data, `eval` prints OPA's JSON shape, `check` names the place of a compile
 * error, and `capabilities` prints the engine's builtins as OPA's capabilities file types them.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_BUNDLE_DIR } from '../src/policy/create-policy-engine.js';
import { runCli } from './support/gateway-process.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'policy-commands-'));
  await writeFile(
    path.join(dir, 'authz.rego'),
    'package authz\n\nallow if input.user == data.authz.owner\n\nclash := 1 if input.a\nclash := 2 if input.a\n',
  );
  await writeFile(path.join(dir, 'data.json'), '{"authz": {"owner": "alice"}}');
  await writeFile(
    path.join(dir, 'authz_test.rego'),
    `package authz_test

import data.authz

test_owner_allowed if authz.allow with input as {"user": "alice"}

test_data_mocked if authz.allow with input as {"user": "bob"} with data.authz.owner as "bob"

test_stranger_allowed if authz.allow with input as {"user": "mallory"}
`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('policy test', () => {
  it("passes the shipped bundle's own tests", async () => {
    const result = await runCli(['policy', 'test', DEFAULT_POLICY_BUNDLE_DIR], {});
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const passed = /^PASS: (\d+)\/(\d+)$/m.exec(result.stdout);
    expect(passed?.[1]).toBe(passed?.[2]);
    expect(Number(passed?.[1])).toBeGreaterThanOrEqual(10);
  });

  it('names a failing test with file:line and exits 1; with mocks input and data', async () => {
    const result = await runCli(['policy', 'test', dir], {});
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /authz_test\.rego:9: data\.authz_test\.test_stranger_allowed: FAIL/,
    );
    expect(result.stdout).toContain('PASS: 2/3');
    expect(result.stdout).toContain('FAIL: 1/3');
  });

  it('--run selects tests by regex, --verbose lists the passing ones', async () => {
    const result = await runCli(['policy', 'test', dir, '--run', 'owner|mocked', '--verbose'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/test_owner_allowed: PASS/);
    expect(result.stdout).toMatch(/test_data_mocked: PASS/);
    expect(result.stdout).not.toContain('stranger');
  });

  it('exits 2 when a test cannot be evaluated', async () => {
    const file = path.join(dir, 'clash_test.rego');
    await writeFile(
      file,
      'package clash_test\n\nimport data.authz\n\ntest_clash if authz.clash == 1 with input as {"a": true}\n',
    );
    try {
      const result = await runCli(['policy', 'test', dir, '--run', 'clash'], {});
      expect(result.code).toBe(2);
      expect(result.stdout).toMatch(/test_clash: ERROR\n {2}.*eval_conflict_error/);
    } finally {
      await rm(file);
    }
  });
});

describe('policy eval and check', () => {
  it("prints OPA's result shape", async () => {
    const input = path.join(dir, 'input.json');
    await writeFile(input, '{"user": "alice"}');
    const result = await runCli(['policy', 'eval', '-d', dir, '-i', input, 'data.authz.allow'], {});
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      result: [
        {
          expressions: [{ value: true, text: 'data.authz.allow', location: { row: 1, col: 1 } }],
        },
      ],
    });
  });

  it('reports a compile error with file:line:col and exits 1', async () => {
    const bad = await mkdtemp(path.join(tmpdir(), 'policy-check-'));
    try {
      await writeFile(path.join(bad, 'bad.rego'), 'package bad\n\nx := y\n');
      const result = await runCli(['policy', 'check', bad], {});
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/bad\.rego:3:6: var y is unsafe/);
      const good = await runCli(['policy', 'check', DEFAULT_POLICY_BUNDLE_DIR], {});
      expect(good.code).toBe(0);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });

  it('with --schema and --strict, prints every type and strict-mode error one per line and exits 1', async () => {
    const bad = await mkdtemp(path.join(tmpdir(), 'policy-check-schema-'));
    try {
      await writeFile(
        path.join(bad, 'typed.rego'),
        'package typed\n\nimport data.unused\n\nallow if input.user.nam == "a"\n\nx := upper(input.user.roles)\n',
      );
      const schema = path.join(bad, 'input-schema.json');
      await writeFile(
        schema,
        JSON.stringify({
          type: 'object',
          properties: {
            user: {
              type: 'object',
              properties: { name: { type: 'string' }, roles: { type: 'array', items: {} } },
            },
          },
        }),
      );
      const modules = path.join(bad, 'typed.rego');
      const result = await runCli(['policy', 'check', '--strict', '--schema', schema, modules], {});
      expect(result.code).toBe(1);
      const file = path.relative(process.cwd(), modules);
      expect(result.stderr.split('\n')).toEqual([
        `${file}:3:1: import data.unused unused`,
        `${file}:5:10: undefined ref: input.user.nam`,
        `${file}:7:6: upper: invalid argument(s)`,
        '',
      ]);
      const lenient = await runCli(['policy', 'check', modules], {});
      expect([lenient.code, lenient.stderr]).toEqual([0, '']);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });

  it('reads a schema directory as opa check does: input.json, and a/b.json as schema.a.b', async () => {
    const bad = await mkdtemp(path.join(tmpdir(), 'policy-check-schemas-'));
    try {
      const schemas = path.join(bad, 'schemas');
      await mkdir(path.join(schemas, 'log'), { recursive: true });
      await writeFile(
        path.join(schemas, 'input.json'),
        '{"type": "object", "properties": {"prompt": {"type": "string"}}}',
      );
      await writeFile(
        path.join(schemas, 'log', 'event.json'),
        '{"type": "object", "properties": {"result": {"type": "object"}}}',
      );
      const policies = path.join(bad, 'policies');
      await mkdir(policies);
      await writeFile(
        path.join(policies, 'p.rego'),
        'package p\n\nlong if count(input.promt) > 5\n',
      );
      await writeFile(
        path.join(policies, 'mask.rego'),
        '# METADATA\n# schemas:\n#   - input: schema.log.event\npackage mask\n\nx if input.reslt\n\ny if input.result\n',
      );
      const result = await runCli(['policy', 'check', '--schema', schemas, policies], {});
      expect(result.code).toBe(1);
      const file = (name: string) => path.relative(process.cwd(), path.join(policies, name));
      expect(result.stderr.split('\n')).toEqual([
        `${file('mask.rego')}:6:6: undefined ref: input.reslt`,
        `${file('p.rego')}:3:15: undefined ref: input.promt`,
        '',
      ]);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });

  it('passes the shipped bundle in strict mode', async () => {
    const result = await runCli(['policy', 'check', '--strict', DEFAULT_POLICY_BUNDLE_DIR], {});
    expect([result.code, result.stderr]).toEqual([0, '']);
  });

  it('answers bad usage with one line and exit 2', async () => {
    const result = await runCli(['policy', 'eval', '-d', dir], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('policy-gateway: policy eval: give exactly one query\n');
  });
});

describe('policy capabilities', () => {
  it("prints the engine's builtins in OPA's capabilities shape, typed as OPA declares them", async () => {
    const result = await runCli(['policy', 'capabilities'], {});
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as {
      builtins: Array<{ name: string; decl: unknown }>;
      future_keywords: string[];
      features: string[];
    };
    const opa = JSON.parse(
      await readFile(
        new URL('../../../libs/rego/capabilities/opa-capabilities.json', import.meta.url),
        'utf8',
      ),
    ) as { builtins: Array<{ name: string; decl: unknown }> };
    const declared = new Map(opa.builtins.map((b) => [b.name, b]));
    expect(printed.builtins.length).toBeGreaterThan(150);
    for (const builtin of printed.builtins) expect(builtin).toEqual(declared.get(builtin.name));
    expect(printed.builtins.map((b) => b.name)).toEqual(
      expect.arrayContaining(['regex.match', 'print', 'walk', 'internal.member_2']),
    );
    expect(printed.future_keywords).toContain('if');
    expect(printed.features).toContain('rego_v1');
  });

  it('answers an argument with one line and exit 2', async () => {
    const result = await runCli(['policy', 'capabilities', 'extra'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('policy-gateway: policy capabilities: takes no arguments\n');
  });
});
