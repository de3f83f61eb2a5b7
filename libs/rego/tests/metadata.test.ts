import { describe, expect, it } from 'vitest';
import { RegoEngine, RegoParseError } from '../src/index.js';

function engineWith(...sources: string[]): RegoEngine {
  // The schema that annotations name (schema.request) is given to the engine, as OPA needs.
  const engine = new RegoEngine({ schemas: { 'schema.request': { type: 'object' } } });
  engine.addModules(sources.map((source, i) => ({ fileName: `m${i}.rego`, source })));
  return engine;
}

function parseError(source: string): string {
  try {
    engineWith(source);
  } catch (error) {
    expect(error).toBeInstanceOf(RegoParseError);
    return (error as Error).message.split('\n')[0]!;
  }
  throw new Error('expected a parse error');
}

const POLICY = `# METADATA
# title: Example package
# authors:
# - Jane Doe <jane@example.com>
# - name: Bob
# organizations: [Acme]
# related_resources:
# - https://example.com/policy
# - ref: https://example.com/more
#   description: more
package policy.example

# METADATA
# scope: document
# description: Whether the request is allowed
# METADATA
# title: Allow admins
# entrypoint: true
# custom:
#   severity: high
# schemas:
# - input: schema.request
# - input.user: {type: string}
allow if {
  input.user == "admin"
  own := rego.metadata.rule()
  chain := rego.metadata.chain()
  print(own.title, count(chain))
}

allow_rule := r if r := rego.metadata.rule()

# METADATA
# title: Annotated
annotated := [rego.metadata.rule(), rego.metadata.chain()]
`;

const SUBPACKAGES = `# METADATA
# scope: subpackages
# title: Every policy
package policy
`;

describe('# METADATA and rego.metadata.*', () => {
  it("returns the rule's own annotations in OPA's shape from rego.metadata.rule()", () => {
    const engine = engineWith(POLICY, SUBPACKAGES);
    const [own] = engine.evalRule('data.policy.example.annotated') as [unknown, unknown];
    expect(own).toEqual({ scope: 'rule', title: 'Annotated' });
    expect(engine.evalRule('data.policy.example.allow_rule')).toEqual({});
    const out = engine.evalQuery('data.policy.example.allow', { input: { user: 'admin' } });
    expect(out.prints).toEqual(['m0.rego:28: Allow admins 4']);
  });

  it('keeps entrypoint, custom and schemas (refs as OPA writes ref terms, or inline definitions)', () => {
    const engine = engineWith(
      `package p\n# METADATA\n# entrypoint: true\n# custom:\n#   severity: high\n# schemas:\n# - input: schema.request\n# - input.user: {type: string}\nr := rego.metadata.rule()`,
    );
    expect(engine.evalRule('data.p.r')).toEqual({
      scope: 'rule',
      entrypoint: true,
      custom: { severity: 'high' },
      schemas: [
        {
          path: [{ type: 'var', value: 'input' }],
          schema: [
            { type: 'var', value: 'schema' },
            { type: 'string', value: 'request' },
          ],
        },
        {
          path: [
            { type: 'var', value: 'input' },
            { type: 'string', value: 'user' },
          ],
          definition: { type: 'string' },
        },
      ],
    });
  });

  it('chains the rule, its document, its package and enclosing subpackages, nearest first', () => {
    const engine = engineWith(
      `package policy.example\n# METADATA\n# scope: document\n# title: Doc\n# METADATA\n# title: Rule\nr := rego.metadata.chain()\n\nplain := rego.metadata.chain()`,
      `# METADATA\n# title: Pkg\n# authors:\n# - Jane Doe <jane@example.com>\n# related_resources:\n# - https://example.com/policy\npackage policy.example`,
      SUBPACKAGES,
    );
    const pkg = {
      path: ['policy', 'example'],
      annotations: {
        scope: 'package',
        title: 'Pkg',
        authors: [{ name: 'Jane Doe', email: 'jane@example.com' }],
        related_resources: [{ ref: 'https://example.com/policy' }],
      },
    };
    const sub = { path: ['policy'], annotations: { scope: 'subpackages', title: 'Every policy' } };
    expect(engine.evalRule('data.policy.example.r')).toEqual([
      { path: ['policy', 'example', 'r'], annotations: { scope: 'rule', title: 'Rule' } },
      { path: ['policy', 'example', 'r'], annotations: { scope: 'document', title: 'Doc' } },
      pkg,
      sub,
    ]);
    // A rule without annotations still starts the chain; the package's block comes from
    // another file of the same package.
    expect(engine.evalRule('data.policy.example.plain')).toEqual([
      { path: ['policy', 'example', 'plain'] },
      pkg,
      sub,
    ]);
  });

  it('reads a block only from column-1 comments up to the first other line', () => {
    const engine = engineWith(
      `package p\n# METADATA\n# title: T\n\n# description: not part of the block\nr := rego.metadata.rule()\n  # METADATA\ns := rego.metadata.rule()`,
    );
    expect(engine.evalRule('data.p.r')).toEqual({ scope: 'rule', title: 'T' });
    expect(engine.evalRule('data.p.s')).toEqual({});
  });

  it('reports misplaced scopes and malformed blocks at the block with file:line:col', () => {
    expect(parseError('package p\n# METADATA\n# scope: package\nr := 1')).toBe(
      "m0.rego:2:1: annotation scope 'package' must be applied to package (have rule)",
    );
    expect(parseError('# METADATA\n# scope: rule\npackage p')).toBe(
      "m0.rego:1:1: annotation scope 'rule' must be applied to rule (have package)",
    );
    expect(parseError('package p\n# METADATA\n# scope: everything\nr := 1')).toMatch(
      /^m0\.rego:2:1: invalid annotation scope 'everything'/,
    );
    expect(parseError('package p\n# METADATA\n# title: [a\nr := 1')).toMatch(
      /^m0\.rego:2:1: invalid METADATA block: /,
    );
    expect(parseError('package p\n# METADATA\n# title: [1, 2]\nr := 1')).toBe(
      'm0.rego:2:1: invalid METADATA block: title must be a string',
    );
    expect(parseError('package p\n# METADATA\n# authors:\n# - email: ""\nr := 1')).toMatch(
      /a name or an email is required/,
    );
    expect(parseError('package p\n# METADATA\n# related_resources: [not a url]\nr := 1')).toMatch(
      /invalid related-resource definition: not a url is not an absolute URL/,
    );
    expect(parseError('package p\n# METADATA\n# custom: [1]\nr := 1')).toMatch(
      /custom must be a mapping/,
    );
    expect(parseError('package p\n# METADATA\n# schemas:\n# - foo.bar: schema.x\nr := 1')).toMatch(
      /foo\.bar must be a ref under input or data/,
    );
  });

  it("reads the block as OPA's YAML library does (YAML 1.1: entrypoint: yes is true)", () => {
    expect(
      engineWith('package p\n# METADATA\n# entrypoint: yes\nr := rego.metadata.rule()').evalRule(
        'data.p.r',
      ),
    ).toEqual({ scope: 'rule', entrypoint: true });
  });

  it('answers {} and [] outside any rule', () => {
    expect(
      engineWith('package p').evalQuery('x := rego.metadata.rule(); y := rego.metadata.chain()')
        .results[0]?.bindings,
    ).toEqual({ x: {}, y: [] });
  });
});
