/**
 * The access log's route, a plugin registered under `/governance/access-log` in the audit
 * area's scope (the auditor role): who read the audit trail, newest first, keyset-paginated.
 * Reading it is itself a read of the trail's metadata, and is recorded like the others.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AccessLogApiMapper, AccessLogQueryParams } from './access-log-api-mapper.js';
import { ACCESS_LOG_PAGE_READ } from './recorded-read.js';
import { accessLogPageSchema, accessLogQuerySchema, problemResponse } from './schemas.js';

export interface AccessLogRoutesOptions {
  readonly accessLog: AccessLogApiMapper;
}

export const accessLogRoutes: FastifyPluginAsync<AccessLogRoutesOptions> = async (
  app,
  { accessLog },
) => {
  // '' rather than '/': the list is the prefix itself, without a second, trailing-slash URL.
  app.get<{ Querystring: AccessLogQueryParams }>(
    '',
    {
      config: { accessLog: ACCESS_LOG_PAGE_READ },
      schema: {
        summary: 'List reads of the audit trail, newest first',
        description:
          'One record per answer to a read of the audit trail (this list included), committed before the answer was sent. Keyset pagination: pass `next_cursor` as `cursor` to get the next page. Filters combine with AND.',
        querystring: accessLogQuerySchema,
        response: {
          200: accessLogPageSchema,
          400: problemResponse(
            'Unknown, repeated or out-of-range query parameter, or a bad cursor',
          ),
          503: problemResponse(
            'The access log cannot be read, or this read of it cannot be recorded',
          ),
        },
      },
    },
    (request) => accessLog.query(request.query),
  );
};
