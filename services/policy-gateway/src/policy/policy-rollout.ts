/**
 * How the gateway rolls a policy out (issue 14): whether its decisions are enforced or only
 * monitored (`POLICY_GATEWAY_ENFORCEMENT`), and the candidate bundle that runs in shadow
 * beside the active one, if any (`POLICY_GATEWAY_SHADOW_BUNDLE_DIR`). The evaluation routes
 * take it as one dependency; `/ready` and the start-up log say what it is.
 */
import type { ReadyStatus } from '@policy-gateway/gateway-contract';
import type { AuditLogEntry, AuditShadowDecision } from '@policy-gateway/governance-runtime';
import type { EnforcementMode } from '../config/setting-declarations.js';
import type { ShadowPolicy } from './shadow-policy.js';

export interface PolicyRollout {
  readonly enforcement: EnforcementMode;
  readonly shadow?: ShadowPolicy;
}

/** Decisions answered as made, no shadow: the gateway without any rollout setting. */
export const ENFORCING: PolicyRollout = Object.freeze({ enforcement: 'enforce' });

/** What monitor mode means, said in `/ready` and at start. */
export const MONITOR_MODE_WARNING =
  'MONITOR MODE (POLICY_GATEWAY_ENFORCEMENT=monitor): policies are NOT enforced; every request is answered allow, whatever the policy decided. Decisions are recorded as made, marked enforced: false. Use it for a first rollout only';

/** The entry with what the rollout adds: the shadow's decision, and `enforced: false` when monitoring. */
export function withRollout(
  entry: AuditLogEntry,
  enforcement: EnforcementMode,
  shadow: AuditShadowDecision | undefined,
): AuditLogEntry {
  return {
    ...entry,
    ...(shadow !== undefined && { shadow }),
    ...(enforcement === 'monitor' && { enforced: false as const }),
  };
}

/** `/ready`'s `rollout` member. */
export function readyRollout(rollout: PolicyRollout): NonNullable<ReadyStatus['rollout']> {
  const engine = rollout.shadow?.engine;
  return {
    enforcement: rollout.enforcement,
    shadow:
      engine === undefined
        ? null
        : { engine: engine.name, path: engine.policyPath, version: engine.policyVersion },
  };
}

/** The warnings `/ready` adds for the rollout: monitor mode, loudly. */
export function rolloutWarnings(rollout: PolicyRollout): string[] {
  return rollout.enforcement === 'monitor' ? [MONITOR_MODE_WARNING] : [];
}
