/**
 * `writeCanonicalJsonBytes` against the encoder it stands in for, `canonicalJson(JSON.parse(…))`:
 * over generated values (nesting, member names that sort differently by length and by code
 * unit, unicode, escapes, numbers of every magnitude) written as `JSON.stringify` and as a
 * jsonb-like text with spaces and shuffled members, over hand-written texts that only the slow
 * path may write (or refuse), and over the texts a real PostgreSQL server writes for jsonb.
 * Each text sits between unrelated bytes, as a field of a COPY row does.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/canonical-json.js';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import { writeCanonicalJsonBytes } from '../../postgres/canonical-json-bytes.js';
import { PreimageBytes } from '../../postgres/preimage-bytes.js';

/** A deterministic generator of JSON values with what canonical JSON is particular about. */
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const asciiNames = ['a', 'b', 'B', 'ab', 'abc', 'z', 'Z', '10', '9', '0', 'a b', '', 'user_id'];
  const otherNames = ['é', '\uE000', '😀', 'z\n', '"q"', 'back\\slash', '\u007f'];
  const strings = [
    'plain',
    '',
    'tab\tnew\nline\rfeed\fback\b',
    'quote " backslash \\ slash /',
    'controls \u0001\u001f\u007f\u0080',
    'é 漢字 ß',
    '😀 and 𝄞',
    '\u2028\u2029\uFEFF',
    '\uE000\uFFFF',
  ];
  const number = (): number => {
    const r = next();
    if (r < 0.2) return Math.floor(next() * 2 ** 31) * (next() < 0.5 ? -1 : 1);
    if (r < 0.35)
      return pick([0, -0, 1, -1.5, 0.1, 0.1 + 0.2, 1e21, 1e-7, 5e-7, 1e-6, 2 ** 53 + 2]);
    if (r < 0.55) return Math.round(next() * 10 ** Math.floor(next() * 8)) / 10 ** pick([1, 2, 3]);
    if (r < 0.7) return next() * 10 ** Math.floor(next() * 40 - 20);
    return (next() - 0.5) * 10 ** Math.floor(next() * 600 - 300);
  };
  const value = (depth: number, asciiOnly: boolean): unknown => {
    const r = next();
    if (depth > 3 || r < 0.35) {
      const s = next();
      if (s < 0.45) return pick(strings) + (next() < 0.5 ? '' : pick(strings));
      if (s < 0.85) return number();
      return pick([true, false, null]);
    }
    if (r < 0.55) {
      return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1, asciiOnly));
    }
    const object: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 6); i > 0; i -= 1) {
      const name = asciiOnly || next() < 0.8 ? pick(asciiNames) : pick(otherNames);
      object[name] = value(depth + 1, asciiOnly);
    }
    return object;
  };
  return { next, value };
}

