/**
 * `GET /governance/audit/export`, a plugin in the audit area (auditor role, like the list): the
 * entries the list serves for the same filters, all of them, streamed as NDJSON or CSV with the
 * verification material (`audit/audit-export.ts`). The body is pulled from the trail as the
 * client reads it (Node's stream backpressure), so the gateway's memory stays flat however large
 * the export; a client that disconnects stops it. The read is recorded in the access log, with
 * its filters, before the first byte is sent (a streamed answer names no entries there; the
 * `end` record counts them).
 */
import { Readable } from 'node:stream';
import {
  AuditExportLineSchema,
  type AuditExportQuery,
  AuditExportQuerySchema,
} from '@policy-gateway/gateway-contract';
import type { AuditTrailReader } from '@policy-gateway/governance-runtime';
import type { FastifyPluginAsync } from 'fastify';
import {
  AUDIT_EXPORT_LIMITS,
  type AuditExportLimits,
  startAuditExport,
} from '../audit/audit-export.js';
import { AUDIT_EXPORT_MEDIA, encodeAuditExport } from '../audit/audit-export-encoding.js';
import type { AuditApiMapper } from './audit-api-mapper.js';
import { NO_ITEMS_READ } from './recorded-read.js';
import { problemResponse } from './schemas.js';

export interface AuditExportRoutesOptions {
  readonly audit: AuditApiMapper;
  /** Where the checkpoints come from; entries are exported without them when absent. */
  readonly trail: AuditTrailReader | undefined;
  readonly limits?: AuditExportLimits;
}

export const auditExportRoutes: FastifyPluginAsync<AuditExportRoutesOptions> = async (
  app,
  { audit, trail, limits = AUDIT_EXPORT_LIMITS },
) => {
  app.get<{ Querystring: AuditExportQuery }>(
    '/export',
    {
      // Recorded with its filters; the entries it streams are not seen by the recording.
      config: { accessLog: NO_ITEMS_READ },
      schema: {
        summary: 'Export the audit entries the filters select, as NDJSON or CSV',
        description: `Every entry the list (\`GET /governance/audit\`) serves for the same filters, in its order (newest first), streamed. NDJSON: one \`entry\` record per entry (the entry as the list serves it, with its chain link, and \`checkpoint_id\`: a signed checkpoint of its chain at or after it), each \`checkpoint\` record before the first entry naming it, and an \`end\` record with the count, whether the export is complete, and the public keys that sign checkpoints; an export cut short has no \`end\` record. CSV: one row per entry under a fixed header, nested members as JSON text, the chain link and checkpoint id in their own columns. One export stops after ${limits.maxEntries.toLocaleString('en')} entries or ${limits.maxMs / 1000} s with \`complete: false\` and a \`next_cursor\` to continue from (\`cursor\`); each page it reads is bounded by the database's statement timeout.`,
        querystring: AuditExportQuerySchema,
        response: {
          200: {
            description: 'The export, as an attachment',
            content: {
              'application/x-ndjson': { schema: AuditExportLineSchema },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          400: problemResponse(
            'Unknown, repeated or out-of-range query parameter, or a bad cursor',
          ),
          503: problemResponse('The audit store cannot be read'),
        },
      },
    },
    async (request, reply) => {
      const { format = 'ndjson', ...filters } = request.query;
      const records = await startAuditExport(audit, trail, filters, limits);
      const media = AUDIT_EXPORT_MEDIA[format];
      const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, '');
      const body = Readable.from(encodeAuditExport(records, format));
      body.on('error', (error) =>
        request.log.error({ err: error }, 'the audit export stopped: the store could not be read'),
      );
      return reply
        .type(media.type)
        .header('content-disposition', `attachment; filename="audit-${stamp}.${media.extension}"`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(body);
    },
  );
};
