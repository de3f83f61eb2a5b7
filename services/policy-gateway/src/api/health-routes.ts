/**
 * Probes: `/health` says the process is alive (liveness); `/ready` says whether it can do
 * its job — store reachable, schema current or ahead — whether the trail is durable, and
 * whether callers must authenticate. Both are open; with authentication on, `/ready` tells a
 * caller without valid credentials only its status and the auth mode, since the store, the
 * policy and the warnings (which may quote a database error) help an attacker more than a
 * probe, which reads the status code alone.
 */

import type { ReadyAuth } from '@policy-gateway/gateway-contract';
import type { FastifyPluginAsync } from 'fastify';
import { authenticationWarning } from '../config/authentication-mode.js';
import type { PolicyEngine } from '../policy/policy-engine.js';
import {
  ENFORCING,
  type PolicyRollout,
  readyRollout,
  rolloutWarnings,
} from '../policy/policy-rollout.js';
import { type AuditStore, isServable } from '../store/audit-store.js';
import type { AuthenticationGuard } from './authentication.js';
import { healthResponseSchema, readyResponseSchema } from './schemas.js';

export interface HealthRoutesOptions {
  readonly store: AuditStore;
  readonly engine: PolicyEngine;
  readonly guard: AuthenticationGuard;
  /** Monitor mode and the shadow bundle, shown in `rollout` (monitor mode also warns). */
  readonly rollout?: PolicyRollout;
}

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (
  app,
  { store, engine, guard, rollout = ENFORCING },
) => {
  const auth: ReadyAuth = { mode: guard.mode.mode, unsafe: guard.mode.unsafe };
  const authDetails: ReadyAuth = { ...auth, authenticators: [...guard.authenticatorNames] };
  // Only an unsafe mode is a warning; the workstation mode is said by `auth.mode` alone, so
  // that a banner does not nag every local run.
  const authWarning = guard.mode.unsafe ? authenticationWarning(guard.mode) : undefined;
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness: the process is up',
        response: { 200: healthResponseSchema },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness: the audit store is reachable and its schema serves this build',
        response: {
          200: { ...readyResponseSchema, description: 'Ready to evaluate and record' },
          503: { ...readyResponseSchema, description: 'Not ready; `store` says why' },
        },
      },
    },
    async (request, reply) => {
      const [health, replica] = await Promise.all([store.check(), store.readReplica?.check()]);
      const ready = isServable(health);
      if (!ready) request.log.warn({ store: health }, 'not ready');
      const status = ready ? 'ready' : 'not_ready';
      if (guard.required && request.principal === undefined) {
        return reply.code(ready ? 200 : 503).send({ status, auth });
      }
      const warnings = [...store.warnings];
      if (authWarning !== undefined) warnings.push(authWarning);
      warnings.push(...(engine.warnings ?? []));
      warnings.push(...rolloutWarnings(rollout));
      if (!health.reachable) {
        warnings.push(
          `the ${store.backend} audit store is unreachable: ${health.problem ?? 'no answer'}`,
        );
      } else if (health.schema === 'behind') {
        warnings.push('the database schema is behind this build: run `policy-gateway migrate`');
      } else if (health.schema === 'ahead') {
        warnings.push('the database schema is ahead of this build (a newer build migrated it)');
      }
      if (replica !== undefined && !replica.servingReads) {
        warnings.push(
          `the read replica is not serving reads (${replica.problem ?? 'no answer'}): audit reads go to the primary`,
        );
      } else if (replica?.inRecovery === false) {
        warnings.push(
          'the read replica is not in recovery (promoted, or no longer following the primary): its reads may miss newer entries',
        );
      } else if (replica?.replayPaused === true) {
        warnings.push(
          'the read replica has paused its replay: lists of the audit trail lag behind',
        );
      }
      return reply.code(ready ? 200 : 503).send({
        status,
        auth: authDetails,
        store: {
          backend: store.backend,
          durable: store.durable,
          reachable: health.reachable,
          schema: health.schema,
          ...(health.droppedEntries !== undefined && { dropped_entries: health.droppedEntries }),
        },
        policy: { engine: engine.name, path: engine.policyPath, version: engine.policyVersion },
        rollout: readyRollout(rollout),
        warnings,
        ...(store.tamperEvidence !== undefined && {
          audit_chain: {
            chain_id: store.tamperEvidence.chainId,
            signing_key_id: store.tamperEvidence.signingKeyId,
            signing_key_source: store.tamperEvidence.signingKeySource,
            last_checkpoint_seq: store.tamperEvidence.lastCheckpointSeq(),
            sealed_at_start: store.tamperEvidence.sealedAtStart,
          },
        }),
        ...(replica !== undefined && {
          read_replica: {
            reachable: replica.reachable,
            serving_reads: replica.servingReads,
            ...(replica.inRecovery !== undefined && { in_recovery: replica.inRecovery }),
            ...(replica.replayPaused !== undefined && { replay_paused: replica.replayPaused }),
            ...(replica.lagMs !== undefined && { lag_ms: replica.lagMs }),
          },
        }),
      });
    },
  );
};
