import { describe, expect, it } from 'vitest';
import { RegoCompileError, RegoEngine, RegoError } from '../src/index.js';

const INPUT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    user: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        roles: { type: 'array', items: { type: 'string' } },
      },
    },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, price: { type: 'number' } },
      },
    },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    extra: { $ref: '#/definitions/open' },
  },
  definitions: {
    open: { type: 'object', properties: { known: { type: 'string' } }, additionalProperties: true },
  },
};

/** The errors `check` reports for one module, as their first lines. */
function errorsOf(source: string, engine = new RegoEngine({ schemas: { input: INPUT_SCHEMA } })) {
  return engine.check([{ fileName: 'policy.rego', source }]);
}

describe('the type checker with an input schema', () => {
  it('rejects a field the input schema does not have, at its file:line:col, worded as OPA', () => {
    const [error, ...rest] = errorsOf('package p\n\nallow if input.user.nam == "alice"\n');
    expect(rest).toEqual([]);
    expect(error).toBeInstanceOf(RegoCompileError);
    expect(error?.code).toBe('rego_type_error');
    expect([error?.file, error?.line, error?.column]).toEqual(['policy.rego', 3, 10]);
    expect(error?.message.split('\n')).toEqual([
      'policy.rego:3:10: undefined ref: input.user.nam',
      '\tallow if input.user.nam == "alice"',
      '\t         ^',
      '\tinput.user.nam',
      '\t           ^',
      '\t           have: "nam"',
      '\t           want (one of): ["name" "roles"]',
    ]);
  });

  it('makes addModules fail with the same error, so a policy with a typo is never served', () => {
    const engine = new RegoEngine({ schemas: { input: INPUT_SCHEMA } });
    expect(() =>
      engine.addModule('policy.rego', 'package p\nallow if input.usr.name == "a"'),
    ).toThrow(/policy\.rego:2:10: undefined ref: input\.usr\.name/);
  });

  it('follows a nested field through an array of objects, by index, iteration and some … in', () => {
    const errors = errorsOf(`package p

by_index if input.items[0].prize > 1

by_var contains x if x := input.items[_].cost

by_some contains item.sku if {
  some item in input.items
}
`);
    expect(errors.map((e) => e.message.split('\n')[0])).toEqual([
      'policy.rego:3:13: undefined ref: input.items[0].prize',
      'policy.rego:5:27: undefined ref: input.items[_].cost',
      'policy.rego:7:18: undefined ref: item.sku',
    ]);
    expect(errors[0]?.message).toContain('want (one of): ["id" "price"]');
  });

  it('accepts every reference the schema allows and evaluates as before', () => {
    const engine = new RegoEngine({ schemas: { input: INPUT_SCHEMA } });
    engine.addModule(
      'policy.rego',
      `package p

allow if {
  input.user.name == "alice"
  "admin" in input.user.roles
  some item in input.items
  item.price < 10
  input.labels.team == "core"
  input.extra.anything == 1
}
`,
    );
    const input = {
      user: { name: 'alice', roles: ['admin'] },
      items: [{ id: 'a', price: 3 }],
      labels: { team: 'core' },
      extra: { anything: 1 },
    };
    expect(engine.evalRule('data.p.allow', { input })).toBe(true);
  });

  it('carries types through local variables, rules and functions', () => {
    const errors = errorsOf(`package p

user := input.user

first_item(xs) := xs[0]

a if user.email == "x"

b if {
  u := input.user
  u.nam == "x"
}

c if first_item(input.items).cost > 1
`);
    expect(errors.map((e) => e.message.split('\n')[0])).toEqual([
      'policy.rego:7:6: undefined ref: data.p.user.email',
      'policy.rego:11:3: undefined ref: u.nam',
    ]);
  });

  it('rejects a builtin called with an operand of the schema type it does not take', () => {
    const [error] = errorsOf('package p\n\nx := upper(input.user.roles)\n');
    expect(error?.message.split('\n')).toEqual([
      'policy.rego:3:6: upper: invalid argument(s)',
      '\tx := upper(input.user.roles)',
      '\t     ^',
      '\thave: (array[string])',
      '\twant: (string)',
    ]);
  });

  it('checks subtrees of data against their schemas', () => {
    const engine = new RegoEngine({
      schemas: {
        'data.users': {
          type: 'object',
          additionalProperties: { type: 'object', properties: { email: { type: 'string' } } },
        },
      },
    });
    const errors = engine.check([
      {
        fileName: 'u.rego',
        source:
          'package u\n\nok if data.users[input.id].email\n\nbad if data.users[input.id].mail\n',
      },
    ]);
    expect(errors.map((e) => e.message.split('\n')[0])).toEqual([
      'u.rego:5:8: undefined ref: data.users[input.id].mail',
    ]);
  });

  it('refuses a schema that is not one, naming the ref it was given for', () => {
    expect(() => new RegoEngine({ schemas: { input: 42 } })).toThrow(
      /schema for input: a schema must be a JSON object or a boolean/,
    );
    expect(() => new RegoEngine({ schemas: { 'input.user': {} } })).toThrow(RegoError);
    expect(() => new RegoEngine({ schemas: { input: { $ref: '#/definitions/missing' } } })).toThrow(
      /leads nowhere/,
    );
  });
});

