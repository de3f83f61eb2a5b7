/**
 * The API's JSON body parser on its own: what `JSON.parse` would let through silently (a
 * repeated key, deep nesting, a number beyond a double) is refused with the place named, keys
 * named `__proto__` stay data, and a body of any depth is answered without a stack overflow.
 */
import { describe, expect, it } from 'vitest';
import { jsonPathField, parseJsonBody } from '../src/api/json-body-parser.js';
import { checkJsonText } from '../src/api/json-text-check.js';
import { ApiProblem } from '../src/api/problem.js';

const limits = { maxDepth: 32 };

function refusal(text: string, maxDepth = limits.maxDepth): ApiProblem {
  try {
    parseJsonBody(text, { maxDepth });
  } catch (error) {
    if (error instanceof ApiProblem) return error;
    throw error;
  }
  throw new Error(`accepted ${text.slice(0, 80)}`);
}

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

describe('parseJsonBody', () => {
  const duplicates = [
    { note: 'a top-level key', text: '{"prompt": "…", "prompt": "hi"}', field: 'prompt' },
    {
      note: 'a key in a nested object',
      text: '{"context": {"a": {"b": 1, "b": 1}}}',
      field: 'context.a.b',
    },
    { note: 'the same key spelt with an escape', text: '{"a": 1, "\\u0061": 2}', field: 'a' },
    {
      note: 'a key inside an array element',
      text: '{"context": {"list": [1, {"k": 1, "k": 2}]}}',
      field: 'context.list[1].k',
    },
    {
      note: 'a key that is not an identifier',
      text: '{"context": {"a.b": 1, "a.b": 2}}',
      field: 'context["a.b"]',
    },
    {
      note: 'a key named __proto__',
      text: '{"context": {"__proto__": 1, "__proto__": 2}}',
      field: 'context.__proto__',
    },
    { note: 'an empty key', text: '{"": 1, "": 2}', field: '[""]' },
  ];
  for (const c of duplicates) {
    it(`refuses a repeated key (${c.note}) naming its path`, () => {
      const problem = refusal(c.text);
      expect(problem.code).toBe('DUPLICATE_KEY');
      expect(problem.status).toBe(400);
      expect(problem.field).toBe(c.field);
      expect(problem.detail).toContain(c.field);
    });
  }

  it('accepts the same key in different objects, and brackets and quotes inside strings', () => {
    const text =
      '{"a": {"x": 1}, "b": {"x": 1}, "list": [{"x": 1}, {"x": 2}], "s": "{[\\"x\\": ]}", "\\"": 0}';
    expect(parseJsonBody(text, limits)).toEqual({
      a: { x: 1 },
      b: { x: 1 },
      list: [{ x: 1 }, { x: 2 }],
      s: '{["x": ]}',
      '"': 0,
    });
  });

  it('accepts nesting up to the limit and refuses one level more, naming the setting', () => {
    expect(parseJsonBody('{"a": {"b": {}}}', { maxDepth: 3 })).toEqual({ a: { b: {} } });
    const problem = refusal('{"a": {"b": {"c": {}}}}', 3);
    expect(problem.code).toBe('BODY_TOO_DEEP');
    expect(problem.status).toBe(400);
    expect(problem.field).toBe('a.b.c');
    expect(problem.detail).toContain('POLICY_GATEWAY_MAX_JSON_DEPTH');
    expect(problem.detail).toContain('3 levels');
  });

  it('answers a body nested 100,000 levels deep with the depth limit, not a stack overflow', () => {
    const problem = refusal(nested(100_000));
    expect(problem.code).toBe('BODY_TOO_DEEP');
    expect(problem.field).toBe(`[${'0]['.repeat(31)}0]`);
  });

  it('answers 100,000 unclosed brackets as malformed JSON', () => {
    expect(refusal('['.repeat(100_000)).code).toBe('MALFORMED_JSON');
  });

  it('keeps a key named __proto__ as an own property, without touching any prototype', () => {
    const body = parseJsonBody(
      '{"context": {"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}}',
      limits,
    ) as { context: Record<string, unknown> };
    expect(Object.keys(body.context)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(body.context)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(body.context, '__proto__')?.value).toEqual({
      polluted: true,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(body)).toContain('"__proto__":{"polluted":true}');
  });

  const outOfRange = [
    { note: '1e400', text: '{"context": {"n": 1e400}}', field: 'context.n' },
    { note: '-1E+400', text: '{"context": {"n": -1E+400}}', field: 'context.n' },
    { note: 'an array element', text: '{"context": {"n": [0, 1.5e309]}}', field: 'context.n[1]' },
    { note: '400 digits', text: `{"n": ${'9'.repeat(400)}}`, field: 'n' },
  ];
  for (const c of outOfRange) {
    it(`refuses a number beyond a double (${c.note}) naming the field`, () => {
      const problem = refusal(c.text);
      expect(problem.code).toBe('NUMBER_OUT_OF_RANGE');
      expect(problem.status).toBe(400);
      expect(problem.field).toBe(c.field);
      expect(problem.detail).toContain(c.field);
    });
  }

  it('accepts numbers a double holds, and number-like strings', () => {
    expect(
      parseJsonBody(
        '{"a": 1e308, "b": -1.7976931348623157e308, "c": 1e-400, "d": "1e400"}',
        limits,
      ),
    ).toEqual({ a: 1e308, b: -1.7976931348623157e308, c: 0, d: '1e400' });
  });

  it('answers an empty body, and text that is not JSON, as such', () => {
    expect(refusal('').code).toBe('EMPTY_BODY');
    expect(refusal(' ').code).toBe('MALFORMED_JSON');
    const malformed = refusal('{"prompt": "x", ');
    expect(malformed.code).toBe('MALFORMED_JSON');
    expect(malformed.detail).toMatch(/^the body is not valid JSON \(.+\); send a JSON object$/);
  });

  it('skips a byte order mark, as Fastify did', () => {
    expect(parseJsonBody('\uFEFF{"a": 1}', limits)).toEqual({ a: 1 });
  });

  it('shortens a very long key where it names it', () => {
    const key = 'k'.repeat(10_000);
    const problem = refusal(`{"${key}": 1, "${key}": 2}`);
    expect(problem.field).toBe(`${'k'.repeat(64)}…`);
  });
});

describe('checkJsonText', () => {
  it('reports the first finding with its path', () => {
    expect(checkJsonText('{"a": [1, {"b": 1e999}], "a": 2}', limits)).toEqual({
      kind: 'number-out-of-range',
      path: ['a', 1, 'b'],
      literal: '1e999',
    });
    expect(checkJsonText('{"a": 1, "a": 2}', limits)).toEqual({
      kind: 'duplicate-key',
      path: ['a'],
    });
    expect(checkJsonText(nested(3), { maxDepth: 2 })).toEqual({
      kind: 'too-deep',
      path: [0, 0],
      maxDepth: 2,
    });
  });

  it('finds nothing in ordinary JSON', () => {
    expect(
      checkJsonText(
        '{"prompt": "hi", "user_id": "u", "context": {"n": [1, 2.5, -3e10, true, null]}}',
        limits,
      ),
    ).toBeUndefined();
  });
});

describe('jsonPathField', () => {
  it('writes identifiers dotted, indexes and other keys in brackets', () => {
    expect(jsonPathField([])).toBe('');
    expect(jsonPathField(['context', 'tags', 2, 'a b', '$x'])).toBe('context.tags[2]["a b"].$x');
    expect(jsonPathField([0, 'a'])).toBe('[0].a');
  });
});
