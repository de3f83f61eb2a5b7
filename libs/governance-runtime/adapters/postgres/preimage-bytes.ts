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
