import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiSnapshot,
  apiSnapshot,
  OPENAPI_BASELINE,
  RESPONSE_SHAPES_BASELINE,
} from './support/api-baseline.js';

/**
 * Deliberate additions to the API since the baseline was captured, as JSON Pointers into the
 * live snapshot, each with the reason. Everything else must be exactly as captured; an
 * addition listed here must exist (so that the list cannot outlive what it excuses).
 */
const DROPPED_ENTRIES_NOTE = "issue 8: /ready counts the memory store's dropped entries";
/**
 * Issue 10 (access control): who the caller is (`/auth/config`, `/auth/me`), the guard's 401
 * and 403 on every guarded route, and the auth section of `/ready`. The store, policy and
 * warnings of `/ready` also became optional in its schema (an unauthenticated caller does not
 * get them when authentication is on): the baseline's `required` lists were edited for that.
 */
const AUTHENTICATION_NOTE = 'issue 10: authentication, roles per route, /auth routes';
const GUARDED_OPERATIONS = [
  { path: '~1policy~1evaluate', method: 'post' },
  { path: '~1governance~1audit', method: 'get' },
  { path: '~1governance~1audit~1{id}', method: 'get' },
];
const AUTHENTICATION_ADDITIONS: readonly { pointer: string; note: string }[] = [
  { pointer: '/openapi/paths/~1auth~1config', note: AUTHENTICATION_NOTE },
  { pointer: '/openapi/paths/~1auth~1me', note: AUTHENTICATION_NOTE },
  ...GUARDED_OPERATIONS.flatMap(({ path, method }) =>
    ['401', '403'].map((status) => ({
      pointer: `/openapi/paths/${path}/${method}/responses/${status}`,
      note: AUTHENTICATION_NOTE,
    })),
  ),
  ...['200', '503'].map((status) => ({
    pointer: `/openapi/paths/~1ready/get/responses/${status}/content/application~1json/schema/properties/auth`,
    note: AUTHENTICATION_NOTE,
  })),
  { pointer: '/responses/GET ~1ready/body/auth', note: AUTHENTICATION_NOTE },
  // Who asked for each decision (the entry's `principal_id`, required and nullable: the
  // baseline's `required` lists of the entry were edited for it), and whom it is about.
  ...[
    '/openapi/paths/~1governance~1audit/get/responses/200/content/application~1json/schema/properties/entries/items',
    '/openapi/paths/~1governance~1audit~1{id}/get/responses/200/content/application~1json/schema',
  ].flatMap((entry) =>
    ['principal_id', 'user_id/description'].map((member) => ({
      pointer: `${entry}/properties/${member}`,
      note: AUTHENTICATION_NOTE,
    })),
  ),
  ...[0, 1, 2].map((index) => ({
    pointer: `/responses/GET ~1governance~1audit/body/entries/${index}/principal_id`,
    note: AUTHENTICATION_NOTE,
  })),
  {
    pointer: '/responses/GET ~1governance~1audit~1:id/body/principal_id',
    note: AUTHENTICATION_NOTE,
  },
];

/**
 * Issue 10 (loose end): the document says which credentials each operation takes and which
 * role it needs (`security`, with the schemes under `components`), open routes included.
 */
const SECURITY_NOTE = 'issue 10: securitySchemes (API key, OIDC token) and security per operation';
const SECURITY_ADDITIONS: readonly { pointer: string; note: string }[] = [
  { pointer: '/openapi/components', note: SECURITY_NOTE },
  ...[
    { path: '~1policy~1evaluate', method: 'post' },
    { path: '~1governance~1audit', method: 'get' },
    { path: '~1governance~1audit~1{id}', method: 'get' },
    { path: '~1health', method: 'get' },
    { path: '~1ready', method: 'get' },
    { path: '~1openapi.json', method: 'get' },
  ].map(({ path, method }) => ({
    pointer: `/openapi/paths/${path}/${method}/security`,
    note: SECURITY_NOTE,
  })),
];

/** Issue 10 (audited reads): the access log's route, and what a read of it answers. */
const ACCESS_LOG_NOTE =
  'issue 10: every read of the trail is recorded; GET /governance/access-log lists the records';
const ACCESS_LOG_ADDITIONS: readonly { pointer: string; note: string }[] = [
  '/openapi/paths/~1governance~1access-log',
  '/responses/GET ~1governance~1access-log',
  '/responses/GET ~1governance~1access-log bad limit',
].map((pointer) => ({ pointer, note: ACCESS_LOG_NOTE }));

