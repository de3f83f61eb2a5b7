/**
 * A digested entry of a binary COPY row as the verifier walks it, kept as bytes: its id,
 * occurred-at, prev hash and entry hash as the row carried them, and its digest as hex, copied
 * into a shared block, with its link already checked as bytes (`hashesAsStored`, `linksTo`). The
 * strings the `DigestedAuditEntry` interface names are decoded only when something asks for
 * them (a problem to report, a checkpoint to compare, a chain's head), so that an intact entry
 * costs one small object rather than half a dozen strings and two objects that a batch keeps
 * alive until it is walked.
 *
 * The entry is its own `chain`: the link's members are getters of the same object.
 */
import { hash } from 'node:crypto';
import type { AuditChainLink } from '../../src/audit-chain-link.js';
import { AUDIT_ENTRY_HASH_VERSION, auditLinkHash } from '../../src/audit-entry-hash.js';
import type { DigestedAuditEntry } from '../../src/digested-audit-entry.js';
import type { CopyTuple } from './binary-copy-tuples.js';
import { copyBytes, type PreimageBytes } from './preimage-bytes.js';

/** The link's fields in a COPY row: id, occurred-at, seq, prev hash, entry hash. */
const ID = 0;
const OCCURRED_AT = 1;
const SEQ = 2;
const PREV_HASH = 3;
const ENTRY_HASH = 4;

/** A SHA-256 digest as lower-case hex, the way the link preimage and the stored hashes hold it. */
const DIGEST_HEX_BYTES = 64;

export class CopyDigestedEntry implements DigestedAuditEntry, AuditChainLink {
  readonly seq: number;
  /** Whether `entryHash` is `auditLinkHash(entryDigest, this)`, worked out as bytes. */
  readonly hashesAsStored: boolean;
  readonly chainId: string;
  readonly #block: Buffer;
  /** Where the id starts in `#block`; then occurred-at, prev hash, entry hash, digest. */
  readonly #start: number;
  readonly #occurredAtStart: number;
  readonly #prevHashStart: number;
  readonly #entryHashStart: number;
  readonly #digestStart: number;
  /** Why the row has no canonical form, for a row that could not be digested. */
  readonly #unencodable: string | undefined;

  constructor(
    chainId: string,
    seq: number,
    block: Buffer,
    offsets: Int32Array,
    hashesAsStored: boolean,
    unencodable: string | undefined,
  ) {
    this.chainId = chainId;
    this.seq = seq;
    this.#block = block;
    this.#start = offsets[0]!;
    this.#occurredAtStart = offsets[1]!;
    this.#prevHashStart = offsets[2]!;
    this.#entryHashStart = offsets[3]!;
    this.#digestStart = offsets[4]!;
    this.hashesAsStored = hashesAsStored;
    this.#unencodable = unencodable;
  }

  get chain(): AuditChainLink {
    return this;
  }

  get id(): string {
    return this.#block.toString('latin1', this.#start, this.#occurredAtStart);
  }

  get occurredAt(): string {
    return this.#block.toString('latin1', this.#occurredAtStart, this.#prevHashStart);
  }

  get prevHash(): string {
    return this.#block.toString('latin1', this.#prevHashStart, this.#entryHashStart);
  }

  get entryHash(): string {
    return this.#block.toString('latin1', this.#entryHashStart, this.#digestStart);
  }

  get entryDigest(): string {
    return (
      this.#unencodable ??
      this.#block.toString('latin1', this.#digestStart, this.#digestStart + DIGEST_HEX_BYTES)
    );
  }

  /** Whether this entry's prev hash is `previous`'s entry hash, compared as bytes where both are. */
  linksTo(previous: DigestedAuditEntry): boolean {
    if (!(previous instanceof CopyDigestedEntry)) return this.prevHash === previous.chain.entryHash;
    const length = this.#entryHashStart - this.#prevHashStart;
    if (length !== previous.#digestStart - previous.#entryHashStart) return false;
    return (
      this.#block.compare(
        previous.#block,
        previous.#entryHashStart,
        previous.#digestStart,
        this.#prevHashStart,
        this.#entryHashStart,
      ) === 0
    );
  }
}

