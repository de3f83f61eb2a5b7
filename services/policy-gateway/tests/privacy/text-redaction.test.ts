// In-text redaction: each reported span is replaced, wherever it occurs, by a marker of its kind.
import { describe, expect, it } from 'vitest';
import { foldTextWithOffsets } from '../../src/policy/prompt-folding.js';
import { FOLDED_OTHERWISE, redactText, WITHHELD_PROMPT } from '../../src/privacy/text-redaction.js';

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

  it('redacts a span the prompt also holds in another case, as found in the folded prompt', () => {
    expect(
      redactText('to JANE@Example.COM, cc jane@example.com', [
        { code: 'pii.email', text: 'jane@example.com' },
      ]),
    ).toEqual({
      text: 'to [pii.email], cc [pii.email]',
      redacted: [{ code: 'pii.email', count: 2 }],
    });
  });

  it('redacts a span found only in the folded form of a prompt with doubled spaces', () => {
    expect(
      redactText('card 4111  1111 1111 1111 ok', [
        { code: 'pii.payment_card', text: '4111 1111 1111 1111' },
      ]).text,
    ).toBe('card [pii.payment_card] ok');
  });

  // What redaction relies on to skip folding: a prompt FOLDED_OTHERWISE does not match folds to
  // its lower-cased text, unit for unit. Checked against the folding itself, so that a change of
  // folding that breaks it fails here.
  it.each([
    {
      note: 'printable ASCII with single spaces',
      text: 'Refund 4111-1111 to Jane.Doe@EXAMPLE.com!',
    },
    { note: 'every printable ASCII character', text: asciiPrintable() },
    { note: 'leading and trailing space', text: ' A b C ' },
    { note: 'empty', text: '' },
  ])('folds a prompt of $note to its lower-cased text at the same offsets', ({ text }) => {
    expect(FOLDED_OTHERWISE.test(text)).toBe(false);
    const folded = foldTextWithOffsets(text);
    expect(folded.text).toBe(text.toLowerCase());
    expect(folded.starts).toEqual([...text].map((_, i) => i));
    expect(folded.ends).toEqual([...text].map((_, i) => i + 1));
  });

  it.each([
    { note: 'two spaces', text: 'a  b' },
    { note: 'a tab', text: 'a\tb' },
    { note: 'a line break', text: 'a\nb' },
    { note: 'a non-ASCII letter', text: 'café' },
    { note: 'a zero-width space', text: 'a\u200Bb' },
  ])('folds a prompt with $note with its offsets, not by lower-casing it', ({ text }) => {
    expect(FOLDED_OTHERWISE.test(text)).toBe(true);
  });
});

function asciiPrintable(): string {
  let text = '';
  for (let code = 0x20; code <= 0x7e; code += 1) text += String.fromCharCode(code);
  return text;
}
