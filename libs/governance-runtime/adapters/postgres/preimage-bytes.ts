/**
 * A hash preimage assembled as UTF-8 bytes in one buffer reused from entry to entry: runs of
 * bytes copied as they came from the database, and texts encoded in place, then hashed as
 * they are. Building the same text as a JavaScript string would allocate it, and hashing it
 * would encode it again.
 */
export class PreimageBytes {
  #buffer = Buffer.allocUnsafe(4096);
  #length = 0;

  reset(): void {
    this.#length = 0;
  }

  /** One ASCII character. */
  char(code: number): void {
    this.#reserve(1);
    this.#buffer[this.#length] = code;
    this.#length += 1;
  }

  bytes(source: Buffer, start: number, end: number): void {
    this.#reserve(end - start);
    this.#length += copyBytes(source, start, end, this.#buffer, this.#length);
  }

  text(value: string): void {
    // At most 3 bytes per UTF-16 code unit.
    this.#reserve(value.length * 3);
    this.#length += this.#buffer.write(value, this.#length);
  }

  /** ASCII text (no character above U+007F), one byte per character. */
  ascii(value: string): void {
    this.#reserve(value.length);
    this.#length += this.#buffer.write(value, this.#length, 'latin1');
  }

  /** A non-negative integer's decimal digits; anything else as `String` writes it. */
  digits(value: number): void {
    if (!(value >= 0 && Number.isSafeInteger(value))) {
      this.ascii(String(value));
      return;
    }
    let count = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) count += 1;
    this.#reserve(count);
    let rest = value;
    for (let at = this.#length + count - 1; at >= this.#length; at -= 1) {
      this.#buffer[at] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    this.#length += count;
  }

  /** `source[start, end)` as lower-case hex digits. */
  hex(source: Buffer, start: number, end: number): void {
    this.#reserve((end - start) * 2);
    const buffer = this.#buffer;
    let at = this.#length;
    for (let i = start; i < end; i += 1) {
      const byte = source[i]!;
      buffer[at] = HEX_DIGITS[byte >> 4]!;
      buffer[at + 1] = HEX_DIGITS[byte & 15]!;
      at += 2;
    }
    this.#length = at;
  }

  /** The bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Drops what was written after the first `length` bytes. */
  truncate(length: number): void {
    if (length < this.#length) this.#length = length;
  }

  /** The bytes so far (a view, valid until the next change). */
  view(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }

  #reserve(more: number): void {
    const needed = this.#length + more;
    if (needed <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * Below this many bytes a copy is a loop here: `Buffer#copy` checks its arguments in
 * JavaScript before copying natively, which costs more than copying a hash or a short run.
 */
const SHORT_COPY = 128;

/** `source.copy(target, at, start, end)`, cheaper for the short runs a preimage is made of. */
export function copyBytes(
  source: Buffer,
  start: number,
  end: number,
  target: Buffer,
  at: number,
): number {
  const length = end - start;
  if (length >= SHORT_COPY) return source.copy(target, at, start, end);
  for (let i = 0; i < length; i += 1) target[at + i] = source[start + i]!;
  return length;
}