/**
 * Makes `CopyDigestedEntry`s of one chain's COPY rows: the link's bytes go into blocks shared
 * by many entries (a new block when one is full, never a copy, since entries point into it),
 * and each link is hashed from a preimage built as bytes.
 */
export class CopyDigestedEntries {
  readonly #chainId: string;
  /** The chain's link preimages, or undefined where its id is not written as it is (never, for a uuid). */
  readonly #links: LinkPreimages | undefined;
  readonly #offsets = new Int32Array(5);
  #block: Buffer = Buffer.alloc(0);
  #used = 0;

  constructor(chainId: string) {
    this.#chainId = chainId;
    this.#links = PLAIN.test(chainId) ? new LinkPreimages(chainId) : undefined;
  }

  /**
   * The entry of `tuple`, whose content digest is the SHA-256 of `preimage`'s bytes, or which
   * could not be digested (`unencodable`: why).
   */
  entry(
    tuple: CopyTuple,
    preimage: PreimageBytes,
    unencodable: string | undefined,
  ): CopyDigestedEntry {
    const source = tuple.buffer;
    const starts = tuple.starts;
    const lengths = tuple.lengths;
    const idLength = Math.max(lengths[ID]!, 0);
    const occurredAtLength = Math.max(lengths[OCCURRED_AT]!, 0);
    const prevLength = Math.max(lengths[PREV_HASH]!, 0);
    const hashLength = Math.max(lengths[ENTRY_HASH]!, 0);
    const size = idLength + occurredAtLength + prevLength + hashLength + DIGEST_HEX_BYTES;
    if (this.#used + size > this.#block.length) {
      this.#block = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, size));
      this.#used = 0;
    }
    const block = this.#block;
    const offsets = this.#offsets;
    let at = this.#used;
    offsets[0] = at;
    at += copyBytes(source, starts[ID]!, starts[ID]! + idLength, block, at);
    offsets[1] = at;
    at += copyBytes(
      source,
      starts[OCCURRED_AT]!,
      starts[OCCURRED_AT]! + occurredAtLength,
      block,
      at,
    );
    offsets[2] = at;
    at += copyBytes(source, starts[PREV_HASH]!, starts[PREV_HASH]! + prevLength, block, at);
    offsets[3] = at;
    at += copyBytes(source, starts[ENTRY_HASH]!, starts[ENTRY_HASH]! + hashLength, block, at);
    offsets[4] = at;
    const digestStart = at;
    if (unencodable === undefined) {
      writeAscii(sha256Hex(preimage.view()), block, digestStart);
    } else {
      block.fill(0, digestStart, digestStart + DIGEST_HEX_BYTES);
    }
    this.#used = digestStart + DIGEST_HEX_BYTES;
    const seq = tuple.integer(SEQ);
    const hashesAsStored =
      unencodable === undefined &&
      this.#linkHashMatches(block, seq, offsets[2]!, offsets[3]!, digestStart);
    return new CopyDigestedEntry(this.#chainId, seq, block, offsets, hashesAsStored, unencodable);
  }

  /**
   * Whether the stored entry hash (`block[hashStart, digestStart)`) is the link hash of the
   * hex digest at `digestStart`: the link preimage `auditLinkPreimage` writes, filled in as
   * bytes (`LinkPreimages`) and hashed, compared as lower-case hex.
   */
  #linkHashMatches(
    block: Buffer,
    seq: number,
    prevStart: number,
    hashStart: number,
    digestStart: number,
  ): boolean {
    if (digestStart - hashStart !== DIGEST_HEX_BYTES) return false;
    const links = this.#links;
    if (
      links === undefined ||
      !(seq >= 0 && Number.isSafeInteger(seq)) ||
      hashStart - prevStart !== DIGEST_HEX_BYTES ||
      !plainBytes(block, prevStart, hashStart)
    ) {
      // What only a tampered row holds: the string functions decide, as the walk's do.
      const link = {
        chainId: this.#chainId,
        seq,
        prevHash: block.toString('latin1', prevStart, hashStart),
      };
      const digest = block.toString('latin1', digestStart, digestStart + DIGEST_HEX_BYTES);
      return auditLinkHash(digest, link) === block.toString('latin1', hashStart, digestStart);
    }
    const linkHash = sha256Hex(links.preimage(seq, block, digestStart, prevStart));
    for (let i = 0; i < DIGEST_HEX_BYTES; i += 1) {
      if (block[hashStart + i] !== linkHash.charCodeAt(i)) return false;
    }
    return true;
  }
}