/** Issue 10 (identities): API keys managed over HTTP by admins. */
const ADMIN_KEYS_NOTE =
  'issue 10: admins make, list and revoke API keys over HTTP (the CLI cannot open an embedded database while serve holds it)';
const ADMIN_KEYS_ADDITIONS: readonly { pointer: string; note: string }[] = [
  '/openapi/paths/~1admin~1keys',
  '/openapi/paths/~1admin~1keys~1{id}~1revoke',
].map((pointer) => ({ pointer, note: ADMIN_KEYS_NOTE }));

/** Issue 11 (tamper evidence): the trail's verification and the proof of one entry. */
const TAMPER_EVIDENCE_NOTE =
  'issue 11: the last verification of the hash chains and checkpoints, a new one on demand, and the proof of one entry';
const TAMPER_EVIDENCE_ADDITIONS: readonly { pointer: string; note: string }[] = [
  '/openapi/paths/~1governance~1audit~1integrity',
  '/openapi/paths/~1governance~1audit~1integrity~1verify',
  '/openapi/paths/~1governance~1audit~1{id}~1proof',
].map((pointer) => ({ pointer, note: TAMPER_EVIDENCE_NOTE }));

/**
 * Issue 11 (tamper evidence): each entry's place in its hash chain (`chain`, required and
 * nullable: the baseline's `required` lists of the entry were edited for it), and the chain
 * `serve` writes on `/ready`.
 */
const CHAIN_NOTE = 'issue 11: entries carry their hash chain link; /ready names the chain';
const CHAIN_ADDITIONS: readonly { pointer: string; note: string }[] = [
  ...[
    '/openapi/paths/~1governance~1audit/get/responses/200/content/application~1json/schema/properties/entries/items',
    '/openapi/paths/~1governance~1audit~1{id}/get/responses/200/content/application~1json/schema',
  ].map((entry) => ({ pointer: `${entry}/properties/chain`, note: CHAIN_NOTE })),
  ...['200', '503'].map((status) => ({
    pointer: `/openapi/paths/~1ready/get/responses/${status}/content/application~1json/schema/properties/audit_chain`,
    note: CHAIN_NOTE,
  })),
  ...[0, 1, 2].map((index) => ({
    pointer: `/responses/GET ~1governance~1audit/body/entries/${index}/chain`,
    note: CHAIN_NOTE,
  })),
  { pointer: '/responses/GET ~1governance~1audit~1:id/body/chain', note: CHAIN_NOTE },
];

/** Issue 14: OPA's Data API, recorded, beside the gateway's own evaluation. */
const OPA_DATA_API_NOTE =
  "issue 14: OPA's Data API (POST/GET /v1/data/{path}, POST /) so that OPA's clients work unchanged";
const OPA_DATA_API_ADDITIONS: readonly { pointer: string; note: string }[] = [
  '/openapi/paths/~1',
  '/openapi/paths/~1v1~1data',
  '/openapi/paths/~1v1~1data~1*',
].map((pointer) => ({ pointer, note: OPA_DATA_API_NOTE }));

/**
 * Issue 14: OPA servers upload their decision logs to the trail, and the audit list selects
 * entries by `action` and `gateway_instance` (to tell uploaded decisions apart; those two
 * query parameters were added to the baseline's parameter list, an array no pointer can skip).
 */
const DECISION_LOG_ADDITIONS: readonly { pointer: string; note: string }[] = [
  {
    pointer: '/openapi/paths/~1logs',
    note: "issue 14: OPA's decision_logs plugin uploads to POST /logs",
  },
];

/**
 * Issue 13 (privacy in the audit trail): what was masked before an entry was stored, and its
 * sealed original (both required and nullable: the baseline's `required` lists of the entry
 * were edited for them).
 */
const PRIVACY_NOTE =
  'issue 13: entries record what was masked and carry the sealed original, and whether it was erased';
const ENTRY_SCHEMAS = [
  '/openapi/paths/~1governance~1audit/get/responses/200/content/application~1json/schema/properties/entries/items',
  '/openapi/paths/~1governance~1audit~1{id}/get/responses/200/content/application~1json/schema',
];
const PRIVACY_ROUTES_NOTE =
  'issue 13: privacy officers read sealed originals with a reason, admins erase subjects';
