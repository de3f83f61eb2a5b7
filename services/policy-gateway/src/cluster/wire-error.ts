/**
 * Errors as they cross between processes. Node's IPC (advanced serialization, the structured
 * clone) keeps an error's message but turns every class into a plain `Error` and drops its
 * fields, while the routes branch on the class (`DuplicateIdempotencyKeyError`) and read its
 * fields (`field`, `id`). An error of a class listed here arrives as that class, fields and
 * all; any other arrives as an `Error` with its name and message.
 */
import {
  AtomicBatchRefusedError,
  CommitOutcomeUnknownError,
  DuplicateAccessLogRecordError,
  DuplicateAuditLogEntryError,
  DuplicateIdempotencyKeyError,
  InvalidAccessLogQueryError,
  InvalidAccessLogRecordError,
  InvalidAuditLogEntryError,
  InvalidAuditQueryError,
  InvalidCursorError,
} from '@policy-gateway/governance-runtime';

/** The classes callers of the audit, access-log and key repositories branch on. */
const KNOWN_CLASSES: ReadonlyMap<string, { readonly prototype: Error }> = new Map<
  string,
  { readonly prototype: Error }
>([
  ['AtomicBatchRefusedError', AtomicBatchRefusedError],
  ['CommitOutcomeUnknownError', CommitOutcomeUnknownError],
  ['DuplicateAccessLogRecordError', DuplicateAccessLogRecordError],
  ['DuplicateAuditLogEntryError', DuplicateAuditLogEntryError],
  ['DuplicateIdempotencyKeyError', DuplicateIdempotencyKeyError],
  ['InvalidAccessLogQueryError', InvalidAccessLogQueryError],
  ['InvalidAccessLogRecordError', InvalidAccessLogRecordError],
  ['InvalidAuditLogEntryError', InvalidAuditLogEntryError],
  ['InvalidAuditQueryError', InvalidAuditQueryError],
  ['InvalidCursorError', InvalidCursorError],
  ['RangeError', RangeError],
  ['TypeError', TypeError],
]);

/** An error reduced to what survives the structured clone. */
export interface WireError {
  readonly wireError: true;
  readonly name: string;
  /** Its own properties whose values clone as they are: message, stack and the class's fields. */
  readonly properties: Readonly<Record<string, unknown>>;
}

function clonesAsItIs(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function';
  return Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object');
}

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) {
    return { wireError: true, name: 'Error', properties: { message: String(error) } };
  }
  const properties: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(error)) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (clonesAsItIs(value)) properties[key] = value;
  }
  return { wireError: true, name: error.name, properties };
}

/** The error again, of its class when the class is known here. */
export function fromWireError(wire: WireError): Error {
  const known = KNOWN_CLASSES.get(wire.name);
  const error = Object.create(known?.prototype ?? Error.prototype) as Error;
  for (const [key, value] of Object.entries(wire.properties)) {
    // As the constructors define them: not enumerable, so that logs and JSON look the same.
    Object.defineProperty(error, key, {
      value,
      writable: true,
      configurable: true,
      enumerable: key !== 'message' && key !== 'stack',
    });
  }
  if (known === undefined) error.name = wire.name;
  return error;
}
