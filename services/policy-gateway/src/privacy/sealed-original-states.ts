/**
 * Whether the sealed originals of entries being served can still be opened, told on each entry
 * (`sealed_original_state`) so that a reader sees an erasure without trying to read the
 * original. One key-store look-up per page, whatever its length: the current key ids of the
 * page's subjects; an original whose key is no longer its subject's current one was erased.
 * Nothing stored changes, so an erasure leaves the entries and their hash chain as they were.
 */
import type { AuditEntry } from '@policy-gateway/gateway-contract';
import type { AuditLogEntry } from '@policy-gateway/governance-runtime';
import { subjectRefOf } from './original-sealer.js';
import type { SubjectKeyStore } from './subject-key-store.js';

export type SealedOriginalState = NonNullable<AuditEntry['sealed_original_state']>;

export class SealedOriginalStates {
  readonly #keys: SubjectKeyStore | null;

  /** `keys`: the store this gateway seals with; null when it seals nothing (all `unknown`). */
  constructor(keys: SubjectKeyStore | null) {
    this.#keys = keys;
  }

  /**
   * The state of each entry's sealed original, by entry id (entries without one are left out).
   * A key store that cannot be reached leaves them `unknown` rather than failing the read: the
   * entries themselves come from the audit store.
   */
  async of(entries: readonly AuditLogEntry[]): Promise<ReadonlyMap<string, SealedOriginalState>> {
    const sealed = entries.filter((entry) => entry.sealedOriginal !== undefined);
    const states = new Map<string, SealedOriginalState>();
    if (sealed.length === 0) return states;
    let current: ReadonlyMap<string, string> | undefined;
    if (this.#keys !== null) {
      try {
        current = await this.#keys.currentKeyIds(sealed.map((entry) => subjectRefOf(entry.userId)));
      } catch {
        current = undefined;
      }
    }
    for (const entry of sealed) {
      const keyId = current?.get(subjectRefOf(entry.userId));
      // A subject's key is replaced only after it was destroyed: another key id means erased.
      states.set(
        entry.id,
        current === undefined
          ? 'unknown'
          : keyId === entry.sealedOriginal?.key_id
            ? 'sealed'
            : 'erased',
      );
    }
    return states;
  }
}