const PRIVACY_ADDITIONS: readonly { pointer: string; note: string }[] = [
  ...[
    '/openapi/paths/~1governance~1audit~1{id}~1original',
    '/openapi/paths/~1admin~1subjects~1{user_id}~1erasure',
  ].map((pointer) => ({ pointer, note: PRIVACY_ROUTES_NOTE })),
  ...ENTRY_SCHEMAS.flatMap((entry) =>
    ['masking', 'sealed_original', 'sealed_original_state'].map((member) => ({
      pointer: `${entry}/properties/${member}`,
      note: PRIVACY_NOTE,
    })),
  ),
  ...[
    '/responses/GET ~1governance~1audit~1:id/body',
    ...[0, 1, 2].map((index) => `/responses/GET ~1governance~1audit/body/entries/${index}`),
  ].flatMap((entry) =>
    ['masking', 'sealed_original', 'sealed_original_state'].map((member) => ({
      pointer: `${entry}/${member}`,
      note: PRIVACY_NOTE,
    })),
  ),
];

/** Issue 12: the streaming replica that serves audit reads, on `/ready` when one is set. */
const READ_REPLICA_NOTE =
  'issue 12: /ready reports the read replica (POLICY_GATEWAY_READ_DATABASE_URL)';
const READ_REPLICA_ADDITIONS: readonly { pointer: string; note: string }[] = ['200', '503'].map(
  (status) => ({
    pointer: `/openapi/paths/~1ready/get/responses/${status}/content/application~1json/schema/properties/read_replica`,
    note: READ_REPLICA_NOTE,
  }),
);

/**
 * Issue 14 (shadow rollout, monitor mode): entries carry the shadow bundle's decision and
 * whether they were enforced (both required, `shadow` nullable: the baseline's `required` lists
 * of the entry, its parameter list (`shadow`) and the evaluate route's description were edited
 * for them); `/ready` says how the policy is rolled out; a monitored answer says `enforced`.
 */
const ROLLOUT_NOTE =
  'issue 14: shadow decisions and monitor mode on entries, /ready and the evaluate answer';
const ROLLOUT_ADDITIONS: readonly { pointer: string; note: string }[] = [
  ...ENTRY_SCHEMAS.flatMap((entry) =>
    ['shadow', 'enforced'].map((member) => ({
      pointer: `${entry}/properties/${member}`,
      note: ROLLOUT_NOTE,
    })),
  ),
  ...[
    '/responses/GET ~1governance~1audit~1:id/body',
    ...[0, 1, 2].map((index) => `/responses/GET ~1governance~1audit/body/entries/${index}`),
  ].flatMap((entry) =>
    ['shadow', 'enforced'].map((member) => ({ pointer: `${entry}/${member}`, note: ROLLOUT_NOTE })),
  ),
  ...['200', '503'].map((status) => ({
    pointer: `/openapi/paths/~1ready/get/responses/${status}/content/application~1json/schema/properties/rollout`,
    note: ROLLOUT_NOTE,
  })),
  { pointer: '/responses/GET ~1ready/body/rollout', note: ROLLOUT_NOTE },
  {
    pointer:
      '/openapi/paths/~1policy~1evaluate/post/responses/200/content/application~1json/schema/properties/enforced',
    note: ROLLOUT_NOTE,
  },
];

/**
 * Issue 17: the export of what the list's filters select (NDJSON or CSV, with the checkpoints
 * that vouch for the entries), and the live tail of new entries (server-sent events).
 */
const EXPORT_AND_STREAM_NOTE = 'issue 17: audit export and live tail';
const EXPORT_AND_STREAM_ADDITIONS: readonly { pointer: string; note: string }[] = [
  { pointer: '/openapi/paths/~1governance~1audit~1export', note: EXPORT_AND_STREAM_NOTE },
  { pointer: '/openapi/paths/~1governance~1audit~1stream', note: EXPORT_AND_STREAM_NOTE },
];

/**
 * Issue 17: the overview's stats over a time range (decisions per bucket, reasons, users,
 * latency percentiles, policy versions), read from roll-ups.
 */
const STATS_NOTE = 'issue 17: audit stats for the Workbench overview';
const STATS_ADDITIONS: readonly { pointer: string; note: string }[] = [
  { pointer: '/openapi/paths/~1governance~1audit~1stats', note: STATS_NOTE },
];

/**
 * Issue 17: replays of a candidate bundle over the recorded decisions (impact analysis): start
 * one, its progress and summary, and the decisions it would change.
 */
