/**
 * The request headers of `POST /policy/evaluate` that the API defines, as Fastify sees them
 * (names in lower case). The value is checked by the service, which answers a malformed key
 * with its own problem code rather than a generic invalid field.
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';

export const EvaluateHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description:
        'A key the client picks per request and sends again with each retry of it (1 to 255 visible ASCII characters, bare or in double quotes; a UUID is a good key). A retry with the same key and body answers the decision recorded first, with `Idempotent-Replayed: true`, and records nothing; the same key with another body is 422.',
    }),
  ),
});

export type EvaluateHeaders = Static<typeof EvaluateHeadersSchema>;
