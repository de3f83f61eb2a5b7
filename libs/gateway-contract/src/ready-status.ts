/**
 * The body of `GET /ready`, the same whether the answer is 200 (ready) or 503 (not ready):
 * whether the audit store is reachable, durable and on a schema this build serves, which
 * policy decides, and whether callers must authenticate.
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { ReadyRolloutSchema } from './audit-entry-rollout.js';
import { StringEnum } from './string-enum.js';

export const READY_STATES = Object.freeze(['ready', 'not_ready'] as const);

/** Where the audit trail is kept: only `memory` loses it on restart. */
export const STORE_BACKENDS = Object.freeze(['memory', 'postgres', 'embedded'] as const);

/** How the database schema compares with the migrations this build knows. */
export const SCHEMA_STATES = Object.freeze(['current', 'ahead', 'behind', 'unknown'] as const);

/** `POLICY_GATEWAY_AUTH`: `on`, `off`, or unset (the workstation case, loopback only). */
export const AUTH_MODES = Object.freeze(['on', 'off', 'unset'] as const);

/** Where the checkpoint signing key came from: the operator's file, or generated in the data directory. */
export const SIGNING_KEY_SOURCES = Object.freeze(['file', 'generated'] as const);

export const ReadyAuthSchema = Type.Object({
  mode: StringEnum(AUTH_MODES),
  unsafe: Type.Boolean({
    description: 'Authentication is off on an address other machines can reach.',
  }),
  authenticators: Type.Optional(
    Type.Array(Type.String(), {
      description:
        'The kinds of credential accepted (`api_key`, `oidc`); shown to authenticated callers only.',
    }),
  ),
});

/** The hash chain this gateway process writes (tamper evidence, issue 11). */
export const ReadyAuditChainSchema = Type.Object({
  chain_id: Type.String({
    description: "This process run's chain: every entry it records is in it.",
  }),
  signing_key_id: Type.String({
    description:
      'The key that signs its checkpoints: hex of the first 16 bytes of SHA-256 of its public key (SPKI DER).',
  }),
  signing_key_source: StringEnum(SIGNING_KEY_SOURCES),
  last_checkpoint_seq: Type.Integer({
    minimum: 0,
    description: 'The seq the newest checkpoint of this chain signs; 0 before the first.',
  }),
  sealed_at_start: Type.Integer({
    minimum: 0,
    description:
      'Chains of earlier processes that were killed without closing theirs, sealed at start-up.',
  }),
});

/**
 * The streaming replica that serves audit reads (`POLICY_GATEWAY_READ_DATABASE_URL`), when one
 * is set. Its state never makes the gateway not ready: while it fails, reads go to the primary.
 */
export const ReadyReadReplicaSchema = Type.Object({
  reachable: Type.Boolean(),
  serving_reads: Type.Boolean({
    description:
      'Reads go to the replica now; false while it fails (they go to the primary until it answers again).',
  }),
  in_recovery: Type.Optional(
    Type.Boolean({
      description: 'Still a standby; false once promoted (a failover), which reads still use.',
    }),
  ),
  replay_paused: Type.Optional(Type.Boolean()),
  lag_ms: Type.Optional(
    Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description:
        'How far its replay is behind: 0 when it has replayed all the WAL it received, else the age of the last transaction it replayed; null before it replayed any.',
    }),
  ),
});

/**
 * With authentication on, a caller without valid credentials gets `status` and `auth` only:
 * the store, the policy and the warnings (which may quote a database error) are for
 * authenticated callers. Probes need only the status code.
 */
export const ReadyStatusSchema = Type.Object({
  status: StringEnum(READY_STATES),
  auth: ReadyAuthSchema,
  store: Type.Optional(
    Type.Object({
      backend: StringEnum(STORE_BACKENDS),
      durable: Type.Boolean(),
      reachable: Type.Boolean(),
      schema: StringEnum(SCHEMA_STATES),
      /** Entries the memory store dropped so far to stay within its bound; memory only. */
      dropped_entries: Type.Optional(Type.Integer({ minimum: 0 })),
    }),
  ),
  policy: Type.Optional(
    Type.Object({
      engine: Type.String(),
      path: Type.String(),
      version: Type.String(),
    }),
  ),
  warnings: Type.Optional(Type.Array(Type.String())),
  audit_chain: Type.Optional(ReadyAuditChainSchema),
  rollout: Type.Optional(ReadyRolloutSchema),
  read_replica: Type.Optional(ReadyReadReplicaSchema),
});

export type ReadyStatus = Static<typeof ReadyStatusSchema>;

export type ReadyAuth = Static<typeof ReadyAuthSchema>;

export type StoreBackend = NonNullable<ReadyStatus['store']>['backend'];
