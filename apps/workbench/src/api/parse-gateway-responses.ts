/**
 * Checks the gateway's JSON against the contract's schemas once, at the boundary, so that
 * components can trust the types. A mismatch throws a `GatewayResponseError` naming the member
 * and what the contract expects there, e.g. `entry.decision must be one of allow, deny, error`.
 */
import {
  type AuditEntry,
  AuditEntrySchema,
  type AuditIntegrity,
  AuditIntegritySchema,
  type AuditPage,
  AuditPageSchema,
  type AuditStatsJson,
  AuditStatsSchema,
  type EvaluateResult,
  EvaluateResultSchema,
  type OpenedOriginal,
  OpenedOriginalSchema,
  type ReadyStatus,
  ReadyStatusSchema,
  type Replay,
  type ReplayChangesPage,
  ReplayChangesPageSchema,
  ReplaySchema,
} from '@policy-gateway/gateway-contract';
import type { Static, TSchema } from '@sinclair/typebox';
import { Errors, type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { Check } from '@sinclair/typebox/value';
import { type AuthConfig, AuthConfigSchema, type Principal, PrincipalSchema } from './auth-wire.js';
import { GatewayResponseError } from './gateway-errors.js';

/** `/entries/0/id` under `page` reads `page.entries[0].id`. */
function memberPath(root: string, pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce(
      (path, token) => (/^\d+$/.test(token) ? `${path}[${token}]` : `${path}.${token}`),
      root,
    );
}

function expectation(error: ValueError): string {
  const schema = error.schema as { enum?: unknown; type?: unknown; format?: unknown };
  if (error.type === ValueErrorType.ObjectRequiredProperty) return 'is missing';
  if (Array.isArray(schema.enum)) return `must be one of ${schema.enum.join(', ')}`;
  if (error.type === ValueErrorType.StringFormat) return `must be a ${String(schema.format)}`;
  // The contract's own kinds report only their name; their JSON Schema type says more.
  if (error.type === ValueErrorType.Kind && schema.type !== undefined) {
    return `must be ${[schema.type].flat().join(' or ')}`;
  }
  // TypeBox's wording for the rest: "Expected string" becomes "must be string".
  return error.message.replace(/^Expected/, 'must be');
}

function shown(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function parse<T extends TSchema>(schema: T, value: unknown, root: string): Static<T> {
  if (Check(schema, value)) return value;
  const error = Errors(schema, value).First();
  if (error === undefined) throw new GatewayResponseError(`${root} does not match the contract`);
  const got =
    error.type === ValueErrorType.ObjectRequiredProperty ? '' : ` (got ${shown(error.value)})`;
  throw new GatewayResponseError(`${memberPath(root, error.path)} ${expectation(error)}${got}`);
}

export function parseAuditEntry(value: unknown): AuditEntry {
  return parse(AuditEntrySchema, value, 'entry');
}

export function parseAuditPage(value: unknown): AuditPage {
  return parse(AuditPageSchema, value, 'page');
}

export function parseEvaluateResult(value: unknown): EvaluateResult {
  return parse(EvaluateResultSchema, value, 'result');
}

export function parseAuditIntegrity(value: unknown): AuditIntegrity {
  return parse(AuditIntegritySchema, value, 'integrity');
}

export function parseAuditStats(value: unknown): AuditStatsJson {
  return parse(AuditStatsSchema, value, 'stats');
}

export function parseReadyStatus(value: unknown): ReadyStatus {
  return parse(ReadyStatusSchema, value, 'ready');
}

export function parseAuthConfig(value: unknown): AuthConfig {
  return parse(AuthConfigSchema, value, 'auth');
}

export function parsePrincipal(value: unknown): Principal {
  return parse(PrincipalSchema, value, 'principal');
}

export function parseOpenedOriginal(value: unknown): OpenedOriginal {
  return parse(OpenedOriginalSchema, value, 'original');
}

export function parseReplay(value: unknown): Replay {
  return parse(ReplaySchema, value, 'replay');
}

export function parseReplayChangesPage(value: unknown): ReplayChangesPage {
  return parse(ReplayChangesPageSchema, value, 'changes');
}
