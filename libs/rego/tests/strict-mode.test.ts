import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RegoCompileError, RegoEngine } from '../src/index.js';

/** The first line of each strict-mode error of one module. */
function strictErrors(source: string, regoVersion: 'v0' | 'v1' = 'v1'): string[] {
  const engine = new RegoEngine({ strict: true, regoVersion });
  return engine
    .check([{ fileName: 'p.rego', source }])
    .map((e) => `${e.code}: ${e.message.split('\n')[0]}`);
}

const CASES: ReadonlyArray<{
  readonly note: string;
  readonly source: string;
  readonly regoVersion?: 'v0';
  readonly want: readonly string[];
}> = [
  {
    note: 'unused imports, with or without an alias',
    source:
      'package p\n\nimport data.lib\nimport input.user as u\nimport data.used\n\nx := used.y\n',
    want: [
      'rego_compile_error: p.rego:3:1: import data.lib unused',
      'rego_compile_error: p.rego:4:1: import input.user as u unused',
    ],
  },
  {
    note: 'an import that shadows another (the compiler rejects it, strict or not)',
    source: 'package p\n\nimport data.a.foo\nimport data.b.foo\n\nx { foo }\n',
    regoVersion: 'v0',
    want: ['rego_compile_error: p.rego:4:1: import data.b.foo shadows an earlier import of foo'],
  },
  {
    note: 'a local assigned and never read',
    source: 'package p\n\nallow if {\n  user := input.user\n  input.user == "admin"\n}\n',
    want: ['rego_compile_error: p.rego:4:3: assigned var user unused'],
  },
  {
    note: 'a local assigned in a comprehension and never read',
    source: 'package p\n\nxs := [x | some x in input.xs; y := x * 2]\n',
    want: ['rego_compile_error: p.rego:3:32: assigned var y unused'],
  },
  {
    note: 'a function argument no definition reads',
    source: 'package p\n\nf(a, b) := a\n',
    want: [
      'rego_compile_error: p.rego:3:6: unused argument b. (hint: use _ (wildcard variable) instead)',
    ],
  },
  {
    note: 'a deprecated builtin (v0; v1 does not know it at all)',
    source: 'package p\n\nx := any([true, false])\n',
    regoVersion: 'v0',
    want: ['rego_type_error: p.rego:3:6: deprecated built-in function calls in expression: any'],
  },
  {
    note: 'a rule named input and a variable named data (v0; v1 rejects both without strict mode)',
    source: 'package p\n\ninput = 1\n\nq { data := 2; data > 1 }\n',
    regoVersion: 'v0',
    want: [
      'rego_compile_error: p.rego:3:1: rules must not shadow input (use a different rule name)',
      'rego_compile_error: p.rego:5:5: variables must not shadow data (use a different variable name)',
    ],
  },
  {
    note: 'a clean policy',
    source: `package p

import data.roles

default allow := false

allow if {
  some role in input.user.roles
  grants := roles[role]
  input.action in grants
}

names := {name | some user in input.users; name := user.name}

f(x, _) := x + 1
`,
    want: [],
  },
];

describe('strict mode', () => {
  for (const c of CASES) {
    it(`reports ${c.note}`, () => {
      expect(strictErrors(c.source, c.regoVersion)).toEqual(c.want);
    });
  }

  it('is off by default: the same unused variable compiles', () => {
    const engine = new RegoEngine();
    engine.addModule('p.rego', 'package p\n\nallow if {\n  x := 1\n  true\n}\n');
    expect(engine.evalRule('data.p.allow')).toBe(true);
  });

  it('makes addModules fail with the first error, with its file, line and column', () => {
    const engine = new RegoEngine({ strict: true });
    let thrown: unknown;
    try {
      engine.addModule('p.rego', 'package p\n\nimport data.lib\n\nx := 1\n');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RegoCompileError);
    expect(thrown).toMatchObject({
      code: 'rego_compile_error',
      file: 'p.rego',
      line: 3,
      column: 1,
    });
  });

  it('finds no error in the gateway policy shipped in services/policy-gateway/policies', () => {
    const dir = resolve(
      dirname(fileURLToPath(import.meta.url)),
      '../../../services/policy-gateway/policies',
    );
    const files = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.rego'));
    expect(files.length).toBeGreaterThan(3);
    const engine = new RegoEngine({ strict: true });
    const errors = engine.check(
      files.map((f) => ({ fileName: f, source: readFileSync(join(dir, f), 'utf8') })),
    );
    expect(errors.map((e) => e.message.split('\n')[0])).toEqual([]);
  });
});
