// Mask rules behave as OPA documents `data.system.log.mask`: pointers erase, upserts
// overwrite (creating what is missing), and the event records `erased` and `masked` only for
// what was there to change.
import { describe, expect, it } from 'vitest';
import {
  applyMaskRules,
  type MaskableEvent,
  MaskPolicyError,
  parseMaskRules,
} from '../../src/privacy/mask-rules.js';

interface Case {
  readonly note: string;
  readonly mask: unknown[];
  readonly event: MaskableEvent;
  readonly expected: MaskableEvent;
  readonly erased: string[];
  readonly masked: string[];
}

const input = () => ({
  prompt: 'hello',
  user_id: 'u-1',
  context: { ssn: '123-45-6789', tags: ['a', 'b', 'c'], nested: { card: '4111' } },
});
const result = () => ({ allow: true, reasons: [] as unknown[] });

const cases: Case[] = [
  {
    note: 'a pointer erases the member it names',
    mask: ['/input/context/ssn'],
    event: { input: input(), result: result() },
    expected: {
      input: {
        prompt: 'hello',
        user_id: 'u-1',
        context: { tags: ['a', 'b', 'c'], nested: { card: '4111' } },
      },
      result: result(),
    },
    erased: ['/input/context/ssn'],
    masked: [],
  },
  {
    note: 'a pointer to nothing changes nothing and is not recorded',
    mask: ['/input/context/passport', '/input/missing/deeper'],
    event: { input: input(), result: result() },
    expected: { input: input(), result: result() },
    erased: [],
    masked: [],
  },
  {
    note: '{"op": "remove"} is the same as the bare pointer',
    mask: [{ op: 'remove', path: '/input/context/nested/card' }],
    event: { input: input(), result: result() },
    expected: {
      input: { ...input(), context: { ...input().context, nested: {} } },
      result: result(),
    },
    erased: ['/input/context/nested/card'],
    masked: [],
  },
  {
    note: 'an array element is addressed by index and removed',
    mask: ['/input/context/tags/1'],
    event: { input: input(), result: result() },
    expected: {
      input: { ...input(), context: { ...input().context, tags: ['a', 'c'] } },
      result: result(),
    },
    erased: ['/input/context/tags/1'],
    masked: [],
  },
  {
    note: 'erasing the whole input leaves it null',
    mask: ['/input'],
    event: { input: input(), result: result() },
    expected: { input: null, result: result() },
    erased: ['/input'],
    masked: [],
  },
  {
    note: 'an upsert overwrites a member and is recorded as masked',
    mask: [{ op: 'upsert', path: '/input/prompt', value: '**REDACTED**' }],
    event: { input: input(), result: result() },
    expected: { input: { ...input(), prompt: '**REDACTED**' }, result: result() },
    erased: [],
    masked: ['/input/prompt'],
  },
  {
    note: 'an upsert creates the objects missing on its way',
    mask: [{ op: 'upsert', path: '/result/audit/note', value: 'masked' }],
    event: { input: input(), result: result() },
    expected: { input: input(), result: { ...result(), audit: { note: 'masked' } } },
    erased: [],
    masked: ['/result/audit/note'],
  },
  {
    note: 'an upsert through a string does nothing and is not recorded',
    mask: [{ op: 'upsert', path: '/input/prompt/first', value: 'x' }],
    event: { input: input(), result: result() },
    expected: { input: input(), result: result() },
    erased: [],
    masked: [],
  },
  {
    note: 'a rule on an absent result does nothing',
    mask: ['/result/reasons'],
    event: { input: input(), result: null },
    expected: { input: input(), result: null },
    erased: [],
    masked: [],
  },
  {
    note: 'percent-escapes in a segment name members with a slash',
    mask: ['/input/context/a%2Fb'],
    event: { input: { context: { 'a/b': 1, a: { b: 2 } } }, result: null },
    expected: { input: { context: { a: { b: 2 } } }, result: null },
    erased: ['/input/context/a%2Fb'],
    masked: [],
  },
  {
    note: 'rules apply in order: a member erased first is then created again by an upsert',
    mask: ['/input/context/ssn', { op: 'upsert', path: '/input/context/ssn', value: '***' }],
    event: { input: input(), result: result() },
    expected: {
      input: { ...input(), context: { ...input().context, ssn: '***' } },
      result: result(),
    },
    erased: ['/input/context/ssn'],
    masked: ['/input/context/ssn'],
  },
];

describe('mask rules as OPA applies them', () => {
  for (const c of cases) {
    it(c.note, () => {
      const event = structuredClone(c.event);
      const outcome = applyMaskRules(event, parseMaskRules(c.mask));
      expect(event).toEqual(c.expected);
      expect(outcome).toEqual({ erased: c.erased, masked: c.masked });
    });
  }
});

describe('mask values OPA refuses as a whole', () => {
  const refused: { note: string; mask: unknown; message: RegExp }[] = [
    {
      note: 'a pointer outside input and result',
      mask: ['/decision_id'],
      message: /prefix not allowed: decision_id/,
    },
    {
      note: 'a pointer without its leading slash',
      mask: ['input/prompt'],
      message: /slash-prefixed/,
    },
    { note: 'an empty pointer', mask: [''], message: /non-empty/ },
    {
      note: 'an unknown op',
      mask: [{ op: 'hash', path: '/input/prompt' }],
      message: /op is not supported/,
    },
    {
      note: 'an object without a path',
      mask: [{ op: 'upsert', value: 1 }],
      message: /no string "path"/,
    },
    { note: 'a number for a rule', mask: [7], message: /string or an object/ },
    { note: 'mask not a set', mask: '/input/prompt', message: /must be a set/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.note}`, () => {
      expect(() => parseMaskRules(c.mask)).toThrow(MaskPolicyError);
      expect(() => parseMaskRules(c.mask)).toThrow(c.message);
    });
  }

  it('reads an undefined mask rule as no rules', () => {
    expect(parseMaskRules(undefined)).toEqual([]);
  });
});
