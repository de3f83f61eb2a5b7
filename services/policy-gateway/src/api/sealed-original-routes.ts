/**
 * `POST /governance/audit/{id}/original`: the unmasked input of a masked entry, opened with its
 * subject's data key, for the `privacy-officer` role only (the audit area's prefix, its own
 * role). POST because the reader must give a reason, recorded with the read in the access log
 * (`bodyParameters`), and because the answer must never be cached. After the subject's erasure
 * the answer is `410 SUBJECT_ERASED`: nobody can open it any more.
 */
import {
  type OpenedOriginal,
  OpenedOriginalSchema,
  type ReadOriginalRequest,
  ReadOriginalRequestSchema,
} from '@policy-gateway/gateway-contract';
import type { AuditLogEntryRepository } from '@policy-gateway/governance-runtime';
import type { FastifyPluginAsync } from 'fastify';
import type { AuditPrivacy } from '../privacy/audit-privacy.js';
import { ApiProblem } from './problem.js';
import type { RecordedRead } from './recorded-read.js';
import { auditIdParamsSchema, problemResponse } from './schemas.js';

export interface SealedOriginalRoutesOptions {
  readonly repository: AuditLogEntryRepository;
  /** Undefined (or without a sealer) when this gateway seals no originals. */
  readonly privacy: AuditPrivacy | undefined;
}

/** The one entry whose original was opened, and the reader's reason. */
export const ORIGINAL_READ: RecordedRead = Object.freeze({
  idsOf: (payload: unknown) => [(payload as OpenedOriginal).id],
  bodyParameters: Object.freeze(['reason']),
});

export const sealedOriginalRoutes: FastifyPluginAsync<SealedOriginalRoutesOptions> = async (
  app,
  { repository, privacy },
) => {
  app.post<{ Params: { id: string }; Body: ReadOriginalRequest }>(
    '/:id/original',
    {
      config: { access: 'privacy-officer', accessLog: ORIGINAL_READ },
      schema: {
        summary: "Read a masked entry's original input, giving a reason",
        description:
          "Opens the entry's sealed original with its subject's data key. `privacy-officer` role; the read and its reason are recorded in the access log. `410 SUBJECT_ERASED` once the subject is erased.",
        params: auditIdParamsSchema,
        body: ReadOriginalRequestSchema,
        response: {
          200: OpenedOriginalSchema,
          400: problemResponse('The id is not a UUID, or the reason is missing or too long'),
          404: problemResponse('No entry has this id'),
          409: problemResponse(
            'The entry has no sealed original (NO_SEALED_ORIGINAL), or it does not open (ORIGINAL_UNREADABLE)',
          ),
          410: problemResponse("The entry's subject was erased (SUBJECT_ERASED)"),
          503: problemResponse('The audit store cannot be read'),
        },
      },
    },
    async (request, reply): Promise<OpenedOriginal> => {
      const { id } = request.params;
      const entry = await repository.findById(id);
      if (entry === undefined)
        throw new ApiProblem('NOT_FOUND', `no audit entry has id ${id}`, 'id');
      const sealed = entry.sealedOriginal;
      if (sealed === undefined) {
        throw new ApiProblem(
          'NO_SEALED_ORIGINAL',
          entry.masking === undefined
            ? `entry ${id} was stored unmasked: its input is the original`
            : `entry ${id} was masked but its original was not kept (POLICY_GATEWAY_AUDIT_SEAL_ORIGINALS=off when it was stored)`,
        );
      }
      const sealer = privacy?.sealer;
      if (sealer === undefined || sealer === null) {
        throw new ApiProblem(
          'NO_SEALED_ORIGINAL',
          'this gateway seals no originals (POLICY_GATEWAY_AUDIT_SEAL_ORIGINALS=off), so it holds no key to open one',
        );
      }
      const opened = await sealer.open(entry.userId, entry.id, sealed);
      if (!opened.readable) {
        if (opened.why === 'erased') {
          throw new ApiProblem(
            'SUBJECT_ERASED',
            `the subject of entry ${id} was erased: its original can no longer be read by anyone`,
          );
        }
        throw new ApiProblem(
          'ORIGINAL_UNREADABLE',
          `the sealed original of entry ${id} does not open under its subject's key: altered, or sealed under another key-encryption key`,
        );
      }
      reply.header('cache-control', 'no-store');
      return { id: entry.id, user_id: entry.userId, key_id: sealed.key_id, input: opened.input };
    },
  );
};
