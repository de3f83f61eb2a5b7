/**
 * The privacy step of the audit write path: before an entry is chained and stored, its prompt
 * is redacted (the spans the policy reported in its result's `redact` member), the mask
 * policy's rules erase or overwrite what they name (OPA's `erased` and `masked`), `redact`
 * is dropped from the result, and the unmasked input is sealed under the subject's data key.
 * The rules are those the engine evaluated with the decision, on its thread and with the bundle
 * that decided (`decision-log-mask.ts`); an entry without them asks `policy` (the active
 * engine, `ActiveMaskPolicy`). An evaluation thread also masks the entry of its decision
 * (`decided-masking.ts`): then this step only seals the original and stores.
 *
 * A write-path decorator rather than a step of the route's evaluation→entry mapping: every
 * writer of entries goes through it, so nothing reaches the chain (which hashes what is stored)
 * or the storage unmasked, the way OPA's decision logger masks every event between building
 * and encoding it. It sits outermost, above the hash chain.
 *
 * If the mask policy fails, the entry's whole input is erased (fail-closed): the decision is
 * still recorded, without anything that could hold what the policy meant to mask.
 */
import {
  type AppendManyOptions,
  type AppendManyResult,
  type AuditLogEntry,
  type AuditLogEntryRepository,
  AuditLogEntryRepositoryDecorator,
  handOverJson,
} from '@policy-gateway/governance-runtime';
import { decisionLogMaskOf, decisionLogPath } from '../policy/decision-log-mask.js';
import { decidedMaskingOf } from './decided-masking.js';
import { maskParts } from './entry-masking.js';
import { type MaskRuleSource, maskRulesOf } from './mask-policy.js';
import type { MaskRule } from './mask-rules.js';
import type { OriginalSealer } from './original-sealer.js';

export { REDACT_MEMBER } from './entry-masking.js';

export interface MaskingOptions {
  /**
   * Asked for the rules of an entry not decided with its mask; null: such entries get the
   * redaction of reported spans only.
   */
  readonly policy: MaskRuleSource | null;
  /** Seals the unmasked input of every entry that was masked; null: originals are not kept. */
  readonly sealer: OriginalSealer | null;
  readonly log: { warn(object: object, message: string): void };
}

export class MaskingAuditLog extends AuditLogEntryRepositoryDecorator {
  readonly #options: MaskingOptions;

  constructor(inner: AuditLogEntryRepository, options: MaskingOptions) {
    super(inner);
    this.#options = options;
  }

  override async append(entry: AuditLogEntry): Promise<void> {
    return super.append(await this.mask(entry));
  }

  override async appendMany(
    entries: readonly AuditLogEntry[],
    options?: AppendManyOptions,
  ): Promise<AppendManyResult> {
    return super.appendMany(await Promise.all(entries.map((entry) => this.mask(entry))), options);
  }

  /** The entry as it is to be stored. */
  async mask(entry: AuditLogEntry): Promise<AuditLogEntry> {
    // Masked on the evaluation thread with the decision, or here: the same `maskParts`.
    const parts =
      decidedMaskingOf(entry) ?? maskParts(entry.input, entry.result, await this.#rulesFor(entry));
    if (!parts.changed)
      return parts.result === entry.result ? entry : { ...entry, result: parts.result };
    const { sealer } = this.#options;
    const sealedOriginal =
      sealer === null
        ? undefined
        : parts.original === undefined
          ? await sealer.seal(entry.userId, entry.id, entry.input)
          : await sealer.sealJson(entry.userId, entry.id, parts.original);
    // The new members first: V8 copies a spread at the start of a literal through its fast
    // clone, and a member written after it costs several times as much.
    const stored: { -readonly [K in keyof AuditLogEntry]: AuditLogEntry[K] } = {
      ...entry,
    };
    // What this step made for this entry alone is handed to the chain as it is (not copied
    // again): the input parsed from the original's JSON text and redacted, the masking record and
    // the sealed original. An input a mask rule upserted into holds the policy's value, which
    // need not be JSON (a big integer), and the result may share members with the decision's:
    // those are copied and checked as any caller's.
    stored.input =
      parts.original === undefined || parts.masking.masked.length > 0
        ? parts.input
        : handOverJson(parts.input);
    stored.result = parts.result;
    stored.masking = handOverJson(parts.masking);
    if (sealedOriginal !== undefined) stored.sealedOriginal = handOverJson(sealedOriginal);
    return stored;
  }

  async #rulesFor(entry: AuditLogEntry): Promise<readonly MaskRule[]> {
    const { policy } = this.#options;
    try {
      const decided = decisionLogMaskOf(entry.result);
      if (decided !== undefined) return maskRulesOf(decided);
      if (policy === null) return [];
      return await policy.rulesFor({
        decision_id: entry.decisionId,
        path: decisionLogPath(entry.policyPath),
        input: entry.input,
        result: entry.result,
        timestamp: entry.occurredAt,
        requested_by: entry.clientAddress,
      });
    } catch (error) {
      this.#options.log.warn(
        { auditId: entry.id, err: error },
        'the mask policy failed; the entry is stored with its whole input erased',
      );
      return [{ op: 'remove', path: '/input', part: 'input', segments: [] }];
    }
  }
}
