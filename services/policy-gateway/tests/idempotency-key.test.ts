import { describe, expect, it } from 'vitest';
import { idempotencyKeyOf } from '../src/api/idempotency-key.js';
import { ApiProblem } from '../src/api/problem.js';

describe('idempotencyKeyOf', () => {
  it('is undefined without the header', () => {
    expect(idempotencyKeyOf({})).toBeUndefined();
  });

  const accepted = [
    {
      note: 'a UUID',
      value: '8e03978e-40d5-43e8-bc93-6894a57f9324',
      key: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    },
    {
      note: 'the quoted form of the draft, naming the same key',
      value: '"8e03978e-40d5"',
      key: '8e03978e-40d5',
    },
    { note: 'one character', value: 'k', key: 'k' },
    { note: '255 characters', value: 'k'.repeat(255), key: 'k'.repeat(255) },
    {
      note: 'any visible ASCII',
      value: '!#$%&()*+,-./:;<=>?@[]^_`{|}~',
      key: '!#$%&()*+,-./:;<=>?@[]^_`{|}~',
    },
  ];
  it.each(accepted)('accepts $note', ({ value, key }) => {
    expect(idempotencyKeyOf({ 'idempotency-key': value })).toBe(key);
  });

  const refused = [
    { note: 'an empty value', value: '' },
    { note: 'empty quotes', value: '""' },
    { note: '256 characters', value: 'k'.repeat(256) },
    { note: 'a space', value: 'two words' },
    { note: 'a repeated header, joined by Node', value: 'a, b' },
    { note: 'a non-ASCII character', value: 'clé' },
    { note: 'a control character', value: 'a\tb' },
    { note: 'a quote inside the quoted form', value: '"a"b"' },
    { note: 'a backslash inside the quoted form', value: '"a\\b"' },
  ];
  it.each(refused)('refuses $note with INVALID_IDEMPOTENCY_KEY', ({ value }) => {
    let thrown: unknown;
    try {
      idempotencyKeyOf({ 'idempotency-key': value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApiProblem);
    expect(thrown).toMatchObject({ code: 'INVALID_IDEMPOTENCY_KEY', field: 'Idempotency-Key' });
  });
});
