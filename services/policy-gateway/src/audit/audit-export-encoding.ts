/**
 * An export's records as the text of its format, in chunks of about 64 KiB (one write each,
 * rather than one per record). NDJSON: every record, one JSON object per line. CSV: one row per
 * entry under a fixed header (`AUDIT_EXPORT_CSV_COLUMNS`), nested members as JSON text, the
 * chain link in four columns and the covering checkpoint's id in one, quoted by csv-stringify
 * (RFC 4180); the checkpoints themselves and the `end` record are NDJSON's only. Values are
 * written as stored: a spreadsheet may read a cell starting with `=` as a formula.
 */
import type {
  AuditEntry,
  AuditExportFormat,
  AuditExportLine,
} from '@policy-gateway/gateway-contract';
import { stringify } from 'csv-stringify/sync';

/** The media type and file extension of each format. */
export const AUDIT_EXPORT_MEDIA: Readonly<
  Record<AuditExportFormat, { readonly type: string; readonly extension: string }>
> = Object.freeze({
  ndjson: { type: 'application/x-ndjson; charset=utf-8', extension: 'ndjson' },
  csv: { type: 'text/csv; charset=utf-8; header=present', extension: 'csv' },
});

type EntryColumn = Exclude<keyof AuditEntry, 'chain'>;

/**
 * The entry's members in the contract's order (typed over `AuditEntry`, so a member added there
 * and not here fails to compile: `satisfies` below), the chain link, then the checkpoint.
 */
const ENTRY_COLUMNS = [
  'id',
  'decision_id',
  'occurred_at',
  'user_id',
  'principal_id',
  'action',
  'decision',
  'reasons',
  'policy_path',
  'policy_version',
  'policy_engine',
  'input',
  'result',
  'error',
  'latency_ms',
  'request_id',
  'client_request_id',
  'client_address',
  'user_agent',
  'gateway_instance',
  'idempotency_key',
  'request_digest',
  'masking',
  'sealed_original',
  'sealed_original_state',
  'shadow',
  'enforced',
] as const satisfies readonly EntryColumn[];

/** Every member but `chain` is a column: one missing above fails to compile here. */
export type MissingCsvColumn = Exclude<EntryColumn, (typeof ENTRY_COLUMNS)[number]>;
true satisfies [MissingCsvColumn] extends [never] ? true : MissingCsvColumn;

export const AUDIT_EXPORT_CSV_COLUMNS: readonly string[] = Object.freeze([
  ...ENTRY_COLUMNS,
  'chain_id',
  'chain_seq',
  'chain_prev_hash',
  'chain_entry_hash',
  'checkpoint_id',
]);

const CHUNK_CHARS = 65_536;

/** The export's text, in chunks; a record never straddles two chunks. */
export async function* encodeAuditExport(
  records: AsyncIterable<AuditExportLine>,
  format: AuditExportFormat,
): AsyncGenerator<string> {
  let chunk = format === 'csv' ? stringify([AUDIT_EXPORT_CSV_COLUMNS]) : '';
  for await (const record of records) {
    chunk += format === 'csv' ? csvRowOf(record) : `${JSON.stringify(record)}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

function csvRowOf(record: AuditExportLine): string {
  if (record.kind !== 'entry') return '';
  const { entry } = record;
  const row = ENTRY_COLUMNS.map((column) => cellOf(entry[column]));
  row.push(
    entry.chain?.chain_id ?? '',
    entry.chain === null ? '' : String(entry.chain.seq),
    entry.chain?.prev_hash ?? '',
    entry.chain?.entry_hash ?? '',
    record.checkpoint_id ?? '',
  );
  return stringify([row]);
}

/** Text as it is, null as an empty cell, anything else as its JSON text. */
function cellOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
