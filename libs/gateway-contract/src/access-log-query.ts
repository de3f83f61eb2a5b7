/**
 * The query string of `GET /governance/access-log` (filters combine with AND). Pages are
 * smaller than the audit list's: a record lists the ids of what its answer carried.
 */
import { ACCESS_LOG_QUERY_MAX_LIMIT } from '@policy-gateway/governance-runtime';
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { DateTime, Uuid } from './string-formats.js';

/** Records per page when the query does not say. */
export const ACCESS_LOG_PAGE_DEFAULT_LIMIT = 50;

export const AccessLogQuerySchema = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: ACCESS_LOG_QUERY_MAX_LIMIT,
        default: ACCESS_LOG_PAGE_DEFAULT_LIMIT,
        description: 'Records per page.',
      }),
    ),
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        description: '`next_cursor` of the previous page, verbatim.',
      }),
    ),
    principal_id: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Reads by this principal only, e.g. `key:…` or `anonymous`.',
      }),
    ),
    route: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Reads of this route only, as declared, e.g. `/governance/audit/:id`.',
      }),
    ),
    entry_id: Type.Optional(
      Uuid({ description: 'Reads whose answer carried this audit entry: who saw it.' }),
    ),
    since: Type.Optional(
      DateTime({ description: 'Inclusive lower bound on `occurred_at` (RFC 3339).' }),
    ),
    until: Type.Optional(
      DateTime({ description: 'Exclusive upper bound on `occurred_at` (RFC 3339).' }),
    ),
  },
  { additionalProperties: false },
);

/** The query as a client sends it: every parameter optional. */
export type AccessLogQuery = Static<typeof AccessLogQuerySchema>;
