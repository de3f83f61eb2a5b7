/**
 * Where a text a detector found in the folded prompt (`input.normalized.prompt`) stands in the
 * original: a card number written in full-width digits, or an e-mail address with a zero-width
 * space inside, is reported as the folded text (`4111 1111 …`), which the original does not
 * hold verbatim. Folding keeps, for each unit of its output, the range of the original it came
 * from, so every occurrence maps back to one range that the redaction can replace.
 */
import { type FoldedTextWithOffsets, foldTextWithOffsets } from './prompt-folding.js';

export interface OriginalSpan {
  readonly start: number;
  readonly end: number;
}

/** Folds an original once, then answers where each folded text stands in it. */
export class OriginalSpans {
  readonly #folded: FoldedTextWithOffsets;

  constructor(original: string) {
    this.#folded = foldTextWithOffsets(original);
  }

  /**
   * Every range of the original whose folded form is `folded` (empty when none is).
   *
   * @example
   * new OriginalSpans('card ４１１１').of('4111'); // [{ start: 5, end: 9 }]
   */
  of(folded: string): OriginalSpan[] {
    const { text, starts, ends } = this.#folded;
    const spans: OriginalSpan[] = [];
    if (folded === '') return spans;
    for (let at = text.indexOf(folded); at !== -1; at = text.indexOf(folded, at + 1)) {
      const start = starts[at];
      const end = ends[at + folded.length - 1];
      if (start !== undefined && end !== undefined) spans.push({ start, end });
    }
    return spans;
  }
}
