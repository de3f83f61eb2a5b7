/**
 * Decision-log ingestion: the endpoint OPA's `decision_logs` plugin uploads to (`POST /logs`
 * unless configured otherwise), so that the decisions of a fleet of OPA servers land in the
 * same durable trail as the gateway's own. A body is a JSON array of events, gzip-compressed
 * as OPA sends it (plain JSON is accepted too), inflated within a bound. Every event is
 * checked before anything is stored, then the batch is committed whole, each event once
 * (`decision-log-ingestion.ts`), and only then answered 204: OPA drops a batch on a 2xx and
 * keeps and retries it on anything else, so a store that is down, or a full write queue, is
 * answered 503 with `Retry-After`, and nothing is lost.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import {
  AuditWriteQueueFullError,
  CommitOutcomeUnknownError,
} from '@policy-gateway/governance-runtime';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { decisionLogAuditEntry } from '../audit/decision-log-audit-entry.js';
import { DecisionLogEventError, parseDecisionLogEvent } from '../audit/decision-log-event.js';
import {
  ingestDecisionLogBatch,
  UnstorableDecisionLogEventError,
} from '../audit/decision-log-ingestion.js';
import type { AuditStore } from '../store/audit-store.js';
import { AUDIT_QUEUE_RETRY_AFTER_SECONDS } from './audit-api-mapper.js';
import { parseJsonBody } from './json-body-parser.js';
import { ApiProblem } from './problem.js';

const inflate = promisify(gunzip);

/** When OPA may retry an upload the store could not take: it backs off on its own as well. */
const STORE_RETRY_AFTER_SECONDS = 5;

export interface DecisionLogIngestionSettings {
  /** Where OPA uploads (its `decision_logs.resource`), e.g. `/logs`. */
  readonly path: string;
  /** The most bytes one upload may hold, compressed or inflated. */
  readonly maxBytes: number;
}

export interface OpaDecisionLogRoutesOptions extends DecisionLogIngestionSettings {
  readonly store: Pick<AuditStore, 'repository'>;
  /** POLICY_GATEWAY_MAX_JSON_DEPTH. */
  readonly maxJsonDepth: number;
}

export const opaDecisionLogRoutes: FastifyPluginAsync<OpaDecisionLogRoutesOptions> = async (
  app,
  options,
) => {
  // The raw bytes, so that gzip is inflated here within the bound, not by a parser without one.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: options.maxBytes },
    async (request: FastifyRequest, body: Buffer) =>
      parseJsonBody(await inflated(request, body, options.maxBytes), {
        maxDepth: options.maxJsonDepth,
      }),
  );

  app.post(
    options.path,
    {
      bodyLimit: options.maxBytes,
      schema: {
        summary: "Ingest an OPA decision-log upload (OPA's decision_logs plugin)",
        description:
          "Takes what OPA's `decision_logs` plugin uploads — a JSON array of decision events, gzip-compressed (`Content-Encoding: gzip`) or not — and commits each event as an `opa.decision_log` entry (engine `opa`, instance = the event's `labels.id`, decision id = its `decision_id`) before answering 204. An event already stored (a retried upload) is not stored again. A malformed event is answered 400 naming it and nothing of the batch is stored; a body over the limit 413; a store that cannot take the batch 503 with `Retry-After`, so that OPA keeps the batch and retries it.",
        response: {
          204: { description: 'Every event of the batch is committed to the trail' },
        },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (principal === undefined) {
        throw new ApiProblem('INTERNAL_ERROR', 'the caller was not identified');
      }
      const events = eventsOf(request.body);
      const upload = {
        principalId: principal.id,
        defaultUserId: principal.subject ?? principal.id,
        requestId: request.id,
      };
      const entries = events.map((event) => decisionLogAuditEntry(event, upload));
      const ingested = await ingest(options.store, entries);
      request.log.info(
        { events: entries.length, stored: ingested.stored, alreadyStored: ingested.alreadyStored },
        'decision-log upload committed',
      );
      return reply.code(204).send();
    },
  );
};

async function inflated(request: FastifyRequest, body: Buffer, maxBytes: number): Promise<string> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity') return body.toString('utf8');
  if (encoding !== 'gzip') {
    throw new ApiProblem(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Encoding ${encoding} is not accepted here; send the upload gzip-compressed or plain`,
    );
  }
  try {
    return (await inflate(body, { maxOutputLength: maxBytes })).toString('utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ApiProblem(
        'BODY_TOO_LARGE',
        `the upload inflates to more than ${maxBytes} bytes (POLICY_GATEWAY_DECISION_LOG_MAX_BYTES); lower OPA's decision_logs.reporting.upload_size_limit_bytes`,
      );
    }
    throw new ApiProblem(
      'BAD_REQUEST',
      `the body is not valid gzip (${(error as Error).message}); send it as OPA does, or without Content-Encoding`,
    );
  }
}

function eventsOf(body: unknown) {
  if (!Array.isArray(body)) {
    throw new ApiProblem(
      'INVALID_FIELD',
      'the body must be a JSON array of decision-log events, as OPA uploads them',
    );
  }
  try {
    return body.map((event, index) => parseDecisionLogEvent(event, index));
  } catch (error) {
    if (!(error instanceof DecisionLogEventError)) throw error;
    throw new ApiProblem(
      'INVALID_FIELD',
      `decision-log event ${error.field} ${error.reason}; nothing of the batch was stored`,
      error.field,
    );
  }
}

async function ingest(
  store: Pick<AuditStore, 'repository'>,
  entries: Parameters<typeof ingestDecisionLogBatch>[1],
) {
  try {
    return await ingestDecisionLogBatch(store.repository, entries);
  } catch (error) {
    if (error instanceof UnstorableDecisionLogEventError) {
      const field = `[${error.index}].${error.cause.field}`;
      throw new ApiProblem(
        'INVALID_FIELD',
        `decision-log event ${field} cannot be recorded (it contains U+0000 or an unpaired surrogate); nothing of the batch was stored`,
        field,
      );
    }
    if (error instanceof AuditWriteQueueFullError) {
      throw Object.assign(
        new ApiProblem(
          'AUDIT_QUEUE_FULL',
          `${error.queuedEntries} entries are already waiting for the audit store to commit them (POLICY_GATEWAY_AUDIT_QUEUE_MAX_ENTRIES); nothing of the batch was stored, upload it again after the Retry-After delay`,
          undefined,
          {},
          { retryAfterSeconds: AUDIT_QUEUE_RETRY_AFTER_SECONDS },
        ),
        { cause: error },
      );
    }
    const unknown = error instanceof CommitOutcomeUnknownError;
    throw Object.assign(
      new ApiProblem(
        'AUDIT_STORE_UNAVAILABLE',
        unknown
          ? 'whether the batch was committed is unknown; upload it again (events already stored are not stored twice)'
          : 'the audit store could not commit the batch, so nothing of it was stored; upload it again after the Retry-After delay (check /ready)',
        undefined,
        {},
        { retryAfterSeconds: STORE_RETRY_AFTER_SECONDS },
      ),
      { cause: error },
    );
  }
}
