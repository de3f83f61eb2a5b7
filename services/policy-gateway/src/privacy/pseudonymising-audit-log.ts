/**
 * The write path's step that stores a pseudonym instead of each entry's user id
 * (`UserIdPseudonyms`), in the `userId` column and in the input's `user_id`, and that hashes the
 * user id of every lookup the same way (a `user_id` filter, an idempotency key's user), so that
 * readers above it keep asking by user id. It sits outermost, above masking: the sealed original
 * carries the pseudonym too, so that the user id is nowhere in the trail.
 */
import {
  type AppendManyOptions,
  type AppendManyResult,
  type AuditLogEntry,
  type AuditLogEntryRepository,
  AuditLogEntryRepositoryDecorator,
  type AuditLogPage,
  type AuditLogQuery,
} from '@policy-gateway/governance-runtime';
import type { UserIdPseudonyms } from './user-id-pseudonyms.js';

export class PseudonymisingAuditLog extends AuditLogEntryRepositoryDecorator {
  readonly #pseudonyms: UserIdPseudonyms;

  constructor(inner: AuditLogEntryRepository, pseudonyms: UserIdPseudonyms) {
    super(inner);
    this.#pseudonyms = pseudonyms;
  }

  override append(entry: AuditLogEntry): Promise<void> {
    return super.append(this.#pseudonymised(entry));
  }

  override appendMany(
    entries: readonly AuditLogEntry[],
    options?: AppendManyOptions,
  ): Promise<AppendManyResult> {
    return super.appendMany(
      entries.map((entry) => this.#pseudonymised(entry)),
      options,
    );
  }

  override findByIdempotencyKey(
    userId: string,
    idempotencyKey: string,
  ): Promise<AuditLogEntry | undefined> {
    return super.findByIdempotencyKey(this.#pseudonyms.of(userId), idempotencyKey);
  }

  override query(query: AuditLogQuery): Promise<AuditLogPage> {
    if (query.userId === undefined) return super.query(query);
    return super.query({ ...query, userId: this.#pseudonyms.of(query.userId) });
  }

  #pseudonymised(entry: AuditLogEntry): AuditLogEntry {
    const userId = this.#pseudonyms.of(entry.userId);
    const { input } = entry;
    const hasUserId =
      typeof input === 'object' && input !== null && !Array.isArray(input) && 'user_id' in input;
    return {
      ...entry,
      userId,
      ...(hasUserId && { input: { ...(input as Record<string, unknown>), user_id: userId } }),
    };
  }
}