describe('the type checker without schemas', () => {
  it('rejects a builtin called with a constant of the wrong type, as OPA does', () => {
    const errors = errorsOf(
      'package p\n\nx := upper(1)\n\ny := concat(",", [1, "a"])\n',
      new RegoEngine(),
    );
    expect(errors.map((e) => e.message.split('\n')[0])).toEqual([
      'policy.rego:3:6: upper: invalid argument(s)',
      'policy.rego:5:6: concat: invalid argument(s)',
    ]);
    expect(errors.every((e) => e.code === 'rego_type_error')).toBe(true);
  });

  it('checks a constant composite member by member, so it need not name every declared key', () => {
    const engine = new RegoEngine();
    engine.addModule(
      'p.rego',
      'package p\nx := json.patch({}, [{"op": "add", "path": "/a", "value": 1}])',
    );
    expect(engine.evalRule('data.p.x')).toEqual({ a: 1 });
    expect(
      errorsOf('package p\nx := json.patch({}, [{"op": 1, "path": "/a"}])', engine),
    ).toHaveLength(1);
  });

  it('leaves input, base data and the types of rules unchecked, so working policies still compile', () => {
    const engine = new RegoEngine();
    engine.addModule(
      'p.rego',
      `package p

y if false

a := 1 + y

b := upper(input.anything.at.all)

c := data.base.whatever[_]
`,
    );
    expect(engine.evalRule('data.p.b', { input: { anything: { at: { all: 'q' } } } })).toBe('Q');
    expect(engine.evalRule('data.p.a')).toBeUndefined();
  });
});

describe('schemas in # METADATA blocks', () => {
  const EVENT = {
    type: 'object',
    properties: {
      result: {
        type: 'object',
        properties: { reasons: { type: 'array', items: { type: 'string' } } },
      },
    },
  };

  it("type the package's rules with a named schema, and one rule with an inline definition", () => {
    const engine = new RegoEngine({ schemas: { 'schema.event': EVENT } });
    const errors = engine.check([
      {
        fileName: 'mask.rego',
        source: `# METADATA
# scope: package
# schemas:
#   - input: schema.event
package mask

reasons contains r if {
  some r in input.result.reasons
}

bad if input.result.reason

# METADATA
# schemas:
#   - input.user: {type: object, properties: {name: {type: string}}}
named if input.user.nam == "a"
`,
      },
      { fileName: 'other.rego', source: 'package other\n\nfree if input.result.reason\n' },
    ]);
    expect(errors.map((e) => e.message.split('\n')[0])).toEqual([
      'mask.rego:11:8: undefined ref: input.result.reason',
      'mask.rego:16:10: undefined ref: input.user.nam',
    ]);
  });

  it('reports a schema ref the engine was not given at the block', () => {
    const errors = errorsOf(
      'package q\n\n# METADATA\n# schemas:\n#   - input: schema.missing\nx if input.a\n',
      new RegoEngine(),
    );
    expect(errors.map((e) => [e.code, e.message.split('\n')[0]])).toEqual([
      [
        'rego_type_error',
        "policy.rego:3:1: undefined schema: schema.missing (give it to the engine as schemas['schema.missing'])",
      ],
    ]);
  });
});

describe('what JSON Schema keywords say to the type checker', () => {
  const SCHEMA = {
    type: 'object',
    properties: {
      mode: { enum: ['a', 'b'] },
      id: { anyOf: [{ type: 'string' }, { type: 'number' }] },
      pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] },
      n: { type: 'integer' },
      node: { $ref: '#/definitions/node' },
    },
    definitions: {
      node: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          kids: { type: 'array', items: { $ref: '#/definitions/node' } },
        },
      },
    },
  };
  const CASES: ReadonlyArray<{ note: string; rule: string; error?: string }> = [
    {
      note: 'integer is a number: no field under it',
      rule: 'input.n.x',
      error: 'undefined ref: input.n.x',
    },
    {
      note: 'enum of strings is a string',
      rule: 'input.mode.x',
      error: 'undefined ref: input.mode.x',
    },
    {
      note: 'a tuple has no index past its items',
      rule: 'input.pair[2]',
      error: 'undefined ref: input.pair[2]',
    },
    {
      note: 'a tuple types each item',
      rule: 'upper(input.pair[1])',
      error: 'upper: invalid argument(s)',
    },
    {
      note: 'destructuring keeps item types',
      rule: '{ [_, y] := input.pair; upper(y) }',
      error: 'upper: invalid argument(s)',
    },
    { note: 'anyOf is a union: one member fits', rule: 'upper(input.id)' },
    { note: 'a $ref is followed', rule: 'input.node.name == "x"' },
    {
      note: 'a recursive $ref is unrolled twice',
      rule: 'input.node.kids[0].nam',
      error: 'undefined ref: input.node.kids[0].nam',
    },
    {
      note: 'a recursive $ref is any below its unrolling',
      rule: 'input.node.kids[0].kids[0].anything',
    },
  ];
  for (const c of CASES) {
    it(c.note, () => {
      const engine = new RegoEngine({ schemas: { input: SCHEMA } });
      const source = `package p\n\nr if ${c.rule}\n`;
      const errors = engine.check([{ fileName: 'p.rego', source }]);
      expect(
        errors.map((e) => e.message.split('\n')[0]?.replace(/^p\.rego:\d+:\d+: /, '')),
      ).toEqual(c.error === undefined ? [] : [c.error]);
    });
  }
});
