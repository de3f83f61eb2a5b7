import { describe, expect, it } from 'vitest';
import { call, callError } from './builtin-harness.js';

const ID_SCHEMA = { properties: { id: { type: 'integer' } }, required: ['id'] };

describe('json.match_schema', () => {
  it('matches a document given as an object or as JSON text, against either form of schema', () => {
    expect(call('json.match_schema', { id: 5 }, ID_SCHEMA)).toEqual([true, []]);
    expect(call('json.match_schema', '{"id": 5}', JSON.stringify(ID_SCHEMA))).toEqual([true, []]);
  });

  it("reports each violation in OPA's shape: error, type, field and desc", () => {
    expect(call('json.match_schema', { id: 'foo' }, ID_SCHEMA)).toEqual([
      false,
      [
        {
          error: 'id: Invalid type. Expected: integer, given: string',
          type: 'invalid_type',
          field: 'id',
          desc: 'Invalid type. Expected: integer, given: string',
        },
      ],
    ]);
    expect(call('json.match_schema', {}, ID_SCHEMA)).toEqual([
      false,
      [
        {
          error: '(root): id is required',
          type: 'required',
          field: '(root)',
          desc: 'id is required',
        },
      ],
    ]);
  });

  it('reports every violation, with nested fields named by dots', () => {
    const schema = {
      properties: {
        user: {
          properties: { age: { minimum: 18 }, tags: { uniqueItems: true } },
          additionalProperties: false,
        },
      },
    };
    const [ok, errors] = call(
      'json.match_schema',
      {
        user: { age: 3, tags: ['a', 'a'], extra: 1 },
      },
      schema,
    ) as [boolean, Array<{ field: string; type: string }>];
    expect(ok).toBe(false);
    expect(errors.map((e) => [e.field, e.type]).sort()).toEqual([
      ['user', 'additional_property_not_allowed'],
      ['user.age', 'number_gte'],
      ['user.tags', 'unique'],
    ]);
  });

  it('rejects every document against an empty enum, as OPA does', () => {
    const [ok, errors] = call('json.match_schema', { value: 'allow' }, { enum: [] }) as [
      boolean,
      Array<{ type: string }>,
    ];
    expect(ok).toBe(false);
    expect(errors[0]?.type).toBe('enum');
  });

  it("follows the schema's draft: draft-04 exclusiveMinimum is a boolean, 2020-12 has prefixItems", () => {
    const draft04 = {
      $schema: 'http://json-schema.org/draft-04/schema#',
      minimum: 5,
      exclusiveMinimum: true,
    };
    expect((call('json.match_schema', '5', draft04) as unknown[])[0]).toBe(false);
    expect((call('json.match_schema', '6', draft04) as unknown[])[0]).toBe(true);
    const draft2020 = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      prefixItems: [{ type: 'string' }],
    };
    expect((call('json.match_schema', '[1]', draft2020) as unknown[])[0]).toBe(false);
    expect((call('json.match_schema', '["a", 1]', draft2020) as unknown[])[0]).toBe(true);
  });

  it('checks formats', () => {
    const schema = { type: 'string', format: 'email' };
    expect((call('json.match_schema', '"a@example.com"', schema) as unknown[])[0]).toBe(true);
    expect((call('json.match_schema', '"not an address"', schema) as unknown[])[0]).toBe(false);
  });

  it('fails on an invalid schema with the wording of OPA', () => {
    expect(
      callError('json.match_schema', { id: 'foo' }, { properties: { id: { type: 'unknown' } } }),
    ).toBe(
      'json.match_schema: has a primitive type that is NOT VALID -- given: /unknown/ Expected valid values are:[array boolean integer number null object string]',
    );
    expect(callError('json.match_schema', '{', ID_SCHEMA)).toMatch(
      /^json\.match_schema: document is not valid JSON/,
    );
    expect(callError('json.match_schema', 1, ID_SCHEMA)).toBe(
      'json.match_schema: operand 1 must be one of {string, object} but got number',
    );
  });

  it('never fetches a remote reference', () => {
    const schema = { $ref: 'http://127.0.0.1:1/schema.json' };
    expect(callError('json.match_schema', {}, schema)).toMatch(/^json\.match_schema: /);
  });
});

describe('json.verify_schema', () => {
  it('answers [true, null] for a valid schema and [false, why] for an invalid one', () => {
    expect(call('json.verify_schema', ID_SCHEMA)).toEqual([true, null]);
    expect(call('json.verify_schema', JSON.stringify(ID_SCHEMA))).toEqual([true, null]);
    const [ok, why] = call('json.verify_schema', { type: 'object', minLength: 'three' }) as [
      boolean,
      string,
    ];
    expect(ok).toBe(false);
    expect(why).toMatch(/minLength/);
  });
});
