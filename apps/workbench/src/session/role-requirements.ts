/**
 * Which roles may use which part of the Workbench: the roles the gateway asks of the routes that
 * part calls, so that the Workbench hides what the gateway would refuse (403) anyway.
 */
import type { Role } from '../api/auth-wire.js';

/** `GET /governance/audit` and `GET /governance/audit/{id}`. */
export const AUDIT_LOG_ROLES: readonly Role[] = ['auditor'];

/** `POST /policy/evaluate`. */
export const EVALUATE_ROLES: readonly Role[] = ['evaluator'];

/** `POST /governance/audit/{id}/original`: reading a masked entry's original. */
export const READ_ORIGINAL_ROLES: readonly Role[] = ['privacy-officer'];
