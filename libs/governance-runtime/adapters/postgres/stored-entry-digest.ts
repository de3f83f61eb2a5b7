/**
 * The `entry_digest` of a stored entry computed from its row, without building the entry:
 * the verifier's fast path. PostgreSQL writes every string member of the digest's canonical
 * JSON itself (`to_json(…)::text` escapes exactly as `JSON.stringify` does, and a database
 * string cannot hold the lone surrogates RFC 8785 refuses), joined in canonical member order
 * into a few text runs; only the JSON columns and numbers are canonicalised here. The result
 * equals `auditEntryDigest` of the entry the repository reads from the same row (a test holds
 * the two to the same digests on both engines, over generated awkward entries).
 *
 * Rows come one of two ways: as the fields of a binary COPY row (`digestStoredTuple`, the
 * fast path on a PostgreSQL server: text runs are copied into the preimage as the bytes that
 * arrived, never decoded), or packed into one text per row by an ordinary query
 * (`digestStoredRow`, wherever COPY cannot stream, as on PGlite). Both read the same fields,
 * `StoredEntryDigestPlan.fields`.
 *
 * Nothing here lists the entry's fields: they, and how each column is read, come from the
 * repository's `SELECTION`; how each value is encoded is learnt by giving the repository's own
 * `toEntry` two probe rows. A field read in a way the probes do not recognise makes
 * `storedEntryDigestPlan` return undefined, and the reader falls back to digesting entries.
 */
import { hash } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';
import { snakeCase } from '../../src/audit-entry-hash.js';
import { canonicalMemberOrder, write as writeCanonical } from '../../src/canonical-json.js';
import type { DigestedAuditEntry } from '../../src/digested-audit-entry.js';
import type { CopyTuple } from './binary-copy-tuples.js';
import { writeCanonicalJsonBytes } from './canonical-json-bytes.js';
import type { CopyDigestedEntries, CopyDigestedEntry } from './copy-digested-entry.js';
import { SELECTION, type SelectedRow, toEntry } from './postgres-audit-log-entry-repository.js';
import type { PreimageBytes } from './preimage-bytes.js';

/** How a field's value becomes canonical JSON. */
type Encoding =
  /** Text: PostgreSQL writes the JSON string. */
  | 'string'
  /** jsonb read as text: parsed and canonicalised here. */
  | 'json'
  /** A number (float8): written here as ECMAScript writes it. */
  | 'number';

/** One field of a packed row after the link's: a run of string members, or one member encoded here. */
type Part =
  | { readonly kind: 'run' }
  | {
      readonly kind: 'json' | 'number';
      readonly name: string;
      /** `name` and a colon, as UTF-8. */
      readonly nameBytes: Buffer;
      readonly whenNull: string | undefined;
      /** The member as UTF-8 when the column is NULL (name, colon, `whenNull`), if present then. */
      readonly whenNullBytes: Buffer | undefined;
    };

export interface StoredEntryDigestPlan {
  /** The inner select list over `audit_log_entries`: every field's read, and the chain link. */
  readonly reads: RawBuilder<unknown>;
  /**
   * The row's fields over the inner rows as `e`: the link's (id, occurred-at, seq, prev hash,
   * entry hash), then one per part, NULL where the column is; what a binary COPY selects.
   */
  readonly fields: RawBuilder<unknown>;
  /** The number of `fields`. */
  readonly fieldCount: number;
  /** The same fields packed into one text (see `digestStoredRow`). */
  readonly packed: RawBuilder<string>;
  readonly parts: readonly Part[];
}

/**
 * Separates the fields of a packed row (`chr(31)` in SQL). PostgreSQL escapes every control character inside JSON
 * text (`\u001f`), and the other fields are ids, hashes, numbers and timestamps, so it
 * appears nowhere else.
 */
const SEPARATOR = '\u001f';
/** The link's fields before the parts: id, occurred-at, seq, prev hash, entry hash. */
const LINK_FIELDS = 5;

const CHAIN_ALIASES = new Set(['chainId', 'chainSeq', 'prevHash', 'entryHash']);

let cachedPlan: StoredEntryDigestPlan | null | undefined;

/** The plan for this build's entry shape, or undefined when a field's encoding is not known. */
export function storedEntryDigestPlan(): StoredEntryDigestPlan | undefined {
  if (cachedPlan === undefined) cachedPlan = buildPlan() ?? null;
  return cachedPlan ?? undefined;
}

