/**
 * The body of `GET /ready`, the same whether the answer is 200 (ready) or 503 (not ready):
 * whether the audit store is reachable, durable and on a schema this build serves, and which
 * policy decides.
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { StringEnum } from './string-enum.js';

export const READY_STATES = Object.freeze(['ready', 'not_ready'] as const);

/** Where the audit trail is kept: only `memory` loses it on restart. */
export const STORE_BACKENDS = Object.freeze(['memory', 'postgres', 'embedded'] as const);

/** How the database schema compares with the migrations this build knows. */
export const SCHEMA_STATES = Object.freeze(['current', 'ahead', 'behind', 'unknown'] as const);

export const ReadyStatusSchema = Type.Object({
  status: StringEnum(READY_STATES),
  store: Type.Object({
    backend: StringEnum(STORE_BACKENDS),
    durable: Type.Boolean(),
    reachable: Type.Boolean(),
    schema: StringEnum(SCHEMA_STATES),
    /** Entries the memory store dropped so far to stay within its bound; memory only. */
    dropped_entries: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  policy: Type.Object({
    engine: Type.String(),
    path: Type.String(),
    version: Type.String(),
  }),
  warnings: Type.Array(Type.String()),
});

export type ReadyStatus = Static<typeof ReadyStatusSchema>;

export type StoreBackend = ReadyStatus['store']['backend'];
