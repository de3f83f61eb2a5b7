/**
 * The privacy step of the audit write path: before an entry is chained and stored, its prompt
 * is redacted (the spans the policy reported in its result's `redact` member), the mask
 * policy's rules erase or overwrite what they name (OPA's `erased` and `masked`), `redact`
 * is dropped from the result, and the unmasked input is sealed under the subject's data key.
 * The rules are those the engine evaluated with the decision, on its thread and with the bundle
 * that decided (`decision-log-mask.ts`); an entry without them asks `policy` (the active
 * engine, `ActiveMaskPolicy`).
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
  type AuditEntryMasking,
  type AuditLogEntry,
  type AuditLogEntryRepository,
  AuditLogEntryRepositoryDecorator,
} from '@policy-gateway/governance-runtime';
import { decisionLogMaskOf, decisionLogPath } from '../policy/decision-log-mask.js';
import { type MaskRuleSource, maskRulesOf } from './mask-policy.js';
import { applyMaskRules, type MaskableEvent, type MaskRule } from './mask-rules.js';
import type { OriginalSealer } from './original-sealer.js';
import { type ReportedSpan, redactText, WITHHELD_PROMPT } from './text-redaction.js';

/** The result member in which the shipped policy reports the spans it found. */
export const REDACT_MEMBER = 'redact';

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
    const { spans, result } = reportedSpans(entry.result);
    // Asked first, on the entry as decided: an engine's answer may be awaited meanwhile.
    const rules = await this.#rulesFor(entry);
    // One serialisation of the original serves twice: parsed, it is the copy that is masked
    // (the chain copies through JSON anyway), and it is the very text that is sealed.
    const original = jsonTextOf(entry.input);
    const event: MaskableEvent = {
      input: original === undefined ? structuredClone(entry.input) : JSON.parse(original),
      result,
    };
    let redacted: AuditEntryMasking['redacted'] = [];
    if (spans.length > 0 && isRecord(event.input) && typeof event.input.prompt === 'string') {
      const redaction = redactText(event.input.prompt, spans);
      event.input.prompt = redaction.text;
      redacted = redaction.redacted;
    } else if (spans === MALFORMED && isRecord(event.input)) {
      event.input.prompt = WITHHELD_PROMPT;
      redacted = [{ code: 'redaction.withheld', count: 1 }];
    }
    const { erased, masked } = applyMaskRules(event, rules);
    if (erased.length === 0 && masked.length === 0 && redacted.length === 0) {
      return result === entry.result ? entry : { ...entry, result };
    }
    const { sealer } = this.#options;
    const sealedOriginal =
      sealer === null
        ? undefined
        : original === undefined
          ? await sealer.seal(entry.userId, entry.id, entry.input)
          : await sealer.sealJson(entry.userId, entry.id, original);
    // The new members first: V8 copies a spread at the start of a literal through its fast
    // clone, and a member written after it costs several times as much.
    const stored: { -readonly [K in keyof AuditLogEntry]: AuditLogEntry[K] } = {
      ...entry,
    };
    stored.input = event.input;
    stored.result = event.result;
    stored.masking = { erased, masked, redacted };
    if (sealedOriginal !== undefined) stored.sealedOriginal = sealedOriginal;
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

/** A `redact` member that is not a list of `{code, text}` strings. */
const MALFORMED: readonly ReportedSpan[] = Object.freeze([]);

/** The spans a result reports, and the result without them. */
function reportedSpans(result: unknown): { spans: readonly ReportedSpan[]; result: unknown } {
  if (!isRecord(result) || !Object.hasOwn(result, REDACT_MEMBER)) return { spans: [], result };
  const { [REDACT_MEMBER]: reported, ...rest } = result;
  const valid =
    Array.isArray(reported) &&
    reported.every(
      (span) => isRecord(span) && typeof span.code === 'string' && typeof span.text === 'string',
    );
  return { spans: valid ? (reported as ReportedSpan[]) : MALFORMED, result: rest };
}

/** The JSON text of `value`, or undefined where JSON cannot carry it (left to the storage to refuse). */
function jsonTextOf(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
