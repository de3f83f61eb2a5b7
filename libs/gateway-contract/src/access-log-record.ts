/**
 * An access-log record as the API shows it (each item of `GET /governance/access-log`): the
 * domain's `AccessLogRecord`, flat and snake_case, one per answer to a read of the audit trail
 * (reads of the access log included). The property order is the order of the JSON keys.
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { JsonObject } from './json-object.js';
import { NullableString } from './nullable-string.js';
import { Uuid } from './string-formats.js';

export const AccessLogRecordSchema = Type.Object({
  id: Uuid({ description: 'UUIDv7, time-ordered.' }),
  occurred_at: Type.String({
    description:
      'When the answer was recorded, just before it was sent: RFC 3339 UTC with microseconds.',
  }),
  principal_id: Type.String({
    description:
      'Who read: `key:<id>` for an API key, `oidc:<subject>@<issuer>` for a token, `anonymous` when authentication is off.',
  }),
  method: Type.String({ description: 'The HTTP method, e.g. `GET`.' }),
  route: Type.String({ description: 'The route as declared, e.g. `/governance/audit/:id`.' }),
  parameters: JsonObject({
    // Without it the response serialiser would keep none of the members.
    additionalProperties: true,
    description:
      'What was asked: path parameters and the query string as sent, except `cursor`, recorded as `true` when present.',
  }),
  status: Type.Integer({ description: 'The HTTP status of the answer.' }),
  entry_count: Type.Integer({
    minimum: 0,
    description: 'How many items the answer carried (audit entries, or access-log records).',
  }),
  entry_ids: Type.Array(Uuid(), {
    description: 'The ids of the items the answer carried, in answer order.',
  }),
  request_id: NullableString({
    description: "The gateway's own id for the request, as in its `X-Request-Id` header.",
  }),
  client_request_id: NullableString({
    description: 'The `X-Request-Id` the client sent, when it was a sane token.',
  }),
  client_address: NullableString(),
  user_agent: NullableString(),
  gateway_instance: Type.String(),
});

export type AccessLogRecordJson = Static<typeof AccessLogRecordSchema>;
