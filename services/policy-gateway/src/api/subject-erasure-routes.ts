/**
 * `POST /admin/subjects/{user_id}/erasure` (admin role): what `policy-gateway subjects erase`
 * does, over HTTP: destroys the subject's data key (crypto-shredding) and records the erasure
 * with the admin's principal and reason. For when the CLI cannot open the database (the
 * embedded one while `serve` holds it) or an operator works over HTTP.
 */
import {
  type SubjectErasure,
  type SubjectErasureRequest,
  SubjectErasureRequestSchema,
  SubjectErasureSchema,
  SubjectParamsSchema,
} from '@policy-gateway/gateway-contract';
import type { FastifyPluginAsync } from 'fastify';
import { ANONYMOUS_PRINCIPAL } from '../auth/principal.js';
import type { AuditPrivacy } from '../privacy/audit-privacy.js';
import { ApiProblem } from './problem.js';
import { problemResponse } from './schemas.js';

export interface SubjectErasureRoutesOptions {
  /** Undefined when this gateway seals no originals. */
  readonly privacy: AuditPrivacy | undefined;
}

export const subjectErasureRoutes: FastifyPluginAsync<SubjectErasureRoutesOptions> = async (
  app,
  { privacy },
) => {
  app.post<{ Params: { user_id: string }; Body: SubjectErasureRequest }>(
    '/subjects/:user_id/erasure',
    {
      schema: {
        summary: "Erase a subject: destroy its data key, so that its originals can't be read",
        description:
          'Admin role. The masked entries stay and the hash chains still verify; the erasure is recorded (who, when, why, how many originals it shut). Erasing a subject without a key is recorded too and says so (`nothing_to_erase`, with the earlier erasure in `previous`).',
        params: SubjectParamsSchema,
        body: SubjectErasureRequestSchema,
        response: {
          200: SubjectErasureSchema,
          400: problemResponse('The reason is missing or too long'),
          409: problemResponse('Erasure is not available on this gateway (ERASURE_UNAVAILABLE)'),
          503: problemResponse('The audit store cannot be written'),
        },
      },
    },
    async (request): Promise<SubjectErasure> => {
      const eraser = privacy?.eraser;
      if (eraser === undefined || eraser === null) {
        throw new ApiProblem(
          'ERASURE_UNAVAILABLE',
          privacy?.sealer === undefined || privacy.sealer === null
            ? 'this gateway seals no originals (POLICY_GATEWAY_AUDIT_SEAL_ORIGINALS=off): there is no subject key to destroy'
            : 'the memory audit store keeps no record of an erasure: use the embedded backend or a PostgreSQL server',
        );
      }
      const erasedBy = (request.principal ?? ANONYMOUS_PRINCIPAL).id;
      const outcome = await eraser.erase({
        userId: request.params.user_id,
        erasedBy,
        reason: request.body.reason,
      });
      if (outcome.status === 'erased') {
        return {
          status: 'erased',
          erasure_id: outcome.erasureId,
          erased_at: outcome.erasedAt,
          erased_by: erasedBy,
          entries_affected: outcome.entriesAffected,
          previous: null,
        };
      }
      return {
        status: 'nothing_to_erase',
        erasure_id: outcome.erasureId,
        erased_at: outcome.erasedAt,
        erased_by: erasedBy,
        entries_affected: 0,
        previous:
          outcome.previous === null
            ? null
            : { erased_at: outcome.previous.erasedAt, erased_by: outcome.previous.erasedBy },
      };
    },
  );
};
