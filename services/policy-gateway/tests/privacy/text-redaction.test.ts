// In-text redaction: each reported span is replaced, wherever it occurs, by a marker of its kind.
import { describe, expect, it } from 'vitest';
import { redactText, WITHHELD_PROMPT } from '../../src/privacy/text-redaction.js';

describe('redactText', () => {
  it('replaces every occurrence of a span by its marker and counts them', () => {
    expect(
      redactText('to jane@example.com, cc jane@example.com', [
        { code: 'pii.email', text: 'jane@example.com' },
      ]),
    ).toEqual({
      text: 'to [pii.email], cc [pii.email]',
      redacted: [{ code: 'pii.email', count: 2 }],
    });
  });

  it('finds a span reported lower-cased in the prompt as written', () => {
    expect(
      redactText('Password: Hunter2Secret!', [
        { code: 'secret.credential_assignment', text: 'password: hunter2secret!' },
      ]).text,
    ).toBe('[secret.credential_assignment]');
  });

  it('merges overlapping spans into one marker, the earlier one naming it', () => {
    const result = redactText('id 4111111111111111 end', [
      { code: 'pii.payment_card', text: '4111111111111111' },
      { code: 'pii.phone_number', text: '1111111111' },
    ]);
    expect(result.text).toBe('id [pii.payment_card] end');
    expect(result.redacted).toEqual([{ code: 'pii.payment_card', count: 1 }]);
  });

  it('withholds the whole prompt when a reported span is not in it', () => {
    const result = redactText('nothing to see', [{ code: 'pii.email', text: 'a@b.example' }]);
    expect(result.text).toBe(WITHHELD_PROMPT);
  });

  it('leaves a prompt without spans as it is', () => {
    expect(redactText('hello', [])).toEqual({ text: 'hello', redacted: [] });
  });
});
