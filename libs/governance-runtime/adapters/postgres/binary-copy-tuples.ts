/**
 * The rows of a `COPY … TO STDOUT (FORMAT binary)` stream, from the chunks it arrives in: the
 * 19-byte header, then per row a 16-bit field count and per field a 32-bit length (-1 for
 * NULL) and that many bytes, then a count of -1. Fields are left where they are in the chunk
 * (`CopyTuple` is a reused view of offsets), so a text field can be copied or hashed as UTF-8
 * bytes without becoming a string. A row split across chunks is completed by copying only
 * its own bytes, not the rest of the chunk that completes it (a chunk is tens of kilobytes,
 * a row about one). (`pg-copy-streams-binary` decodes every field into a value, the cost
 * this avoids.)
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, flags (32 bits), header extension length (32 bits). */
const HEADER_LENGTH = SIGNATURE.length + 8;

/** One row: its fields as byte ranges of `buffer`, valid until the next row is parsed. */
export class CopyTuple {
  buffer: Buffer = Buffer.alloc(0);
  fieldCount = 0;
  readonly starts: Int32Array;
  /** The field's length in bytes, -1 for NULL. */
  readonly lengths: Int32Array;

  constructor(maxFields: number) {
    this.starts = new Int32Array(maxFields);
    this.lengths = new Int32Array(maxFields);
  }

  isNull(field: number): boolean {
    return this.lengths[field]! < 0;
  }

  /** A text field as a string ('' for NULL). */
  text(field: number): string {
    const length = this.lengths[field]!;
    if (length <= 0) return '';
    const start = this.starts[field]!;
    return this.buffer.toString('utf8', start, start + length);
  }

  /**
   * A field of decimal digits (a seq) as a number, read from its bytes without a string;
   * anything else (a sign, a NULL, a long number) as `Number` of its text.
   */
  integer(field: number): number {
    const length = this.lengths[field]!;
    if (length <= 0 || length > 15) return Number(this.ascii(field));
    const buffer = this.buffer;
    const start = this.starts[field]!;
    let value = 0;
    for (let at = start; at < start + length; at += 1) {
      const digit = buffer[at]! - 0x30;
      if (digit < 0 || digit > 9) return Number(this.ascii(field));
      value = value * 10 + digit;
    }
    return value;
  }

  /** A field known to be ASCII (ids, hashes, numbers, timestamps), decoded the cheap way. */
  ascii(field: number): string {
    const length = this.lengths[field]!;
    if (length <= 0) return '';
    const start = this.starts[field]!;
    return this.buffer.toString('latin1', start, start + length);
  }
}

export class BinaryCopyTuples {
  readonly #tuple: CopyTuple;
  #pending: Buffer | undefined;
  #headerRead = false;
  #ended = false;

  /** `maxFields`: the most fields a row may have; a row with more is refused. */
  constructor(maxFields: number) {
    this.#tuple = new CopyTuple(maxFields);
  }

  /** Calls `onTuple` for every row completed by `chunk`, in order. */
  push(chunk: Buffer, onTuple: (tuple: CopyTuple) => void): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined && this.#headerRead) {
      const rowLength = splitRowLength(pending, chunk, this.#tuple.starts.length);
      if (rowLength === undefined) {
        // The row goes on past this chunk too (or its lengths do): wait for more.
        this.#pending = Buffer.concat([pending, chunk]);
        return;
      }
      const taken = rowLength - pending.length;
      this.#rows(Buffer.concat([pending, chunk.subarray(0, taken)]), 0, onTuple);
      this.#rows(chunk, taken, onTuple);
      return;
    }
    const buffer = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    if (!this.#headerRead) {
      if (buffer.length < HEADER_LENGTH) {
        this.#pending = buffer;
        return;
      }
      if (!buffer.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
        throw new Error('not a binary COPY stream: its signature is missing');
      }
      const extension = buffer.readInt32BE(SIGNATURE.length + 4);
      if (buffer.length < HEADER_LENGTH + extension) {
        this.#pending = buffer;
        return;
      }
      offset = HEADER_LENGTH + extension;
      this.#headerRead = true;
    }
    this.#rows(buffer, offset, onTuple);
  }

  /** Calls `onTuple` for every whole row of `buffer` from `offset`, and keeps what is left. */
  #rows(buffer: Buffer, offset: number, onTuple: (tuple: CopyTuple) => void): void {
    if (this.#ended && offset < buffer.length) {
      throw new Error('a binary COPY stream has data after its end');
    }
    const tuple = this.#tuple;
    const maxFields = tuple.starts.length;
    tuple.buffer = buffer;
    while (offset + 2 <= buffer.length) {
      const fieldCount = buffer.readInt16BE(offset);
      if (fieldCount === -1) {
        this.#ended = true;
        offset += 2;
        break;
      }
      if (fieldCount < 0 || fieldCount > maxFields) {
        throw new Error(
          `a binary COPY row has ${fieldCount} fields; at most ${maxFields} expected`,
        );
      }
      let at = offset + 2;
      let complete = true;
      for (let field = 0; field < fieldCount; field += 1) {
        if (at + 4 > buffer.length) {
          complete = false;
          break;
        }
        const length = buffer.readInt32BE(at);
        at += 4;
        tuple.starts[field] = at;
        tuple.lengths[field] = length;
        if (length > 0) at += length;
        if (at > buffer.length) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      tuple.fieldCount = fieldCount;
      onTuple(tuple);
      offset = at;
    }
    if (offset < buffer.length) {
      if (this.#ended) throw new Error('a binary COPY stream has data after its end');
      // Copied, so that the rest of the chunk can be collected.
      this.#pending = Buffer.from(buffer.subarray(offset));
    }
  }

  /** Throws unless the stream ended with its trailer and no partial row. */
  end(): void {
    if (!this.#ended || this.#pending !== undefined) {
      throw new Error('a binary COPY stream ended in the middle of a row');
    }
  }
}

/**
 * The length of the row that starts `first` (a row's start, not all of it) and goes on in
 * `second`, or undefined when `second` does not complete it. The trailer (a field count of
 * -1), and a field count the parser refuses, count as 2 bytes: what it reads to decide.
 */
function splitRowLength(first: Buffer, second: Buffer, maxFields: number): number | undefined {
  const total = first.length + second.length;
  const byteAt = (at: number) => (at < first.length ? first[at]! : second[at - first.length]!);
  if (total < 2) return undefined;
  const fieldCount = (((byteAt(0) << 8) | byteAt(1)) << 16) >> 16;
  if (fieldCount < 0 || fieldCount > maxFields) return 2;
  let at = 2;
  for (let field = 0; field < fieldCount; field += 1) {
    if (at + 4 > total) return undefined;
    const length =
      (byteAt(at) << 24) | (byteAt(at + 1) << 16) | (byteAt(at + 2) << 8) | byteAt(at + 3);
    at += 4;
    if (length > 0) at += length;
    if (at > total) return undefined;
  }
  return at;
}
