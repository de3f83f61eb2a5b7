/**
 * How many live tails of the audit trail a gateway holds open: each is a connection and a read
 * of the trail per commit, so their number is bounded per principal (429
 * `TOO_MANY_AUDIT_STREAMS`: a client opening tails in a loop, or many tabs) and in all (503
 * `AUDIT_STREAMS_FULL`: this replica is full, another may not be). Without authentication
 * every caller is the same anonymous principal, so callers are told apart by address instead.
 */
import { ANONYMOUS_PRINCIPAL, type Principal } from '../auth/principal.js';
import { ApiProblem } from './problem.js';

export interface AuditStreamLimits {
  /** Tails one principal may hold open. */
  readonly perPrincipal: number;
  /** Tails this gateway process holds open. */
  readonly total: number;
}

export const AUDIT_STREAM_LIMITS: AuditStreamLimits = Object.freeze({
  perPrincipal: 8,
  total: 200,
});

/** A tail closes within its retry delay; a refused client may try again after it. */
const RETRY_AFTER_SECONDS = 5;

export class AuditStreamAdmission {
  readonly #open = new Map<string, number>();
  #total = 0;

  constructor(readonly limits: AuditStreamLimits = AUDIT_STREAM_LIMITS) {}

  /**
   * Admits one more tail for the caller, or throws the problem to answer; the function it
   * returns releases the place, once however often it is called.
   */
  admit(principal: Principal | undefined, address: string | null): () => void {
    const key =
      principal === undefined || principal.id === ANONYMOUS_PRINCIPAL.id
        ? `address:${address ?? 'unknown'}`
        : principal.id;
    const held = this.#open.get(key) ?? 0;
    if (held >= this.limits.perPrincipal) {
      throw new ApiProblem(
        'TOO_MANY_AUDIT_STREAMS',
        `${held} live tails of the audit trail are open for this caller, the most one may hold; close one or retry later`,
        undefined,
        {},
        { retryAfterSeconds: RETRY_AFTER_SECONDS },
      );
    }
    if (this.#total >= this.limits.total) {
      throw new ApiProblem(
        'AUDIT_STREAMS_FULL',
        `this gateway holds ${this.#total} live tails of the audit trail, the most it serves; retry later or against another replica`,
        undefined,
        {},
        { retryAfterSeconds: RETRY_AFTER_SECONDS },
      );
    }
    this.#open.set(key, held + 1);
    this.#total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total -= 1;
      const left = (this.#open.get(key) ?? 1) - 1;
      if (left === 0) this.#open.delete(key);
      else this.#open.set(key, left);
    };
  }

  get total(): number {
    return this.#total;
  }
}
