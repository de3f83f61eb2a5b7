/**
 * The JSON schemas of the HTTP API. Routes validate and serialise with these very objects and
 * `/openapi.json` is generated from the routes as registered, so the two cannot drift apart.
 */

export const reasonSchema = {
  type: 'object',
  required: ['code', 'message', 'severity'],
  properties: {
    code: { type: 'string', description: 'Stable machine-readable code, e.g. `pii.email`.' },
    message: { type: 'string' },
    severity: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
  },
} as const;

export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details; `code` is listed in the README error catalogue.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    field: { type: 'string', description: 'The offending body field or query parameter.' },
    request_id: { type: 'string' },
    audit_id: { type: 'string', description: 'The audit entry recording a failed evaluation.' },
    decision_id: { type: 'string' },
  },
  additionalProperties: true,
} as const;

/** The response map entry of a problem status, keyed by its media type. */
export function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: problemSchema } } };
}

export const evaluateBodySchema = {
  type: 'object',
  required: ['prompt', 'user_id'],
  additionalProperties: false,
  properties: {
    prompt: { type: 'string', minLength: 1, description: 'The prompt to check.' },
    user_id: { type: 'string', minLength: 1, description: 'Who sends the prompt.' },
    context: {
      type: 'object',
      description: 'Free-form facts passed to the policy as `input.context`.',
    },
  },
} as const;

export const evaluateResponseSchema = {
  type: 'object',
  required: ['decision_id', 'audit_id', 'allow', 'decision', 'reasons', 'policy', 'latency_ms'],
  properties: {
    decision_id: { type: 'string' },
    audit_id: { type: 'string', format: 'uuid', description: 'Id of the committed audit entry.' },
    allow: { type: 'boolean' },
    decision: { type: 'string', enum: ['allow', 'deny'] },
    reasons: { type: 'array', items: reasonSchema },
    policy: {
      type: 'object',
      required: ['path', 'version', 'engine'],
      properties: {
        path: { type: 'string' },
        version: { type: 'string' },
        engine: { type: 'string', enum: ['embedded', 'opa'] },
      },
    },
    latency_ms: { type: 'number', description: 'Policy evaluation time.' },
  },
} as const;

export const auditEntrySchema = {
  type: 'object',
  required: [
    'id',
    'decision_id',
    'occurred_at',
    'user_id',
    'action',
    'decision',
    'reasons',
    'policy_path',
    'policy_version',
    'policy_engine',
    'input',
    'result',
    'error',
    'latency_ms',
    'request_id',
    'client_address',
    'user_agent',
    'gateway_instance',
  ],
  properties: {
    id: { type: 'string', format: 'uuid', description: 'UUIDv7, time-ordered.' },
    decision_id: { type: 'string' },
    occurred_at: { type: 'string', description: 'RFC 3339 UTC with microseconds.' },
    user_id: { type: 'string' },
    action: { type: 'string', description: 'What was decided on: `policy.evaluate`.' },
    decision: { type: 'string', enum: ['allow', 'deny', 'error'] },
    reasons: { type: 'array', items: reasonSchema },
    policy_path: { type: 'string' },
    policy_version: { type: 'string' },
    policy_engine: { type: 'string' },
    input: { description: 'The policy input as evaluated.' },
    result: { description: 'The raw policy result; null when undefined or failed.' },
    error: { type: ['string', 'null'] },
    latency_ms: { type: 'number' },
    request_id: { type: ['string', 'null'] },
    client_address: { type: ['string', 'null'] },
    user_agent: { type: ['string', 'null'] },
    gateway_instance: { type: 'string' },
  },
} as const;

export const RFC3339_EXAMPLE = '2026-11-28T07:00:00Z';

export const auditQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 50,
      description: 'Entries per page.',
    },
    cursor: {
      type: 'string',
      minLength: 1,
      description: '`next_cursor` of the previous page, verbatim.',
    },
    user_id: { type: 'string', minLength: 1 },
    decision: { type: 'string', enum: ['allow', 'deny', 'error'] },
    policy: {
      type: 'string',
      minLength: 1,
      description: 'Policy path, e.g. `data.policy_gateway.decision`.',
    },
    since: {
      type: 'string',
      format: 'date-time',
      description: `Inclusive lower bound on \`occurred_at\` (RFC 3339, e.g. ${RFC3339_EXAMPLE}).`,
    },
    until: {
      type: 'string',
      format: 'date-time',
      description: 'Exclusive upper bound on `occurred_at` (RFC 3339).',
    },
    decision_id: { type: 'string', minLength: 1 },
  },
} as const;

export const auditPageSchema = {
  type: 'object',
  required: ['entries', 'next_cursor'],
  properties: {
    entries: { type: 'array', items: auditEntrySchema },
    next_cursor: {
      type: ['string', 'null'],
      description: 'Pass as `cursor` for the next page; null on the last page.',
    },
  },
} as const;

export const auditIdParamsSchema = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', format: 'uuid', description: 'The audit entry id.' } },
} as const;

export const healthResponseSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'] } },
} as const;

export const readyResponseSchema = {
  type: 'object',
  required: ['status', 'store', 'policy', 'warnings'],
  properties: {
    status: { type: 'string', enum: ['ready', 'not_ready'] },
    store: {
      type: 'object',
      required: ['backend', 'durable', 'reachable', 'schema'],
      properties: {
        backend: { type: 'string', enum: ['memory', 'postgres', 'embedded'] },
        durable: { type: 'boolean' },
        reachable: { type: 'boolean' },
        schema: { type: 'string', enum: ['current', 'ahead', 'behind', 'unknown'] },
      },
    },
    policy: {
      type: 'object',
      required: ['engine', 'path', 'version'],
      properties: {
        engine: { type: 'string' },
        path: { type: 'string' },
        version: { type: 'string' },
      },
    },
    warnings: { type: 'array', items: { type: 'string' } },
  },
} as const;