function buildPlan(): StoredEntryDigestPlan | undefined {
  const fields: { field: string; read: RawBuilder<unknown>; inner: string }[] = [];
  for (const selected of SELECTION) {
    const alias = selected.alias;
    if (typeof alias !== 'string' || CHAIN_ALIASES.has(alias)) continue;
    fields.push({ field: alias, read: selected.rawBuilder, inner: `f${fields.length}` });
  }
  const encodings = probeEncodings(fields.map((f) => f.field));
  if (encodings === undefined) return undefined;
  const byName = new Map(fields.map((f) => [snakeCase(f.field), f]));
  const members = canonicalMemberOrder([...byName.keys()]).map((name) => {
    const f = byName.get(name)!;
    return { name: writeCanonical(name), inner: f.inner, ...encodings.get(f.field)! };
  });
  const id = fields.find((f) => f.field === 'id');
  const occurredAt = fields.find((f) => f.field === 'occurredAt');
  if (id === undefined || occurredAt === undefined) return undefined;

  const parts: Part[] = [];
  // Each field as text, NULL where the column is.
  const selected: RawBuilder<unknown>[] = [
    sql`${sql.ref(`e.${id.inner}`)}::text`,
    sql`${sql.ref(`e.${occurredAt.inner}`)}::text`,
    sql`e.chain_seq::text`,
    sql`e.prev_hash::text`,
    sql`e.entry_hash::text`,
  ];
  let run: RawBuilder<unknown>[] = [];
  const endRun = () => {
    if (run.length === 0) return;
    parts.push({ kind: 'run' });
    // One concat() per run: a chain of || would copy the growing text once per member.
    selected.push(sql`concat(${sql.join(run, sql`, ',', `)})`);
    run = [];
  };
  for (const member of members) {
    const value = sql.ref(`e.${member.inner}`);
    if (member.encoding === 'string') {
      if (member.whenNull === undefined) return undefined;
      run.push(
        sql`${sql.lit(`${member.name}:`)}, coalesce(to_json(${value})::text, ${sql.lit(member.whenNull)})`,
      );
      continue;
    }
    endRun();
    parts.push({
      kind: member.encoding,
      name: member.name,
      nameBytes: Buffer.from(`${member.name}:`),
      whenNull: member.whenNull,
      whenNullBytes:
        member.whenNull === undefined
          ? undefined
          : Buffer.from(`${member.name}:${member.whenNull}`),
    });
    selected.push(sql`${value}::text`);
  }
  endRun();
  return {
    reads: sql.join([
      ...fields.map((f) => sql`${f.read} as ${sql.ref(f.inner)}`),
      sql`chain_seq, prev_hash, entry_hash`,
    ]),
    fields: sql.join(selected),
    fieldCount: selected.length,
    // '' for SQL NULL (no field is '' otherwise).
    packed: sql<string>`concat_ws(chr(31), ${sql.join(selected.map((f) => sql`coalesce(${f}, '')`))})`,
    parts,
  };
}
interface FieldEncoding {
  readonly encoding: Encoding;
  /** Its canonical text when the column is SQL NULL, or undefined when the member is then absent. */
  readonly whenNull: string | undefined;
}

/**
 * How the repository reads each field, learnt from `toEntry` on two rows: every field `"1"`
 * (text stays `"1"`, JSON parses to the string `1`, a number is NaN), then every field NULL
 * (what a NULL column becomes: null, a value, or absent).
 */
function probeEncodings(fields: readonly string[]): Map<string, FieldEncoding> | undefined {
  const probe = (value: string | null) => {
    const row: Record<string, unknown> = { chainId: null, chainSeq: null, prevHash: null };
    for (const field of fields) row[field] = value;
    return toEntry({ ...row, entryHash: null } as SelectedRow) as unknown as Record<
      string,
      unknown
    >;
  };
  let quoted: Record<string, unknown>;
  let nulls: Record<string, unknown>;
  try {
    quoted = probe('"1"');
    nulls = probe(null);
  } catch {
    return undefined;
  }
  const encodings = new Map<string, FieldEncoding>();
  for (const field of fields) {
    const q = quoted[field];
    const encoding: Encoding | undefined =
      q === '"1"'
        ? 'string'
        : q === '1'
          ? 'json'
          : typeof q === 'number' && Number.isNaN(q)
            ? 'number'
            : undefined;
    if (encoding === undefined) return undefined;
    const n = nulls[field];
    encodings.set(field, { encoding, whenNull: n === undefined ? undefined : writeCanonical(n) });
  }
  return encodings;
}

/**
 * Canonical JSON of jsonb text, memoised per column for short texts while that pays: results
 * and reasons repeat from entry to entry, prompts rarely do, and a memo that keeps missing
 * only churns memory, so a column whose lookups mostly miss stops being memoised.
 */
export class CanonicalJsonTexts {
  readonly #columns = new Map<number, ColumnMemo>();

