/**
 * Erasure of a subject (GDPR Art. 17) by crypto-shredding: the subject's data key is
 * destroyed in the key store, so every original sealed under it is unreadable by anyone, while
 * the masked entries (and the ciphertext the chain hashed) stay as stored. Each erasure is
 * recorded in `subject_erasures` (migration 013): whose key (by `subjectRef`, never the user
 * id), by whom, when, why, and how many stored originals it shut. Erasing a subject without
 * entries is recorded like any other; erasing one again says when it was erased before.
 */
import { randomUUID } from 'node:crypto';
import type { AuditLogDatabase } from '@policy-gateway/governance-runtime/postgres';
import { type Kysely, sql } from 'kysely';
import { subjectRefOf } from './original-sealer.js';
import type { SubjectKeyStore } from './subject-key-store.js';
import type { UserIdPseudonyms } from './user-id-pseudonyms.js';

export interface ErasureRequest {
  readonly userId: string;
  /** Who erases: a principal id (`key:…`, `oidc:…`) or `cli:<os user>`. */
  readonly erasedBy: string;
  readonly reason: string;
}

export type ErasureOutcome =
  | {
      readonly status: 'erased';
      readonly erasureId: string;
      readonly erasedAt: string;
      /** Stored originals sealed under the destroyed key: unreadable from now on. */
      readonly entriesAffected: number;
    }
  | {
      /** The subject has no key: erased before (`previous`), or never had an original sealed. */
      readonly status: 'nothing-to-erase';
      readonly erasureId: string;
      readonly erasedAt: string;
      readonly previous: { readonly erasedAt: string; readonly erasedBy: string } | null;
    };

export const MAX_REASON_LENGTH = 1000;

export class SubjectEraser {
  readonly #keys: SubjectKeyStore;
  readonly #db: Kysely<AuditLogDatabase>;
  readonly #pseudonyms: UserIdPseudonyms | null;

  /** `pseudonyms`: the trail stores user ids as pseudonyms, so a subject is erased by its own. */
  constructor(
    keys: SubjectKeyStore,
    db: Kysely<AuditLogDatabase>,
    pseudonyms: UserIdPseudonyms | null = null,
  ) {
    this.#keys = keys;
    this.#db = db;
    this.#pseudonyms = pseudonyms;
  }

  async erase(request: ErasureRequest): Promise<ErasureOutcome> {
    const reason = request.reason.trim();
    if (reason === '' || reason.length > MAX_REASON_LENGTH) {
      throw new RangeError(`an erasure needs a reason of 1 to ${MAX_REASON_LENGTH} characters`);
    }
    const storedUserId = this.#pseudonyms?.of(request.userId) ?? request.userId;
    const subjectRef = subjectRefOf(storedUserId);
    const previous = await this.#db
      .selectFrom('subject_erasures')
      .select([
        'erased_by',
        sql<string>`to_char(erased_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`.as('at'),
      ])
      .where('subject_ref', '=', subjectRef)
      .orderBy('erased_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    const destroyed = await this.#keys.destroy(subjectRef);
    const entriesAffected =
      destroyed === undefined
        ? 0
        : Number(
            (
              await sql<{ n: string | number }>`select count(*) as n from audit_log_entries
                where user_id = ${storedUserId}
                  and sealed_original ->> 'key_id' = ${destroyed.keyId}`.execute(this.#db)
            ).rows[0]?.n ?? 0,
          );
    const erasureId = randomUUID();
    const erasedAt = new Date().toISOString();
    await this.#db
      .insertInto('subject_erasures')
      .values({
        id: erasureId,
        subject_ref: subjectRef,
        key_id: destroyed?.keyId ?? null,
        erased_at: erasedAt,
        erased_by: request.erasedBy,
        reason,
        entries_affected: entriesAffected,
      })
      .execute();
    if (destroyed !== undefined) return { status: 'erased', erasureId, erasedAt, entriesAffected };
    return {
      status: 'nothing-to-erase',
      erasureId,
      erasedAt,
      previous:
        previous === undefined ? null : { erasedAt: previous.at, erasedBy: previous.erased_by },
    };
  }
}
