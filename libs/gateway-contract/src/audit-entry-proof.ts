/**
 * `GET /governance/audit/{id}/proof`: what an outside party needs to check one entry against
 * a signed checkpoint without the database (`policy-gateway audit verify-proof FILE`): the
 * entry's fields as hashed, the hash links from it to the checkpoint (later entries only as
 * digests, never their content), the signed checkpoint and the key that signed it. The layout
 * is `AuditEntryProof` of `@policy-gateway/governance-runtime`, format
 * `policy-gateway/audit-entry-proof/v1`.
 */
import { AUDIT_ENTRY_PROOF_FORMAT } from '@policy-gateway/governance-runtime';
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { Uuid } from './string-formats.js';

const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const AuditProofLinkSchema = Type.Object({
  seq: Type.Integer({ minimum: 1 }),
  prev_hash: Hex64,
  entry_digest: Type.String({ description: "Hex SHA-256 of the entry's canonical fields." }),
  entry_hash: Hex64,
});

export const AuditEntryProofSchema = Type.Object({
  format: Type.Literal(AUDIT_ENTRY_PROOF_FORMAT),
  entry_id: Uuid(),
  chain_id: Uuid(),
  // Unknown rather than an object schema: the response serialiser would drop members it does
  // not list, and every member is hashed.
  entry: Type.Unknown({
    description:
      "The entry's stored fields as hashed: a JSON object in snake_case, without its chain link.",
  }),
  links: Type.Array(AuditProofLinkSchema, {
    description: "From the entry's own link to the checkpoint's seq.",
  }),
  checkpoint: Type.Object({
    id: Uuid(),
    payload: Type.String({ description: 'The canonical JSON that was signed.' }),
    signature: Type.String({ description: 'Base64 Ed25519 signature over the payload.' }),
  }),
  public_key: Type.Union([Type.Object({ key_id: Type.String(), pem: Type.String() }), Type.Null()]),
});

export type AuditEntryProofJson = Static<typeof AuditEntryProofSchema>;
