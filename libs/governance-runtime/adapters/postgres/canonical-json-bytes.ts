/**
 * RFC 8785 canonical JSON written straight from JSON text held as UTF-8 bytes (a jsonb column
 * as a binary COPY row carries it), without decoding the text or building a value: the
 * verifier's digest stream canonicalises two or three jsonb columns per entry, and parsing
 * them into objects to write them again cost more than both of an entry's hashes.
 *
 * PostgreSQL writes jsonb nearly canonically already: strings escaped exactly as
 * `JSON.stringify` escapes them, no duplicate member names. What differs is the layout (a
 * space after `:` and `,`), the member order (by length, then bytes) and numbers (`1.50`,
 * `1e2`), so this copies strings as bytes, drops the spaces, puts members in UTF-16 order and
 * rewrites a number only where ECMAScript would write it differently. Whatever it cannot
 * prove it writes as `canonicalJson(JSON.parse(text))` would (a member name outside printable
 * ASCII, an escape `JSON.stringify` would not write, a duplicate name, text that is not JSON)
 * makes it give up, and the caller takes that slower path: the output is either identical to
 * it or not written at all (a test holds the two together over generated and server-written
 * texts).
 */
import { PreimageBytes } from './preimage-bytes.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Thrown inside to give up; never leaves this module. */
const GIVE_UP = new Error('not canonicalisable from its bytes');

/**
 * Writes the canonical JSON of the JSON text `source[start, end)` to `out` and returns true,
 * or writes nothing and returns false where it cannot vouch for the result: the caller then
 * writes `canonicalJson(JSON.parse(text))`, which also throws where that text has no canonical
 * form.
 */
export function writeCanonicalJsonBytes(
  source: Buffer,
  start: number,
  end: number,
  out: PreimageBytes,
): boolean {
  const mark = out.length;
  const reader = READER;
  reader.reset(source, start, end, out);
  try {
    reader.value();
    reader.skipSpace();
    if (reader.at !== end) throw GIVE_UP;
    return true;
  } catch {
    // Also a stack overflow on absurd nesting: the slow path decides what that is.
    out.truncate(mark);
    return false;
  }
}

/**
 * The members of the objects being written, four numbers each (name start and end in the
 * source, member start and end in the output), shared by all nesting levels as a stack.
 */
let members = new Int32Array(256);

/**
 * One text's reading. A single reader serves every call (`reset`), since a call runs to its
 * end without another starting: the verifier canonicalises a few texts per entry, and an
 * object per text was most of what the digest allocated.
 */
class JsonBytesReader {
  at = 0;
  #source: Buffer = Buffer.alloc(0);
  #end = 0;
  #out: PreimageBytes = new PreimageBytes();
  /** The top of `members`, in numbers. */
  #top = 0;

  reset(source: Buffer, start: number, end: number, out: PreimageBytes): void {
    this.#source = source;
    this.at = start;
    this.#end = end;
    this.#out = out;
    this.#top = 0;
  }

  skipSpace(): void {
    const source = this.#source;
    while (this.at < this.#end) {
      const c = source[this.at]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.at += 1;
    }
  }

