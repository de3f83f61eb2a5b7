/**
 * Query keys of everything fetched from the gateway. Each starts with the gateway's URL so that
 * switching gateways never shows another gateway's cached entries.
 */
import type { AuditFilters } from './audit-filters.js';

export const gatewayKey = (baseUrl: string) => ['gateway', baseUrl] as const;

/** Prefix of every audit read: invalidating it refreshes the log, its poll and open entries. */
export const auditKey = (baseUrl: string) => [...gatewayKey(baseUrl), 'audit'] as const;

export const auditLogKey = (baseUrl: string, filters: AuditFilters) =>
  [...auditKey(baseUrl), 'log', filters] as const;

export const auditNewerKey = (baseUrl: string, filters: AuditFilters, after: string | null) =>
  [...auditKey(baseUrl), 'newer', filters, after] as const;

export const auditEntryKey = (baseUrl: string, id: string) =>
  [...auditKey(baseUrl), 'entry', id] as const;

export const readyKey = (baseUrl: string) => [...gatewayKey(baseUrl), 'ready'] as const;