const REPLAY_NOTE = 'issue 17: replay (impact analysis) of a candidate policy';
const REPLAY_ADDITIONS: readonly { pointer: string; note: string }[] = [
  { pointer: '/openapi/paths/~1governance~1replays', note: REPLAY_NOTE },
  { pointer: '/openapi/paths/~1governance~1replays~1{id}', note: REPLAY_NOTE },
  { pointer: '/openapi/paths/~1governance~1replays~1{id}~1changes', note: REPLAY_NOTE },
];

const NORMALIZATION_NOTE =
  'issue 16: an entry records which normalisations changed the prompt (input.normalized.changed)';
const NORMALIZATION_ADDITIONS: readonly { pointer: string; note: string }[] = [
  ...[0, 1, 2].map((index) => ({
    pointer: `/responses/GET ~1governance~1audit/body/entries/${index}/input/normalized`,
    note: NORMALIZATION_NOTE,
  })),
  {
    pointer: '/responses/GET ~1governance~1audit~1:id/body/input/normalized',
    note: NORMALIZATION_NOTE,
  },
];

const INTENDED_ADDITIONS: readonly { pointer: string; note: string }[] = [
  ...['200', '503'].map((status) => ({
    pointer: `/openapi/paths/~1ready/get/responses/${status}/content/application~1json/schema/properties/store/properties/dropped_entries`,
    note: DROPPED_ENTRIES_NOTE,
  })),
  { pointer: '/responses/GET ~1ready/body/store/dropped_entries', note: DROPPED_ENTRIES_NOTE },
  ...ACCESS_LOG_ADDITIONS,
  ...AUTHENTICATION_ADDITIONS,
  ...SECURITY_ADDITIONS,
  ...ADMIN_KEYS_ADDITIONS,
  ...TAMPER_EVIDENCE_ADDITIONS,
  ...CHAIN_ADDITIONS,
  ...OPA_DATA_API_ADDITIONS,
  ...DECISION_LOG_ADDITIONS,
  ...PRIVACY_ADDITIONS,
  ...READ_REPLICA_ADDITIONS,
  ...ROLLOUT_ADDITIONS,
  ...EXPORT_AND_STREAM_ADDITIONS,
  ...STATS_ADDITIONS,
  ...REPLAY_ADDITIONS,
  ...NORMALIZATION_ADDITIONS,
];

function tokens(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function at(value: unknown, pointer: string): unknown {
  let current = value;
  for (const token of tokens(pointer)) {
    if (current === null || typeof current !== 'object' || !(token in current)) return undefined;
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}

function without(value: unknown, pointers: readonly string[]): unknown {
  const copy = structuredClone(value);
  for (const pointer of pointers) {
    const path = tokens(pointer);
    const last = path.pop();
    // Re-escaped: a token may hold a '/' (`~1ready`, `GET /ready`).
    const parentPointer = path.map((t) => `/${t.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    const parent = at(copy, parentPointer.join(''));
    if (last !== undefined && parent !== null && typeof parent === 'object') {
      delete (parent as Record<string, unknown>)[last];
    }
  }
  return copy;
}

const baseline = {
  openapi: JSON.parse(readFileSync(OPENAPI_BASELINE, 'utf8')),
  responses: JSON.parse(readFileSync(RESPONSE_SHAPES_BASELINE, 'utf8')),
};

let live: ApiSnapshot;
beforeAll(async () => {
  live = await apiSnapshot();
});

describe('the HTTP API compared with its checked-in baseline', () => {
  it('serves the same OpenAPI document, apart from the listed additions', () => {
    const pointers = INTENDED_ADDITIONS.map((a) => a.pointer).filter((p) =>
      p.startsWith('/openapi/'),
    );
    expect(without({ openapi: live.openapi }, pointers)).toEqual({ openapi: baseline.openapi });
  });

  it('answers every representative request with the same status, headers and body shape', () => {
    const pointers = INTENDED_ADDITIONS.map((a) => a.pointer).filter((p) =>
      p.startsWith('/responses/'),
    );
    expect(without({ responses: live.responses }, pointers)).toEqual({
      responses: baseline.responses,
    });
  });

  it('lists only additions that are in the live API and were not in the baseline', () => {
    for (const { pointer, note } of INTENDED_ADDITIONS) {
      expect(at(live, pointer), `${pointer} (${note}) is served`).toBeDefined();
      expect(at(baseline, pointer), `${pointer} (${note}) was not in the baseline`).toBeUndefined();
    }
  });
});
