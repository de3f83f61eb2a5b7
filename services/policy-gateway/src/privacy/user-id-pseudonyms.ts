/**
 * Pseudonyms for user ids (POLICY_GATEWAY_AUDIT_USER_IDS=hmac): where the user id is itself
 * personal data (an e-mail address, a name), the trail stores `hmac-sha256:<hex>`, an HMAC of it
 * under the audit HMAC key, instead. The same id always gives the same pseudonym, so exact
 * filters, idempotency and erasure still find a user's entries by hashing what they are given;
 * nobody without the key can tell whose entries they are or test guesses. What is given up:
 * prefix or case-insensitive search, and the Workbench shows the pseudonym.
 */
import type { AuditHmacKey } from './audit-hmac-key.js';

export const USER_ID_PSEUDONYM_PREFIX = 'hmac-sha256:';

export class UserIdPseudonyms {
  readonly #key: AuditHmacKey;

  constructor(key: AuditHmacKey) {
    this.#key = key;
  }

  /** The pseudonym stored for `userId`. */
  of(userId: string): string {
    return `${USER_ID_PSEUDONYM_PREFIX}${this.#key.digest('user-id', userId)}`;
  }
}
