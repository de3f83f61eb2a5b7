/**
 * A digested entry of a binary COPY row as the verifier walks it, kept as bytes: its id,
 * occurred-at, prev hash and entry hash as the row carried them, and its digest, copied into a
 * shared block, with its link already checked as bytes (`hashesAsStored`, `linksTo`). The
 * strings the `DigestedAuditEntry` interface names are decoded only when something asks for
 * them (a problem to report, a checkpoint to compare, a chain's head), so that an intact entry
 * costs one small object rather than half a dozen strings and two objects that a batch keeps
 * alive until it is walked.
 *
 * The entry is its own `chain`: the link's members are getters of the same object.
 */
import { hash } from 'node:crypto';
import type { AuditChainLink } from '../../src/audit-chain-link.js';
import { auditLinkHash } from '../../src/audit-entry-hash.js';
import type { DigestedAuditEntry } from '../../src/digested-audit-entry.js';
import type { CopyTuple } from './binary-copy-tuples.js';
import { copyBytes, type PreimageBytes } from './preimage-bytes.js';

/** The link's fields in a COPY row: id, occurred-at, seq, prev hash, entry hash. */
const ID = 0;
const OCCURRED_AT = 1;
const SEQ = 2;
const PREV_HASH = 3;
const ENTRY_HASH = 4;

const DIGEST_BYTES = 32;
const HEX = Buffer.from('0123456789abcdef', 'latin1');

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
      this.#block.toString('hex', this.#digestStart, this.#digestStart + DIGEST_BYTES)
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
  /** `"chain_id":"<chain>","chain_seq":` as bytes, the link preimage's start. */
  readonly #linkStart: Buffer;
  /** Whether the chain id is written as it is in a link preimage (always, for a uuid). */
  readonly #plainChainId: boolean;
  readonly #offsets = new Int32Array(5);
  #block: Buffer = Buffer.alloc(0);
  #used = 0;

  constructor(chainId: string) {
    this.#chainId = chainId;
    this.#plainChainId = PLAIN.test(chainId);
    this.#linkStart = Buffer.from(`{"chain_id":"${chainId}","chain_seq":`, 'latin1');
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
    const size = idLength + occurredAtLength + prevLength + hashLength + DIGEST_BYTES;
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
      hashInto(preimage.view(), block, digestStart);
    } else {
      block.fill(0, digestStart, digestStart + DIGEST_BYTES);
    }
    this.#used = digestStart + DIGEST_BYTES;
    const seq = tuple.integer(SEQ);
    const hashesAsStored =
      unencodable === undefined &&
      this.#linkHashMatches(block, seq, offsets[2]!, offsets[3]!, digestStart, preimage);
    return new CopyDigestedEntry(this.#chainId, seq, block, offsets, hashesAsStored, unencodable);
  }

  /**
   * Whether the stored entry hash (`block[hashStart, digestStart)`) is the link hash of the
   * digest at `digestStart`: the link preimage `auditLinkPreimage` writes, built in `preimage`
   * (its entry preimage is no longer needed) and hashed, compared as lower-case hex.
   */
  #linkHashMatches(
    block: Buffer,
    seq: number,
    prevStart: number,
    hashStart: number,
    digestStart: number,
    preimage: PreimageBytes,
  ): boolean {
    if (digestStart - hashStart !== DIGEST_BYTES * 2) return false;
    if (
      !this.#plainChainId ||
      !Number.isSafeInteger(seq) ||
      !plainBytes(block, prevStart, hashStart)
    ) {
      // What only a tampered row holds: the string functions decide, as the walk's do.
      const link = {
        chainId: this.#chainId,
        seq,
        prevHash: block.toString('latin1', prevStart, hashStart),
      };
      const digest = block.toString('hex', digestStart, digestStart + DIGEST_BYTES);
      return auditLinkHash(digest, link) === block.toString('latin1', hashStart, digestStart);
    }
    preimage.reset();
    preimage.bytes(this.#linkStart, 0, this.#linkStart.length);
    preimage.digits(seq);
    preimage.ascii(',"entry_digest":"');
    preimage.hex(block, digestStart, digestStart + DIGEST_BYTES);
    preimage.ascii('","prev_hash":"');
    preimage.bytes(block, prevStart, hashStart);
    preimage.ascii('","v":1}');
    hashInto(preimage.view(), LINK_HASH, 0);
    for (let i = 0; i < DIGEST_BYTES; i += 1) {
      const byte = LINK_HASH[i]!;
      if (
        block[hashStart + 2 * i] !== HEX[byte >> 4] ||
        block[hashStart + 2 * i + 1] !== HEX[byte & 15]
      ) {
        return false;
      }
    }
    return true;
  }
}

/** Link blocks of about 4,000 entries. */
const BLOCK_BYTES = 256 * 1024;
const LINK_HASH = Buffer.alloc(DIGEST_BYTES);

/** The characters `auditLinkPreimage` writes as they are inside quotes (as its `PLAIN`). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function plainBytes(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) {
    const c = buffer[i]!;
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

function hashInto(data: Buffer, target: Buffer, at: number): void {
  const digest = hash('sha256', data, 'buffer') as unknown as Buffer;
  copyBytes(digest, 0, DIGEST_BYTES, target, at);
}