  value(): void {
    this.skipSpace();
    if (this.at >= this.#end) throw GIVE_UP;
    const c = this.#source[this.at]!;
    if (c === QUOTE) this.#string(false);
    else if (c === 0x7b) this.#object();
    else if (c === 0x5b) this.#array();
    else if (c === MINUS || (c >= ZERO && c <= NINE)) this.#number();
    else if (c === 0x74) this.#literal('true');
    else if (c === 0x66) this.#literal('false');
    else if (c === 0x6e) this.#literal('null');
    else throw GIVE_UP;
  }

  #object(): void {
    const out = this.#out;
    const objectStart = out.length;
    out.char(0x7b);
    this.at += 1;
    this.skipSpace();
    if (this.#byte(this.at) === 0x7d) {
      this.at += 1;
      out.char(0x7d);
      return;
    }
    const base = this.#top;
    let count = 0;
    for (;;) {
      this.skipSpace();
      if (this.#byte(this.at) !== QUOTE) throw GIVE_UP;
      if (count > 0) out.char(COMMA);
      const memberStart = out.length;
      const nameStart = this.at + 1;
      this.#string(true);
      const nameEnd = this.at - 1;
      this.skipSpace();
      if (this.#byte(this.at) !== COLON) throw GIVE_UP;
      this.at += 1;
      out.char(COLON);
      // Pushed before the value, whose own members go above it.
      const slot = this.#push(nameStart, nameEnd, memberStart);
      this.value();
      members[slot + 3] = out.length;
      count += 1;
      this.skipSpace();
      const c = this.#byte(this.at);
      this.at += 1;
      if (c === 0x7d) break;
      if (c !== COMMA) throw GIVE_UP;
    }
    out.char(0x7d);
    let ordered = true;
    for (let i = 1; i < count; i += 1) {
      const order = this.#compareNames(base + (i - 1) * 4, base + i * 4);
      // Equal names: JSON.parse keeps the last, which this does not attempt.
      if (order === 0) throw GIVE_UP;
      if (order > 0) ordered = false;
    }
    if (!ordered) this.#reorder(objectStart, base, count);
    this.#top = base;
  }

  #array(): void {
    const out = this.#out;
    out.char(0x5b);
    this.at += 1;
    this.skipSpace();
    if (this.#byte(this.at) === 0x5d) {
      this.at += 1;
      out.char(0x5d);
      return;
    }
    for (;;) {
      this.value();
      this.skipSpace();
      const c = this.#byte(this.at);
      this.at += 1;
      if (c === 0x5d) break;
      if (c !== COMMA) throw GIVE_UP;
      out.char(COMMA);
    }
    out.char(0x5d);
  }

  /**
   * A string, copied as its bytes when they are what `JSON.stringify` writes for it. A member
   * name must be printable ASCII with no escape, so that its bytes sort as its UTF-16 code
   * units do.
   */
  #string(name: boolean): void {
    const source = this.#source;
    const start = this.at;
    let at = start + 1;
    for (;;) {
      if (at >= this.#end) throw GIVE_UP;
      const c = source[at]!;
      if (c === QUOTE) break;
      if (c < 0x20) throw GIVE_UP;
      if (name && (c > 0x7e || c === BACKSLASH)) throw GIVE_UP;
      if (c === BACKSLASH) at = this.#escape(at);
      else at += 1;
    }
    at += 1;
    this.#out.bytes(source, start, at);
    this.at = at;
  }

  /** The end of the escape at `at`, when it is one `JSON.stringify` writes. */
  #escape(at: number): number {
    const source = this.#source;
    const c = this.#byte(at + 1);
    // \" \\ \b \f \n \r \t
    if (
      c === QUOTE ||
      c === BACKSLASH ||
      c === 0x62 ||
      c === 0x66 ||
      c === 0x6e ||
      c === 0x72 ||
      c === 0x74
    ) {
      return at + 2;
    }
    // \u00XX, lower-case hex, for the control characters without a short escape.
    if (c !== 0x75 || at + 6 > this.#end) throw GIVE_UP;
    if (source[at + 2] !== ZERO || source[at + 3] !== ZERO) throw GIVE_UP;
    const high = source[at + 4]!;
    const low = source[at + 5]!;
    if (high !== ZERO && high !== 0x31) throw GIVE_UP;
    const lowValue =
      low >= ZERO && low <= NINE ? low - ZERO : low >= 0x61 && low <= 0x66 ? low - 0x57 : -1;
    if (lowValue < 0) throw GIVE_UP;
    const code = (high - ZERO) * 16 + lowValue;
    if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) {
      throw GIVE_UP;
    }
    return at + 6;
  }

