import { describe, expect, it } from 'vitest';
import { findUnstorableString } from './unstorable-string.js';

describe('findUnstorableString', () => {
  it('finds nothing in values PostgreSQL stores, paired surrogates included', () => {
    expect(findUnstorableString('plain', 'f')).toBeUndefined();
    expect(findUnstorableString({ a: ['😀', { b: 'é' }], c: null, d: 1 }, 'f')).toBeUndefined();
  });

  it('names the place of U+0000 and of an unpaired surrogate, however deep', () => {
    expect(findUnstorableString('a\u0000b', 'prompt')).toBe('prompt');
    expect(findUnstorableString(['ok', 'ok', 'bad\uD800'], 'reasons')).toBe('reasons[2]');
    expect(findUnstorableString({ context: { note: ['x', '\uDC00'] } }, 'input')).toBe(
      'input.context.note[1]',
    );
    expect(findUnstorableString([{ code: 'ok' }, { code: 'a\u0000' }], 'reasons')).toBe(
      'reasons[1].code',
    );
  });

  it('names an object whose key itself cannot be stored', () => {
    expect(findUnstorableString({ 'k\u0000': 1 }, 'input')).toBe('input key');
    expect(findUnstorableString({ context: { '\uD800': 'v' } }, 'input')).toBe('input.context key');
  });

  it('names the first offending place in member order, and only own members', () => {
    expect(findUnstorableString({ a: 'ok', b: 'x\u0000', c: '\uD800' }, 'f')).toBe('f.b');
    const inherited = Object.create({ bad: 'x\u0000' }) as Record<string, unknown>;
    inherited.good = 'fine';
    expect(findUnstorableString(inherited, 'f')).toBeUndefined();
  });

  it('answers each call on its own, after a call that found something', () => {
    expect(findUnstorableString({ a: { b: 'x\u0000' } }, 'f')).toBe('f.a.b');
    expect(findUnstorableString(['\u0000'], 'g')).toBe('g[0]');
    expect(findUnstorableString({ a: 'ok' }, 'h')).toBeUndefined();
  });
});
