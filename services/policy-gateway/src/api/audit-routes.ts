/**
 * The audit reads area, a plugin registered under `/governance/audit`: a filtered,
 * keyset-paginated list (newest first) and one entry by id. Each route declares itself a read
 * of the trail (`config.accessLog`), so that every answer is recorded in the access log first.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AuditApiMapper, AuditQueryParams } from './audit-api-mapper.js';
import { ApiProblem } from './problem.js';
import { AUDIT_ENTRY_READ, AUDIT_PAGE_READ } from './recorded-read.js';
import {
  auditEntrySchema,
  auditIdParamsSchema,
  auditPageSchema,
  auditQuerySchema,
  problemResponse,
} from './schemas.js';

export interface AuditRoutesOptions {
  readonly audit: AuditApiMapper;
}

export const auditRoutes: FastifyPluginAsync<AuditRoutesOptions> = async (app, { audit }) => {
  // '' rather than '/': the list is the prefix itself, without a second, trailing-slash URL.
  app.get<{ Querystring: AuditQueryParams }>(
    '',
    {
      config: { accessLog: AUDIT_PAGE_READ },
      schema: {
        summary: 'List audit entries, newest first',
        description:
          'Keyset pagination: pass `next_cursor` as `cursor` to get the next page. Filters combine with AND.',
        querystring: auditQuerySchema,
        response: {
          200: auditPageSchema,
          400: problemResponse(
            'Unknown, repeated or out-of-range query parameter, or a bad cursor',
          ),
          503: problemResponse('The audit store cannot be read'),
        },
      },
    },
    (request) => audit.query(request.query),
  );

  app.get<{ Params: { id: string } }>(
    '/:id',
    {
      config: { accessLog: AUDIT_ENTRY_READ },
      schema: {
        summary: 'One audit entry by id',
        params: auditIdParamsSchema,
        response: {
          200: auditEntrySchema,
          400: problemResponse('The id is not a UUID'),
          404: problemResponse('No entry has this id'),
          503: problemResponse('The audit store cannot be read'),
        },
      },
    },
    async (request) => {
      const entry = await audit.findById(request.params.id);
      if (entry === undefined) {
        throw new ApiProblem('NOT_FOUND', `no audit entry has id ${request.params.id}`, 'id');
      }
      return entry;
    },
  );
};
