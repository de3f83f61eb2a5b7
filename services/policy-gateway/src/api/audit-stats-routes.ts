/**
 * `GET /governance/audit/stats`, a plugin registered under `/governance/audit` in the audit
 * area's scope (the auditor role): the trail over a time range for the Workbench's overview,
 * read from the store's roll-ups. A read of the trail like the list, so each answer is recorded
 * in the access log first (it names no entries).
 */
import {
  type AuditStatsQueryParams,
  AuditStatsQuerySchema,
  AuditStatsSchema,
} from '@policy-gateway/gateway-contract';
import type { FastifyPluginAsync } from 'fastify';
import type { AuditStatsApiMapper } from './audit-stats-api-mapper.js';
import { NO_ITEMS_READ } from './recorded-read.js';
import { problemResponse } from './schemas.js';

export interface AuditStatsRoutesOptions {
  readonly stats: AuditStatsApiMapper;
}

export const auditStatsRoutes: FastifyPluginAsync<AuditStatsRoutesOptions> = async (
  app,
  { stats },
) => {
  app.get<{ Querystring: AuditStatsQueryParams }>(
    '/stats',
    {
      config: { accessLog: NO_ITEMS_READ },
      schema: {
        summary: 'Decisions, reasons, users, latency and policy versions over a time range',
        description:
          'Counts per hour or day bucket (UTC) by outcome, evaluation and end-to-end latency p50/p99, the most frequent reasons with their trend, the users denied most and the policy versions with when each became active. Read from roll-ups kept as entries are written, so a range of any size costs the same as its buckets.',
        querystring: AuditStatsQuerySchema,
        response: {
          200: AuditStatsSchema,
          400: problemResponse(
            'A bad or reversed range, more than 400 days or 1,000 buckets, or an unknown parameter',
          ),
          503: problemResponse('The audit store cannot be read'),
        },
      },
    },
    (request) => stats.stats(request.query),
  );
};
