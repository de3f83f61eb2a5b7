/**
 * The export and the live tail of the audit trail (issue 17): the query strings of
 * `GET /governance/audit/export` and `GET /governance/audit/stream` (the list's filters, from
 * `AuditQuerySchema`, so that the three cannot drift apart), and the records an NDJSON export is
 * made of. An export is read by programs, so every line says what it is (`kind`) and the last
 * one (`end`) says whether the export is complete: a stream cut half-way has no `end` line.
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { AuditEntrySchema } from './audit-entry.js';
import { AuditQuerySchema } from './audit-query.js';
import { StringEnum } from './string-enum.js';
import { Uuid } from './string-formats.js';

/** The list's filters without its paging (`limit`, `cursor`). */
const { limit: _limit, cursor: _cursor, ...AUDIT_FILTERS } = AuditQuerySchema.properties;

export const AUDIT_EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

export const AuditExportQuerySchema = Type.Object(
  {
    format: Type.Optional(
      StringEnum(AUDIT_EXPORT_FORMATS, {
        default: 'ndjson',
        description:
          '`ndjson`: one JSON record per line (entries, the checkpoints that cover them, an `end` record); `csv`: one row per entry under a fixed header.',
      }),
    ),
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "Continues an export that stopped at the gateway's limit: the `next_cursor` of its `end` record (NDJSON), or of the list.",
      }),
    ),
    ...AUDIT_FILTERS,
  },
  { additionalProperties: false },
);

export type AuditExportQuery = Static<typeof AuditExportQuerySchema>;

export const AuditStreamQuerySchema = Type.Object(AUDIT_FILTERS, { additionalProperties: false });

export type AuditStreamQuery = Static<typeof AuditStreamQuerySchema>;

/**
 * The server-sent events of `GET /governance/audit/stream`: `entry` (data: the entry as the list
 * serves it; id: its position, to send back as `Last-Event-ID`), and comments as heartbeats.
 */
export const AUDIT_STREAM_ENTRY_EVENT = 'entry';

const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });

/** A signed checkpoint as stored: what `audit verify` checks a chain's head against. */
export const AuditExportCheckpointSchema = Type.Object({
  id: Uuid(),
  chain_id: Uuid(),
  seq: Type.Integer({ minimum: 1, description: 'The seq of the chain entry it signs.' }),
  entry_hash: Sha256Hex,
  key_id: Type.String(),
  created_at: Type.String(),
  payload: Type.String({ description: 'The canonical JSON that was signed.' }),
  checkpoint_hash: Sha256Hex,
  signature: Type.String({ description: 'Base64 Ed25519 signature over the payload.' }),
});

export type AuditExportCheckpoint = Static<typeof AuditExportCheckpointSchema>;

export const AuditExportEntryLineSchema = Type.Object({
  kind: Type.Literal('entry'),
  entry: AuditEntrySchema,
  checkpoint_id: Type.Union([Uuid(), Type.Null()], {
    description:
      "A signed checkpoint of the entry's chain at or after it (its `checkpoint` record comes earlier in the export); null when the entry has no chain or none signs it yet.",
  }),
});

export const AuditExportCheckpointLineSchema = Type.Object({
  kind: Type.Literal('checkpoint'),
  checkpoint: AuditExportCheckpointSchema,
});

export const AuditExportEndLineSchema = Type.Object({
  kind: Type.Literal('end'),
  entries: Type.Integer({ minimum: 0 }),
  complete: Type.Boolean({
    description:
      "False when the export stopped at the gateway's limit: continue with `next_cursor`.",
  }),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
  signing_keys: Type.Array(Type.Object({ key_id: Type.String(), public_key_pem: Type.String() }), {
    description: "The public keys the store holds, to check the checkpoints' signatures.",
  }),
});

export const AuditExportLineSchema = Type.Union([
  AuditExportEntryLineSchema,
  AuditExportCheckpointLineSchema,
  AuditExportEndLineSchema,
]);

export type AuditExportLine = Static<typeof AuditExportLineSchema>;
