/**
 * Access-log records for the contract suite: realistic values, every field set, overridable
 * one field at a time. Times come from `at()`, as the audit entries' do.
 */
import type { AccessLogRecord } from '../src/access-log-record.js';
import { newAuditLogEntryId } from '../src/new-audit-log-entry-id.js';
import { at } from './audit-log-entry-fixtures.js';

export function makeAccessLogRecord(overrides: Partial<AccessLogRecord> = {}): AccessLogRecord {
  const entryIds = overrides.entryIds ?? [newAuditLogEntryId(), newAuditLogEntryId()];
  return {
    id: newAuditLogEntryId(),
    occurredAt: at(0),
    principalId: 'key:01a2b3c4',
    method: 'GET',
    route: '/governance/audit',
    parameters: { limit: 50, user_id: 'alice' },
    status: 200,
    entryCount: entryIds.length,
    requestId: 'req-1',
    clientRequestId: 'client-req-1',
    clientAddress: '127.0.0.1',
    userAgent: 'vitest',
    gatewayInstance: 'test-host:1',
    ...overrides,
    entryIds,
  };
}
