// The schema kinds and formats the contract adds to TypeBox: the JSON Schema they emit (which the
// service validates and serialises with, and `/openapi.json` shows) and how `Value.Check` reads
// them (which the Workbench relies on).
import { Errors } from '@sinclair/typebox/errors';
import { Check } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_DECISIONS,
  AuditEntrySchema,
  DateTime,
  JsonObject,
  NullableString,
  StringEnum,
  Uuid,
} from '../src/index.js';

const json = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema));

describe('the JSON Schema the kinds emit', () => {
  it('spells a string enum as `enum`, the keyword the service words as "must be one of"', () => {
    expect(json(AuditEntrySchema.properties.decision)).toEqual({
      type: 'string',
      enum: ['allow', 'deny', 'error'],
    });
    expect(AuditEntrySchema.properties.decision.enum).toEqual([...AUDIT_DECISIONS]);
  });

  it('spells a nullable string as a type list, which the serialiser writes without trying alternatives', () => {
    expect(json(NullableString({ description: 'd' }))).toEqual({
      type: ['string', 'null'],
      description: 'd',
    });
  });

  it('spells a free-form object as a bare `type: object`', () => {
    expect(json(JsonObject())).toEqual({ type: 'object' });
  });

  it('copies the enum values, so a schema never shares an array with its source', () => {
    const values = ['a', 'b'];
    const schema = StringEnum(values);
    values.push('c');
    expect(schema.enum).toEqual(['a', 'b']);
  });
});

describe('Value.Check on the kinds', () => {
  const cases = [
    { note: 'an enum member', schema: StringEnum(['a', 'b']), value: 'b', valid: true },
    { note: 'a string outside the enum', schema: StringEnum(['a', 'b']), value: 'c', valid: false },
    { note: 'a non-string for an enum', schema: StringEnum(['1']), value: 1, valid: false },
    { note: 'null for a nullable string', schema: NullableString(), value: null, valid: true },
    { note: 'a string for a nullable string', schema: NullableString(), value: '', valid: true },
    {
      note: 'undefined for a nullable string',
      schema: NullableString(),
      value: undefined,
      valid: false,
    },
    { note: 'a number for a nullable string', schema: NullableString(), value: 0, valid: false },
    { note: 'an object', schema: JsonObject(), value: { a: [1] }, valid: true },
    { note: 'an array for an object', schema: JsonObject(), value: [], valid: false },
    { note: 'null for an object', schema: JsonObject(), value: null, valid: false },
    {
      note: 'a UUIDv7',
      schema: Uuid(),
      value: '0193a6f2-1111-7abc-8def-000000000001',
      valid: true,
    },
    {
      note: 'an upper-case UUID',
      schema: Uuid(),
      value: '0193A6F2-1111-7ABC-8DEF-000000000001',
      valid: true,
    },
    {
      note: 'a UUID without dashes',
      schema: Uuid(),
      value: '0193a6f211117abc8def000000000001',
      valid: false,
    },
    { note: 'a UTC date-time', schema: DateTime(), value: '2026-11-28T07:00:00Z', valid: true },
    {
      note: 'a date-time with fraction and offset',
      schema: DateTime(),
      value: '2026-11-28T07:00:00.123456+01:00',
      valid: true,
    },
    {
      note: '29 February of a leap year',
      schema: DateTime(),
      value: '2028-02-29T00:00:00Z',
      valid: true,
    },
    {
      note: '29 February of a common year',
      schema: DateTime(),
      value: '2026-02-29T00:00:00Z',
      valid: false,
    },
    {
      note: 'a date-time without offset',
      schema: DateTime(),
      value: '2026-11-28T07:00:00',
      valid: false,
    },
    { note: 'a date alone', schema: DateTime(), value: '2026-11-28', valid: false },
    { note: 'hour 24', schema: DateTime(), value: '2026-11-28T24:00:00Z', valid: false },
  ];
  for (const { note, schema, value, valid } of cases) {
    it(`${valid ? 'accepts' : 'refuses'} ${note}`, () => {
      expect(Check(schema, value)).toBe(valid);
    });
  }

  it('names the offending member of a nested value', () => {
    const entry = {
      id: '0193a6f2-1111-7abc-8def-000000000001',
      decision_id: 'd',
      occurred_at: '2026-11-28T07:00:00.000000Z',
      user_id: 'u',
      action: 'policy.evaluate',
      decision: 'allow',
      reasons: [{ code: 'c', message: 'm', severity: 'grave' }],
      policy_path: 'p',
      policy_version: 'v',
      policy_engine: 'embedded',
      input: {},
      result: null,
      error: null,
      latency_ms: 1,
      request_id: null,
      client_request_id: null,
      client_address: null,
      user_agent: null,
      gateway_instance: 'gw',
      idempotency_key: null,
      request_digest: null,
      principal_id: 'key:k1',
      chain: null,
      masking: null,
      sealed_original: null,
      sealed_original_state: null,
      shadow: null,
      enforced: true,
    };
    expect(Check(AuditEntrySchema, entry)).toBe(false);
    expect(Errors(AuditEntrySchema, entry).First()?.path).toBe('/reasons/0/severity');
    expect(Check(AuditEntrySchema, { ...entry, reasons: [] })).toBe(true);
  });
});
