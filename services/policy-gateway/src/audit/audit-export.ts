/**
 * What an export of the audit trail is made of, page after page: the entries the list would
 * serve for the same filters, in the list's order (newest first), each with a signed checkpoint
 * of its chain at or after it, and, at the end, whether the export is complete and the public
 * keys that signed the checkpoints. The trail is read by the list's own keyset pages, one page
 * at a time and only when the consumer asks for more (an async generator), so an export of any
 * size holds one page in memory and leaves the database between pages: a client that goes away
 * stops it after at most the page in flight, and no statement or cursor stays open meanwhile.
 */
import type {
  AuditEntry,
  AuditExportCheckpoint,
  AuditExportLine,
  AuditPage,
} from '@policy-gateway/gateway-contract';
import type { AuditTrailReader, StoredAuditCheckpoint } from '@policy-gateway/governance-runtime';
import type { AuditApiMapper, AuditQueryParams } from '../api/audit-api-mapper.js';

/** How much one export may take before it stops with a `next_cursor` to continue from. */
export interface AuditExportLimits {
  /** Entries per page read from the store (the list's maximum `limit`, 1000, at most). */
  readonly pageEntries: number;
  /** Entries in one export. */
  readonly maxEntries: number;
  /** Wall-clock time of one export, in ms. */
  readonly maxMs: number;
}

/**
 * One million entries, or ten minutes, per export; continued with `cursor`, so that one request
 * never holds a connection and the event loop's share of a busy gateway for longer (see the
 * README for the rates bench:export measured).
 */
export const AUDIT_EXPORT_LIMITS: AuditExportLimits = Object.freeze({
  pageEntries: 1000,
  maxEntries: 1_000_000,
  maxMs: 600_000,
});

/** The list's filters, and a cursor to continue an export from. */
export type AuditExportFilters = Omit<AuditQueryParams, 'limit'>;

/**
 * Reads the first page before it returns, so that a query the store refuses (a bad cursor, a
 * bad bound) is answered as a problem before anything is sent; the rest is read as the records
 * are consumed.
 *
 * @example
 * const records = await startAuditExport(audit, store.trail, filters);
 * for await (const record of records) write(JSON.stringify(record));
 */
export async function startAuditExport(
  audit: AuditApiMapper,
  trail: AuditTrailReader | undefined,
  filters: AuditExportFilters,
  limits: AuditExportLimits = AUDIT_EXPORT_LIMITS,
): Promise<AsyncGenerator<AuditExportLine>> {
  const startedAt = Date.now();
  const read = (cursor: string | undefined) =>
    audit.query({
      ...filters,
      limit: limits.pageEntries,
      ...(cursor === undefined ? {} : { cursor }),
    });
  const first = await read(filters.cursor);
  return exportRecords(first, read, new CoveringCheckpoints(trail), limits, startedAt);
}

async function* exportRecords(
  first: AuditPage,
  read: (cursor: string) => Promise<AuditPage>,
  checkpoints: CoveringCheckpoints,
  limits: AuditExportLimits,
  startedAt: number,
): AsyncGenerator<AuditExportLine> {
  let page = first;
  let count = 0;
  let nextCursor: string | null = null;
  for (;;) {
    for (const entry of page.entries) {
      const covering = await checkpoints.of(entry);
      if (covering.emit !== undefined) yield { kind: 'checkpoint', checkpoint: covering.emit };
      yield { kind: 'entry', entry, checkpoint_id: covering.id };
      count += 1;
    }
    if (page.next_cursor === null) break;
    if (count + limits.pageEntries > limits.maxEntries || Date.now() - startedAt > limits.maxMs) {
      nextCursor = page.next_cursor;
      break;
    }
    page = await read(page.next_cursor);
  }
  yield {
    kind: 'end',
    entries: count,
    complete: nextCursor === null,
    next_cursor: nextCursor,
    signing_keys: await checkpoints.signingKeys(),
  };
}

/** What the export says of an entry's checkpoint: its id, and the record to send first. */
interface Covering {
  readonly id: string | null;
  readonly emit?: AuditExportCheckpoint;
}

/**
 * The checkpoint that vouches for each entry, looked up once per chain as the export walks it
 * newest first (seqs mostly descending): a checkpoint at seq S vouches for every entry of its
 * chain up to S, through the hash links between them. Keeps one checkpoint and one bound per
 * chain the export meets.
 */
class CoveringCheckpoints {
  readonly #chains = new Map<string, { covering?: StoredAuditCheckpoint; signedUpTo?: number }>();

  constructor(private readonly trail: AuditTrailReader | undefined) {}

  async of(entry: AuditEntry): Promise<Covering> {
    const link = entry.chain;
    if (link === null || this.trail === undefined) return { id: null };
    let chain = this.#chains.get(link.chain_id);
    if (chain === undefined) {
      chain = {};
      this.#chains.set(link.chain_id, chain);
    }
    if (chain.covering !== undefined && link.seq <= chain.covering.seq) {
      return { id: chain.covering.id };
    }
    // No checkpoint signs this far yet (known from an earlier entry of the chain).
    if (chain.signedUpTo !== undefined && link.seq > chain.signedUpTo) return { id: null };
    const after = await this.trail.checkpointAtOrAfter(link.chain_id, link.seq);
    if (after !== undefined) {
      chain.covering = after;
      return { id: after.id, emit: toCheckpointJson(after) };
    }
    // The entry is newer than the chain's last checkpoint: so are the entries above it, and
    // the ones below that checkpoint are covered by it.
    const before = await this.trail.checkpointAtOrBefore(link.chain_id, link.seq);
    chain.signedUpTo = before?.seq ?? 0;
    if (before === undefined) return { id: null };
    chain.covering = before;
    return { id: null, emit: toCheckpointJson(before) };
  }

  async signingKeys(): Promise<{ key_id: string; public_key_pem: string }[]> {
    if (this.trail === undefined) return [];
    const keys = await this.trail.signingKeys();
    return keys.map((key) => ({ key_id: key.keyId, public_key_pem: key.publicKeyPem }));
  }
}

function toCheckpointJson(checkpoint: StoredAuditCheckpoint): AuditExportCheckpoint {
  return {
    id: checkpoint.id,
    chain_id: checkpoint.chainId,
    seq: checkpoint.seq,
    entry_hash: checkpoint.entryHash,
    key_id: checkpoint.keyId,
    created_at: checkpoint.createdAt,
    payload: checkpoint.payload,
    checkpoint_hash: checkpoint.checkpointHash,
    signature: checkpoint.signature,
  };
}