/**
 * The link preimages of one chain, as `auditLinkPreimage` writes them for a seq, a hex digest
 * and a hex prev hash:
 *
 *     {"chain_id":"<chain>","chain_seq":<seq>,"entry_digest":"<64 hex>","prev_hash":"<64 hex>","v":1}
 *
 * One buffer per number of digits in the seq, its constant parts written once; each link
 * fills in its seq, digest and prev hash and is hashed as that whole buffer, with no view or
 * text made per entry.
 */
class LinkPreimages {
  readonly #start: Buffer;
  readonly #byDigits: (Buffer | undefined)[] = [];

  constructor(chainId: string) {
    this.#start = Buffer.from(`{"chain_id":"${chainId}","chain_seq":`, 'latin1');
  }

  /** The preimage of `seq` (a non-negative safe integer) with the digest and prev hash of `block`. */
  preimage(seq: number, block: Buffer, digestStart: number, prevStart: number): Buffer {
    let digits = 1;
    for (let rest = seq; rest >= 10; rest = Math.floor(rest / 10)) digits += 1;
    const buffer = this.#byDigits[digits] ?? this.#template(digits);
    const seqAt = this.#start.length;
    let rest = seq;
    for (let at = seqAt + digits - 1; at >= seqAt; at -= 1) {
      buffer[at] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    const digestAt = seqAt + digits + DIGEST_MEMBER.length;
    const prevAt = digestAt + DIGEST_HEX_BYTES + PREV_MEMBER.length;
    for (let i = 0; i < DIGEST_HEX_BYTES; i += 1) {
      buffer[digestAt + i] = block[digestStart + i]!;
      buffer[prevAt + i] = block[prevStart + i]!;
    }
    return buffer;
  }

  #template(digits: number): Buffer {
    const hex = '0'.repeat(DIGEST_HEX_BYTES);
    const text = `${this.#start.toString('latin1')}${'0'.repeat(digits)}${DIGEST_MEMBER}${hex}${PREV_MEMBER}${hex}${LINK_END}`;
    const buffer = Buffer.from(text, 'latin1');
    this.#byDigits[digits] = buffer;
    return buffer;
  }
}

/** What `auditLinkPreimage` writes between the seq and the digest, the digest and the prev hash, and after. */
const DIGEST_MEMBER = ',"entry_digest":"';
const PREV_MEMBER = '","prev_hash":"';
const LINK_END = `","v":${AUDIT_ENTRY_HASH_VERSION}}`;

/** Link blocks of about 1,000 entries (some 255 bytes each). */
const BLOCK_BYTES = 256 * 1024;

/** The characters `auditLinkPreimage` writes as they are inside quotes (as its `PLAIN`). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function plainBytes(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) {
    const c = buffer[i]!;
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/**
 * The hex SHA-256 of `data`. Hex rather than a Buffer, because a hex digest is what is
 * written and compared, and a one-shot hash that returns a Buffer allocates an ArrayBuffer
 * outside the heap: about 0.65 us more per call here (1.0 against 0.35 us for 150 bytes),
 * twice per entry, and work for the garbage collector.
 */
function sha256Hex(data: Buffer): string {
  return hash('sha256', data, 'hex');
}

/** `text` (ASCII) into `target` at `at`, one byte per character. */
function writeAscii(text: string, target: Buffer, at: number): void {
  for (let i = 0; i < text.length; i += 1) target[at + i] = text.charCodeAt(i);
}
