import { describe, expect, it } from 'vitest';
import { fromJs } from '../src/value/index.js';
import { call, callError } from './builtin-harness.js';

const SCHEMA = `
  type Employee { id: String! salary: Int! }
  type Query { employeeByID(id: String): Employee }
`;

describe('graphql builtins', () => {
  it('validate a query against a schema, as text or as the ASTs parse_* return', () => {
    expect(call('graphql.is_valid', '{ employeeByID(id: "alice") { salary } }', SCHEMA)).toBe(true);
    expect(call('graphql.is_valid', '{ employeeByID(id: "alice") { bonus } }', SCHEMA)).toBe(false);
    expect(call('graphql.is_valid', '{ employeeByID(', SCHEMA)).toBe(false);
    const query = call('graphql.parse_query', '{ employeeByID(id: "a") { id } }');
    const schema = call('graphql.parse_schema', SCHEMA);
    // As values: the harness would take a JavaScript object with a `kind` for a value.
    expect(call('graphql.is_valid', fromJs(query), fromJs(schema))).toBe(true);
    expect((query as { kind: string }).kind).toBe('Document');
  });

  it('read GraphQL as OPA does: an empty query is valid, extensions may define types', () => {
    expect(call('graphql.is_valid', '', 'type T { a: String @deprecated }')).toBe(true);
    const extended = 'extend type Query { me: User } extend type User { id: ID! }';
    expect(call('graphql.schema_is_valid', extended)).toBe(true);
    expect(call('graphql.is_valid', '{ me { id } }', extended)).toBe(true);
  });

  it('parse_and_verify answers [true, query, schema] or [false, {}, {}]; parse fails instead', () => {
    const [ok, query, schema] = call(
      'graphql.parse_and_verify',
      '{ employeeByID { id } }',
      SCHEMA,
    ) as [boolean, { kind: string }, { kind: string }];
    expect([ok, query.kind, schema.kind]).toEqual([true, 'Document', 'Document']);
    expect(call('graphql.parse_and_verify', '{ nope }', SCHEMA)).toEqual([false, {}, {}]);
    expect(callError('graphql.parse', '{ nope }', SCHEMA)).toMatch(
      /^graphql\.parse: Cannot query field "nope" on type "Query"/,
    );
  });

  it('schema_is_valid is false for a schema that does not build', () => {
    expect(call('graphql.schema_is_valid', SCHEMA)).toBe(true);
    expect(call('graphql.schema_is_valid', 'type Query { a: Missing }')).toBe(false);
    expect(call('graphql.schema_is_valid', 'type {')).toBe(false);
  });
});
