/**
 * The trail's integrity in a cluster (issue 11): one worker (slot 1) verifies, on the schedule
 * and when asked; every other worker answers `GET /governance/audit/integrity` and
 * `POST …/verify` by asking it through the primary, so that N workers never verify N times and
 * every worker shows the same result. The primary relays to whichever process holds slot 1
 * now (a restarted worker 1 takes over, with its own history).
 */
import type { AuditIntegrity } from '@policy-gateway/gateway-contract';
import type { AuditIntegrityView } from '../audit/audit-integrity-view.js';
import type { PrimaryCalls } from './primary-calls.js';

/** The slot of the worker that verifies the trail for the cluster. */
export const VERIFYING_WORKER_SLOT = 1;

/** A worker's view that asks the verifying worker, through the primary. */
export function relayedIntegrity(primary: PrimaryCalls): AuditIntegrityView {
  const unanswered = (error: unknown): AuditIntegrity => ({
    available: true,
    running: false,
    progress: null,
    last: null,
    last_error: `worker ${VERIFYING_WORKER_SLOT}, which verifies the audit trail for every worker, did not answer: ${error instanceof Error ? error.message : String(error)}`,
  });
  return {
    status: () => primary.call<AuditIntegrity>('integrity', 'status').catch(unanswered),
    verifyNow: () => primary.call<AuditIntegrity>('integrity', 'verifyNow').catch(unanswered),
    close: async () => {},
  };
}

/** What the verifying worker answers the primary's relayed calls with. */
export function integrityTargets(view: AuditIntegrityView) {
  return { integrity: { status: () => view.status(), verifyNow: () => view.verifyNow() } };
}

/** The primary's side: relays to the verifying worker's calls, when it has one running. */
export function integrityRelayTargets(verifier: () => PrimaryCalls | undefined) {
  const call = (method: string) => {
    const calls = verifier();
    if (calls === undefined) {
      return Promise.reject(
        new Error(`worker ${VERIFYING_WORKER_SLOT} is not running (it is being started again)`),
      );
    }
    return calls.call<AuditIntegrity>('integrity', method);
  };
  return { integrity: { status: () => call('status'), verifyNow: () => call('verifyNow') } };
}
