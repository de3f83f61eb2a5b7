/**
 * Tamper evidence over HTTP, a plugin in the audit area (auditor role) under
 * `/governance/audit`: the last verification of the trail and its chain heads
 * (`GET /integrity`), a new verification (`POST /integrity/verify`, run in the background, one
 * at a time), and the proof of one entry (`GET /{id}/proof`). Each is a recorded read of the
 * trail (`config.accessLog`); a proof names the one entry whose content it carries.
 */
import {
  type AuditEntryProofJson,
  AuditEntryProofSchema,
  AuditIntegritySchema,
} from '@policy-gateway/gateway-contract';
import {
  type AuditLogEntryRepository,
  buildAuditEntryProof,
  isAuditEntryProofRefusal,
} from '@policy-gateway/governance-runtime';
import type { FastifyPluginAsync } from 'fastify';
import type { AuditIntegrityView } from '../audit/audit-integrity-view.js';
import type { AuditStore } from '../store/audit-store.js';
import { ApiProblem } from './problem.js';
import { NO_ITEMS_READ, type RecordedRead } from './recorded-read.js';
import { auditIdParamsSchema, problemResponse } from './schemas.js';

export interface AuditIntegrityRoutesOptions {
  readonly store: Pick<AuditStore, 'trail'> & { readonly repository: AuditLogEntryRepository };
  readonly integrity: AuditIntegrityView;
}

/** `GET /governance/audit/{id}/proof`: the one entry whose content the proof carries. */
export const AUDIT_PROOF_READ: RecordedRead = Object.freeze({
  idsOf: (payload: unknown) => [(payload as AuditEntryProofJson).entry_id],
});

export const auditIntegrityRoutes: FastifyPluginAsync<AuditIntegrityRoutesOptions> = async (
  app,
  { store, integrity },
) => {
  app.addHook('onClose', () => integrity.close());

  app.get(
    '/integrity',
    {
      config: { accessLog: NO_ITEMS_READ },
      schema: {
        summary: "The last verification of the audit trail's hash chains and signed checkpoints",
        description:
          'What `policy-gateway audit verify` would say, as of the last verification the gateway ran (`last`, null before the first; `POST /governance/audit/integrity/verify` starts one, and the gateway runs one every POLICY_GATEWAY_AUDIT_VERIFY_INTERVAL_SECONDS: `schedule`), whether one is running, and the heads of the chains. In a cluster every worker answers for the one that verifies.',
        response: { 200: AuditIntegritySchema },
      },
    },
    () => integrity.status(),
  );

  app.post(
    '/integrity/verify',
    {
      config: { accessLog: NO_ITEMS_READ },
      schema: {
        summary: 'Verify the audit trail now, in the background',
        description:
          'Starts a verification unless one is running (then it is the one reported) and answers at once; read the outcome from `GET /governance/audit/integrity`.',
        response: { 202: AuditIntegritySchema },
      },
    },
    async (_request, reply) => reply.code(202).send(await integrity.verifyNow()),
  );

  app.get<{ Params: { id: string } }>(
    '/:id/proof',
    {
      config: { accessLog: AUDIT_PROOF_READ },
      schema: {
        summary: 'A proof of one audit entry against a signed checkpoint',
        description:
          'The entry as hashed, the hash links from it to the next signed checkpoint of its chain (the other entries only as digests, never their content), the checkpoint and the public key that signed it. Check it offline with `policy-gateway audit verify-proof FILE`.',
        params: auditIdParamsSchema,
        response: {
          200: AuditEntryProofSchema,
          400: problemResponse('The id is not a UUID'),
          404: problemResponse('No entry has this id'),
          409: problemResponse(
            'No checkpoint covers the entry yet, it has no chain, or its checkpoint is too far',
          ),
          503: problemResponse('The audit store cannot be read'),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const entry = await store.repository.findById(id);
      if (entry === undefined) {
        throw new ApiProblem('NOT_FOUND', `no audit entry has id ${id}`, 'id');
      }
      if (store.trail === undefined) {
        throw new ApiProblem(
          'PROOF_UNAVAILABLE',
          'this audit store keeps no hash chain to prove an entry by (it was opened without tamper evidence)',
        );
      }
      const proof = await buildAuditEntryProof(store.trail, entry);
      if (isAuditEntryProofRefusal(proof)) throw new ApiProblem('PROOF_UNAVAILABLE', proof.message);
      return proof;
    },
  );
};
