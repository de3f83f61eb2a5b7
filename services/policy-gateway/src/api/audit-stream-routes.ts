/**
 * `GET /governance/audit/stream`, a plugin in the audit area (auditor role, like the list): a
 * live tail of the entries the list's filters select, as server-sent events
 * (`audit/audit-live-tail.ts`), resumable with `Last-Event-ID`. It takes the same credentials
 * as every route (`Authorization: Bearer`), so a browser reads it with `fetch` rather than
 * `EventSource`, which cannot send that header. The number of tails is bounded
 * (`audit-stream-admission.ts`); every tail ends when the gateway closes. Opening a tail is
 * recorded in the access log with its filters, like any read of the trail. A tail outlives
 * the request that opened it, so its credentials are checked again every
 * `credentialCheckMs`: a key revoked or a token expired meanwhile ends the tail (the client
 * then falls back to the list, which refuses it).
 */
import { type AuditStreamQuery, AuditStreamQuerySchema } from '@policy-gateway/gateway-contract';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AuditCommitFeed } from '../audit/audit-commit-feed.js';
import {
  AUDIT_LIVE_TAIL_DEFAULTS,
  AuditLiveTail,
  type AuditLiveTailOptions,
} from '../audit/audit-live-tail.js';
import { parseStreamPosition } from '../audit/audit-stream-position.js';
import type { AuditApiMapper } from './audit-api-mapper.js';
import { AuditStreamAdmission } from './audit-stream-admission.js';
import { clientAddressOf } from './client-address.js';
import { ApiProblem } from './problem.js';
import { NO_ITEMS_READ } from './recorded-read.js';
import { problemResponse } from './schemas.js';

export interface AuditStreamRoutesOptions {
  readonly audit: AuditApiMapper;
  /** Told of every commit, this process's and (through the store) other replicas'. */
  readonly feed: AuditCommitFeed;
  readonly admission?: AuditStreamAdmission;
  readonly tail?: AuditLiveTailOptions;
  /** Whether the request's credentials still let it read the trail; undefined: always. */
  readonly stillAllowed?: (request: FastifyRequest) => Promise<boolean>;
  /** How often an open tail's credentials are checked again. Default 5 s. */
  readonly credentialCheckMs?: number;
}

export const auditStreamRoutes: FastifyPluginAsync<AuditStreamRoutesOptions> = async (
  app,
  {
    audit,
    feed,
    admission = new AuditStreamAdmission(),
    tail = AUDIT_LIVE_TAIL_DEFAULTS,
    stillAllowed,
    credentialCheckMs = 5_000,
  },
) => {
  const open = new Set<AuditLiveTail>();
  // Before the server stops: an open tail would otherwise hold the shutdown until it timed out.
  app.addHook('preClose', async () => {
    for (const live of open) live.close();
  });

  app.get<{ Querystring: AuditStreamQuery; Headers: { 'last-event-id'?: string } }>(
    '/stream',
    {
      config: { accessLog: NO_ITEMS_READ },
      schema: {
        summary: 'A live tail of new audit entries, as server-sent events',
        description: `The entries committed from now on (by this replica or any other sharing the trail) that the list's filters select, oldest first, as \`event: entry\` with the entry as the list serves it in \`data\` and its position (\`occurred_at/id\`) as \`id\`. Send the last \`id\` back as \`Last-Event-ID\` to resume: the entries after it are sent first (more than ${tail.backlogMax} send \`event: overflow\` instead: reload the list). A comment every ${tail.heartbeatMs / 1000} s keeps the connection open. Entries committed up to ${tail.marginMs / 1000} s after a later one are still sent, once. Authenticate with the \`Authorization\` header (read it with fetch, not EventSource). At most ${admission.limits.perPrincipal} tails per principal (429) and ${admission.limits.total} per gateway (503).`,
        querystring: AuditStreamQuerySchema,
        headers: {
          type: 'object',
          properties: {
            'last-event-id': {
              type: 'string',
              description: 'The `id` of the last event received, to resume after it.',
            },
          },
        },
        response: {
          200: {
            description: 'The stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          400: problemResponse('Unknown or out-of-range query parameter, or a bad Last-Event-ID'),
          429: problemResponse('This principal holds as many live tails as it may'),
          503: problemResponse(
            'The gateway holds as many live tails as it serves, or the store cannot be read',
          ),
        },
      },
    },
    async (request, reply) => {
      const resumeFrom = request.headers['last-event-id'];
      const from = resumeFrom === undefined ? undefined : parseStreamPosition(resumeFrom);
      if (resumeFrom !== undefined && from === undefined) {
        throw new ApiProblem(
          'INVALID_CURSOR',
          'Last-Event-ID is not the id of an event this gateway sent (occurred_at/id); send the last id received unchanged, or none to start from now',
          'Last-Event-ID',
        );
      }
      const release = admission.admit(request.principal, clientAddressOf(request));
      let live: AuditLiveTail;
      try {
        live = await AuditLiveTail.open(audit, feed, request.query, from, request.log, tail);
      } catch (error) {
        release();
        throw error;
      }
      open.add(live);
      const recheck =
        stillAllowed === undefined
          ? undefined
          : setInterval(() => {
              void stillAllowed(request).then((allowed) => {
                if (allowed) return;
                request.log.info(
                  'live tail ended: its credentials no longer allow reading the trail',
                );
                live.close();
              });
            }, credentialCheckMs);
      recheck?.unref();
      live.body.on('close', () => {
        clearInterval(recheck);
        open.delete(live);
        release();
      });
      // The client went away (or the connection broke): stop reading for it.
      reply.raw.on('close', () => live.close());
      return (
        reply
          .type('text/event-stream; charset=utf-8')
          .header('cache-control', 'no-store')
          // Proxies that buffer answers (nginx) would hold the events back.
          .header('x-accel-buffering', 'no')
          .send(live.body)
      );
    },
  );
};