  /**
   * A number, copied where its text is what ECMAScript writes for its value: an integer of at
   * most 15 digits, or a decimal fraction of at most 15 significant digits, no trailing zero
   * and not below 1e-6 (written in exponent form). At most 15 digits name one double and come
   * back as themselves, so the shortest text for that double is this one. Anything else is
   * written from its value.
   */
  #number(): void {
    const source = this.#source;
    const end = this.#end;
    const start = this.at;
    let at = start;
    if (source[at] === MINUS) at += 1;
    const intStart = at;
    if (this.#byte(at) === ZERO) {
      at += 1;
    } else {
      while (at < end && source[at]! >= ZERO && source[at]! <= NINE) at += 1;
    }
    const intDigits = at - intStart;
    if (intDigits === 0) throw GIVE_UP;
    let fracDigits = 0;
    let leadingZeros = 0;
    let lastFrac = 0;
    if (this.#byte(at) === DOT) {
      at += 1;
      const fracStart = at;
      while (at < end && source[at]! >= ZERO && source[at]! <= NINE) at += 1;
      fracDigits = at - fracStart;
      if (fracDigits === 0) throw GIVE_UP;
      while (leadingZeros < fracDigits && source[fracStart + leadingZeros] === ZERO) {
        leadingZeros += 1;
      }
      lastFrac = source[at - 1]!;
    }
    let exponent = false;
    const e = this.#byte(at);
    if (e === 0x65 || e === 0x45) {
      exponent = true;
      at += 1;
      if (this.#byte(at) === 0x2b || this.#byte(at) === MINUS) at += 1;
      const expStart = at;
      while (at < end && source[at]! >= ZERO && source[at]! <= NINE) at += 1;
      if (at === expStart) throw GIVE_UP;
    }
    this.at = at;
    const zeroInteger = source[intStart] === ZERO;
    const plain =
      !exponent &&
      (fracDigits === 0
        ? intDigits <= 15 && !(zeroInteger && start !== intStart)
        : lastFrac !== ZERO &&
          (zeroInteger
            ? leadingZeros <= 5 && fracDigits - leadingZeros <= 15
            : intDigits + fracDigits <= 15));
    if (plain) {
      this.#out.bytes(source, start, at);
      return;
    }
    const value = Number(source.toString('latin1', start, at));
    // NaN cannot come from this grammar; Infinity is refused by the slow path, in its words.
    if (!Number.isFinite(value)) throw GIVE_UP;
    this.#out.text(JSON.stringify(value));
  }

  #literal(word: string): void {
    const source = this.#source;
    if (this.at + word.length > this.#end) throw GIVE_UP;
    for (let i = 0; i < word.length; i += 1) {
      if (source[this.at + i] !== word.charCodeAt(i)) throw GIVE_UP;
    }
    this.#out.bytes(source, this.at, this.at + word.length);
    this.at += word.length;
  }

  /** The byte at `at`, or -1 past the text (the buffer goes on with other fields). */
  #byte(at: number): number {
    return at < this.#end ? this.#source[at]! : -1;
  }

  #push(nameStart: number, nameEnd: number, memberStart: number): number {
    const slot = this.#top;
    if (slot + 4 > members.length) {
      const grown = new Int32Array(members.length * 2);
      grown.set(members);
      members = grown;
    }
    members[slot] = nameStart;
    members[slot + 1] = nameEnd;
    members[slot + 2] = memberStart;
    this.#top = slot + 4;
    return slot;
  }

  /** The order of two member names (printable ASCII: bytes order as UTF-16 code units). */
  #compareNames(a: number, b: number): number {
    const source = this.#source;
    const aStart = members[a]!;
    const aLength = members[a + 1]! - aStart;
    const bStart = members[b]!;
    const bLength = members[b + 1]! - bStart;
    const common = Math.min(aLength, bLength);
    for (let i = 0; i < common; i += 1) {
      const d = source[aStart + i]! - source[bStart + i]!;
      if (d !== 0) return d;
    }
    return aLength - bLength;
  }

  /** Rewrites the object written from `objectStart` with its members in canonical order. */
  #reorder(objectStart: number, base: number, count: number): void {
    const out = this.#out;
    const written = Buffer.from(out.view().subarray(objectStart));
    const order = Array.from({ length: count }, (_, i) => base + i * 4);
    order.sort((a, b) => this.#compareNames(a, b));
    for (let i = 1; i < count; i += 1) {
      // Equal names, apart in the text: JSON.parse keeps the last, which this does not attempt.
      if (this.#compareNames(order[i - 1]!, order[i]!) === 0) throw GIVE_UP;
    }
    out.truncate(objectStart);
    out.char(0x7b);
    for (let i = 0; i < count; i += 1) {
      const slot = order[i]!;
      if (i > 0) out.char(COMMA);
      out.bytes(written, members[slot + 2]! - objectStart, members[slot + 3]! - objectStart);
    }
    out.char(0x7d);
  }
}

const READER = new JsonBytesReader();