/** JSON text laid out as jsonb writes it (`": "`, `", "`), members in a shuffled order. */
function jsonbLike(value: unknown, next: () => number): string {
  if (Array.isArray(value)) return `[${value.map((v) => jsonbLike(v, next)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const names = Object.keys(value).sort(() => next() - 0.5);
    const members = names.map(
      (name) =>
        `${JSON.stringify(name)}: ${jsonbLike((value as Record<string, unknown>)[name], next)}`,
    );
    return `{${members.join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** The slow path's text, or `throws` where it refuses the text. */
function expected(text: string): string {
  try {
    return canonicalJson(JSON.parse(text)) ?? 'undefined';
  } catch {
    return 'throws';
  }
}

/** The fast path's text between unrelated bytes, or undefined where it gave up. */
function fast(text: string, out = new PreimageBytes()): string | undefined {
  const before = Buffer.from('{"x": [1, ');
  const field = Buffer.from(text);
  const source = Buffer.concat([before, field, Buffer.from('}, 7"] ')]);
  out.reset();
  out.text('prefix');
  const wrote = writeCanonicalJsonBytes(source, before.length, before.length + field.length, out);
  const written = out.view().toString('utf8');
  if (!wrote) {
    expect(written).toBe('prefix');
    return undefined;
  }
  return written.slice('prefix'.length);
}

describe('writeCanonicalJsonBytes', () => {
  it('writes exactly what canonicalJson writes of the parsed text, for JSON.stringify and jsonb-like layouts', () => {
    const { next, value } = generator(7);
    const out = new PreimageBytes();
    let wrote = 0;
    let asciiTexts = 0;
    let asciiWrote = 0;
    for (let i = 0; i < 6000; i += 1) {
      const asciiOnly = i % 2 === 0;
      const v = value(0, asciiOnly);
      for (const text of [JSON.stringify(v), jsonbLike(v, next)]) {
        const written = fast(text, out);
        if (asciiOnly) asciiTexts += 1;
        if (written === undefined) continue;
        wrote += 1;
        if (asciiOnly) asciiWrote += 1;
        expect(written, text).toBe(expected(text));
      }
    }
    // Values whose member names are printable ASCII never need the slow path.
    expect(asciiWrote).toBe(asciiTexts);
    expect(wrote).toBeGreaterThan(asciiTexts);
  });

  it.each([
    {
      note: 'trailing zeros and exponents are written from the value',
      text: '[1.50, 1e2, 1E+2, 2.5e-3]',
    },
    { note: 'a negative zero is zero', text: '[-0, -0.0, 0.0, -0e5]' },
    { note: 'below 1e-6 ECMAScript writes an exponent', text: '[0.0000001, 0.000001, 0.00000123]' },
    {
      note: 'past 15 digits the double decides',
      text: '[123456789012345678, 0.1000000000000000055511151231257827, 1234567890.123456]',
    },
    {
      note: 'at most 15 digits come back as written',
      text: '[999999999999999, -0.000012345678901234, 12345.6789]',
    },
    {
      note: 'an escaped slash or letter is not what JSON.stringify writes',
      text: '["\\/", "\\u00e9", "\\u0041", "\\u000a", "\\u001F"]',
    },
    {
      note: 'control characters are escaped in lower case',
      text: '["\\u0001\\u001f\\b\\f\\n\\r\\t\\"\\\\"]',
    },
    { note: 'a duplicate member name keeps the last value', text: '{"a": 1, "b": 2, "a": 3}' },
    {
      note: 'names that sort differently by length and by code unit',
      text: '{"b": 1, "aa": 2, "aaa": {"z": [], "y": {}}, "": 0}',
    },
    { note: 'names outside printable ASCII', text: '{"😀": 1, "\uE000": 2, "é": 3}' },
    { note: 'numbers no double holds are refused', text: '[1e400]' },
    { note: 'leading zeros are not JSON', text: '[01]' },
    { note: 'a trailing comma is not JSON', text: '[1, ]' },
    { note: 'text after the value is not JSON', text: '{} {}' },
    { note: 'an unterminated string is not JSON', text: '["abc' },
    {
      note: 'literals and deep nesting',
      text: '[[[[[[true, false, null, {"a": [{"b": {}}]}]]]]]]',
    },
    { note: 'whitespace of every kind', text: ' \n\t{ "b" :\r1 , "a" : [ ] } \n' },
  ])('$note', ({ text }) => {
    const written = fast(text);
    if (written !== undefined) expect(written).toBe(expected(text));
  });

  it('takes the fast path for what an audit entry usually holds', () => {
    for (const text of [
      '{"prompt": "please summarise document 1", "user_id": "user-1"}',
      '[{"code": "pii.email", "message": "e-mail address", "severity": "high"}]',
      '{"allow": false, "reasons": [], "score": 0.25}',
      'false',
    ]) {
      expect(fast(text)).toBe(expected(text));
    }
  });
});

describe('writeCanonicalJsonBytes over the jsonb text a PostgreSQL server writes', () => {
  let database: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('writes exactly what canonicalJson writes of the parsed text', async () => {
    const { value } = generator(11);
    const values = Array.from({ length: 4000 }, (_, i) => value(0, i % 2 === 0));
    const { rows } = await client.query<{ text: string }>(
      'select t::jsonb::text as text from unnest($1::text[]) with ordinality as u(t, n) order by n',
      [values.map((v) => JSON.stringify(v))],
    );
    expect(rows).toHaveLength(values.length);
    const out = new PreimageBytes();
    let wrote = 0;
    for (const [i, { text }] of rows.entries()) {
      const written = fast(text, out);
      if (i % 2 === 0) expect(written, text).toBeDefined();
      if (written === undefined) continue;
      wrote += 1;
      expect(written, text).toBe(expected(text));
    }
    expect(wrote).toBeGreaterThan(values.length / 2);
  });
});
