/**
 * An audit entry's place in its hash chain (tamper evidence), as the API shows it: the
 * domain's `AuditChainLink` in snake_case. `entry_hash` is the hex SHA-256 of the entry's
 * canonical preimage (see `auditEntryHash` in `@policy-gateway/governance-runtime`):
 * `chain_id`, `chain_seq`, `prev_hash` and the digest of the entry's other members as this API
 * shows them (`entry_digest`, so that a proof can check a link without the entry's content).
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { Uuid } from './string-formats.js';

const Sha256Hex = (description: string) => Type.String({ pattern: '^[0-9a-f]{64}$', description });

export const AuditChainLinkSchema = Type.Object({
  chain_id: Uuid({ description: 'The chain: one per gateway process run.' }),
  seq: Type.Integer({ minimum: 1, description: 'Position in the chain: 1, 2, 3… without gaps.' }),
  prev_hash: Sha256Hex(
    "The previous entry's entry_hash; for seq 1, SHA-256 of `policy-gateway/chain/v1/<chain_id>`.",
  ),
  entry_hash: Sha256Hex("SHA-256 of the entry's canonical preimage."),
});

export type AuditChainLink = Static<typeof AuditChainLinkSchema>;
