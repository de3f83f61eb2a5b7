// What the evaluation step attaches to a decision's result for the audit write path (the mask
// answer, the thread's masked parts) must reach the write path and nothing else: not the stored
// JSON, not the HTTP answer, not a copy or a comparison of the result.
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  attachedToResult,
  attachmentKey,
  attachToResult,
} from '../../src/policy/result-attachment.js';

const PARTS = attachmentKey<{ readonly masked: string }>('test parts');
const OTHER = attachmentKey<string>('other');

function decision() {
  return { allow: false, reasons: [{ code: 'pii.email', severity: 'medium' }] };
}

describe('result attachments', () => {
  it('are found on the result they were attached to, under their own key only', () => {
    const result = decision();
    attachToResult(result, PARTS, { masked: '[pii.email]' });
    expect(attachedToResult(result, PARTS)).toEqual({ masked: '[pii.email]' });
    expect(attachedToResult(result, OTHER)).toBeUndefined();
    expect(attachedToResult(decision(), PARTS)).toBeUndefined();
  });

  it('never become part of the result: JSON, clones, spreads and equality leave them out', () => {
    const result = decision();
    attachToResult(result, PARTS, { masked: '[pii.email]' });
    expect(JSON.stringify(result)).toBe(JSON.stringify(decision()));
    expect(Object.keys(result)).toEqual(['allow', 'reasons']);
    expect(attachedToResult(structuredClone(result), PARTS)).toBeUndefined();
    expect(attachedToResult({ ...result }, PARTS)).toBeUndefined();
    expect(isDeepStrictEqual(result, decision())).toBe(true);
    expect(result).toStrictEqual(decision());
  });

  it('a later attachment under the same key replaces the earlier one', () => {
    const result = decision();
    attachToResult(result, PARTS, { masked: 'first' });
    attachToResult(result, PARTS, { masked: 'second' });
    expect(attachedToResult(result, PARTS)).toEqual({ masked: 'second' });
  });

  it('a result that is not an extensible object carries nothing, and attaching does not throw', () => {
    const frozen = Object.freeze(decision());
    attachToResult(frozen, PARTS, { masked: 'x' });
    expect(attachedToResult(frozen, PARTS)).toBeUndefined();
    for (const result of [null, undefined, 'allow', 1, true]) {
      attachToResult(result, PARTS, { masked: 'x' });
      expect(attachedToResult(result, PARTS)).toBeUndefined();
    }
  });
});