  /** `column`: the part's index, so that each column keeps its own memo. */
  canonical(text: string, column: number): string {
    let memo = this.#columns.get(column);
    if (memo === undefined) {
      memo = { texts: new Map(), lookups: 0, hits: 0, on: true };
      this.#columns.set(column, memo);
    }
    if (!memo.on || text.length > MEMO_TEXT_LENGTH) return writeCanonical(JSON.parse(text));
    memo.lookups += 1;
    let canonical = memo.texts.get(text);
    if (canonical !== undefined) {
      memo.hits += 1;
      return canonical;
    }
    canonical = writeCanonical(JSON.parse(text));
    if (memo.lookups >= MEMO_TRIAL && memo.hits * 2 < memo.lookups) {
      memo.on = false;
      memo.texts.clear();
      return canonical;
    }
    if (memo.texts.size >= MEMO_ENTRIES) memo.texts.clear();
    memo.texts.set(text, canonical);
    return canonical;
  }
}

interface ColumnMemo {
  readonly texts: Map<string, string>;
  lookups: number;
  hits: number;
  on: boolean;
}

const MEMO_TEXT_LENGTH = 256;
const MEMO_ENTRIES = 4096;
/** Lookups after which a column that hit less than half the time stops being memoised. */
const MEMO_TRIAL = 1000;

/** The canonical JSON text that `entry_digest` digests, from the fields of a packed row. */
export function storedEntryDigestPreimage(
  fields: readonly string[],
  plan: StoredEntryDigestPlan,
  texts: CanonicalJsonTexts,
): string {
  let text = '{';
  let first = true;
  const { parts } = plan;
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i]!;
    const value = fields[LINK_FIELDS + i] ?? '';
    let member: string;
    if (part.kind === 'run') {
      member = value;
    } else if (value === '') {
      if (part.whenNull === undefined) continue;
      member = `${part.name}:${part.whenNull}`;
    } else {
      member = `${part.name}:${part.kind === 'json' ? texts.canonical(value, i) : writeCanonical(Number(value))}`;
    }
    text += first ? member : `,${member}`;
    first = false;
  }
  return `${text}}`;
}

/**
 * One packed row of `chainId` as the verifier walks it. A row whose fields cannot be written
 * as canonical JSON (a number set to NaN behind the database's back) gets a digest no entry
 * hashes to, so that it is reported as altered rather than ending the walk.
 */
export function digestStoredRow(
  packed: string,
  chainId: string,
  plan: StoredEntryDigestPlan,
  texts: CanonicalJsonTexts,
): DigestedAuditEntry {
  const fields = packed.split(SEPARATOR);
  let entryDigest: string;
  try {
    entryDigest = hash('sha256', storedEntryDigestPreimage(fields, plan, texts), 'hex');
  } catch (error) {
    entryDigest = `unencodable: ${(error as Error).message}`;
  }
  return {
    id: fields[0]!,
    occurredAt: fields[1]!,
    chain: {
      chainId,
      seq: Number(fields[2]),
      prevHash: fields[3]!,
      entryHash: fields[4]!,
    },
    entryDigest,
  };
}

/**
 * The digested entry of one binary COPY row of the chain `entries` makes (fields as
 * `plan.fields`), its preimage built in `preimage`. As `digestStoredRow`, a row that cannot be
 * written as canonical JSON gets a digest no entry hashes to.
 */
export function digestStoredTuple(
  tuple: CopyTuple,
  entries: CopyDigestedEntries,
  plan: StoredEntryDigestPlan,
  texts: CanonicalJsonTexts,
  preimage: PreimageBytes,
): CopyDigestedEntry {
  let unencodable: string | undefined;
  try {
    writeTuplePreimage(tuple, plan, texts, preimage);
  } catch (error) {
    unencodable = `unencodable: ${(error as Error).message}`;
  }
  return entries.entry(tuple, preimage, unencodable);
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;

function writeTuplePreimage(
  tuple: CopyTuple,
  plan: StoredEntryDigestPlan,
  texts: CanonicalJsonTexts,
  preimage: PreimageBytes,
): void {
  preimage.reset();
  preimage.char(OPEN_BRACE);
  let first = true;
  const { parts } = plan;
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i]!;
    const field = LINK_FIELDS + i;
    if (part.kind === 'run') {
      if (!first) preimage.char(COMMA);
      const start = tuple.starts[field]!;
      preimage.bytes(tuple.buffer, start, start + Math.max(tuple.lengths[field]!, 0));
    } else if (tuple.isNull(field)) {
      const member = part.whenNullBytes;
      if (member === undefined) continue;
      if (!first) preimage.char(COMMA);
      preimage.bytes(member, 0, member.length);
    } else {
      if (!first) preimage.char(COMMA);
      const name = part.nameBytes;
      preimage.bytes(name, 0, name.length);
      // A number's text is JSON too: what it holds, written from its bytes, is what
      // `writeCanonical(Number(text))` writes, or nothing, and the slow path decides.
      const start = tuple.starts[field]!;
      if (!writeCanonicalJsonBytes(tuple.buffer, start, start + tuple.lengths[field]!, preimage)) {
        const value = tuple.text(field);
        preimage.text(
          part.kind === 'json' ? texts.canonical(value, i) : writeCanonical(Number(value)),
        );
      }
    }
    first = false;
  }
  preimage.char(CLOSE_BRACE);
}
