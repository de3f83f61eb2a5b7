/**
 * A stand-in for the gateway at the network boundary: it replaces `fetch` and answers the
 * routes of the gateway's HTTP contract from an in-memory list. Components and hooks run
 * unmodified. The real gateway is exercised by the browser tests in e2e/.
 */
import { vi } from 'vitest';
import type { AuthConfig, Principal, Role } from '../../src/api/auth-wire.js';
import type {
  AuditEntry,
  AuditIntegrity,
  EvaluateResult,
  ReadyStatus,
} from '../../src/api/gateway-types.js';

export const GATEWAY_URL = 'http://gateway.test:8080';

export interface RecordedRequest {
  readonly method: string;
  readonly url: URL;
  readonly body: unknown;
  /** The `Authorization` header sent, if any. */
  readonly authorization: string | null;
  /** The `Last-Event-ID` header sent (resuming the live tail), if any. */
  readonly lastEventId?: string | null;
}

type Handler = (request: RecordedRequest) => Response | Promise<Response>;

export class FakeGateway {
  /** Newest first, like the gateway's answers. */
  entries: AuditEntry[] = [];
  requests: RecordedRequest[] = [];
  ready: ReadyStatus = {
    status: 'ready',
    auth: { mode: 'unset', unsafe: false },
    store: { backend: 'embedded', durable: true, reachable: true, schema: 'current' },
    policy: { engine: 'embedded', path: 'data.policy_gateway.decision', version: 'sha256:abc' },
    warnings: [],
  };
  /** `GET /governance/audit/integrity`: nothing verified yet by default. */
  integrity: AuditIntegrity = {
    available: true,
    running: false,
    progress: null,
    last: null,
    last_error: null,
  };
  /** What `POST /governance/audit/integrity/verify` makes of the report; by default, nothing. */
  verify: (current: AuditIntegrity) => AuditIntegrity = (current) => current;
  /** When false, every call fails the way `fetch` does when nothing listens. */
  reachable = true;
  /** Answer for `POST /policy/evaluate`; the default allows. */
  evaluate: Handler = () => json(200, this.defaultEvaluateResult());
  /** Answers `/governance/replays` and below (impact analysis); not found when unset. */
  replays: Handler | null = null;
  /** Holds `GET /governance/audit` answers until released, to observe the loading state. */
  holdAuditList: Promise<void> | null = null;
  /** Serves a `config.json` at the app base when set. */
  configJson: unknown = undefined;
  /** `GET /auth/config`; with `auth: 'on'`, routes need one of `keys` with the route's role. */
  authConfig: AuthConfig = { auth: 'off', oidc: null };
  /**
   * Whether `GET /governance/audit/stream` opens (the live tail); when false it answers 503,
   * as a gateway at its limit of tails does, and the Workbench polls instead.
   */
  streamAvailable = false;
  /** The live tails open now, each fed by `streamEntry`. */
  readonly #streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  /** Bearer tokens the gateway accepts, and whom each proves. Delete one to revoke it. */
  readonly keys = new Map<string, Principal>();

  /** Accepts `token` as a key of `roles`, named `name`. */
  addKey(token: string, name: string, roles: readonly Role[]): Principal {
    const principal: Principal = {
      id: `key:${name}`,
      kind: 'api_key',
      name,
      subject: null,
      roles: [...roles],
    };
    this.keys.set(token, principal);
    return principal;
  }

  install(): void {
    vi.stubGlobal(
      'fetch',
      vi.fn((input: RequestInfo | URL, init?: RequestInit) => this.handle(input, init)),
    );
  }

  /** Adds an entry (newest) and sends it to every open live tail, as the gateway does. */
  streamEntry(entry: AuditEntry): void {
    this.entries = [entry, ...this.entries];
    const event = `event: entry\nid: ${entry.occurred_at}/${entry.id}\ndata: ${JSON.stringify(entry)}\n\n`;
    for (const stream of this.#streams) stream.enqueue(new TextEncoder().encode(event));
  }

  /** Requests that opened (or tried to open) the live tail, with their `Last-Event-ID`. */
  streamRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.url.pathname === '/governance/audit/stream');
  }

  auditListRequests(): URL[] {
    return this.requests
      .filter((r) => r.method === 'GET' && r.url.pathname === '/governance/audit')
      .map((r) => r.url);
  }

  private defaultEvaluateResult(): EvaluateResult {
    return {
      decision_id: 'dec-new',
      audit_id: '0193a6f2-0000-7000-8000-00000000000a',
      allow: true,
      decision: 'allow',
      reasons: [],
      policy: { path: 'data.policy_gateway.decision', version: 'sha256:abc', engine: 'embedded' },
      latency_ms: 0.8,
    };
  }

  private async handle(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const url = new URL(String(input instanceof Request ? input.url : input), 'http://app.test/');
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const authorization = new Headers(init?.headers).get('authorization');
    const lastEventId = new Headers(init?.headers).get('last-event-id');
    const request = { method, url, body, authorization, lastEventId };
    this.requests.push(request);
    if (url.pathname.endsWith('/config.json') && url.origin === 'http://app.test') {
      return this.configJson === undefined ? json(404, {}) : json(200, this.configJson);
    }
    if (!this.reachable || url.origin !== GATEWAY_URL) throw new TypeError('Failed to fetch');
    if (method === 'GET' && url.pathname === '/ready') {
      return json(this.ready.status === 'ready' ? 200 : 503, this.ready);
    }
    if (method === 'GET' && url.pathname === '/auth/config') return json(200, this.authConfig);
    const refusal = this.guard(method, url.pathname, authorization);
    if (refusal !== null) return refusal;
    if (method === 'GET' && url.pathname === '/auth/me') {
      return json(200, this.principalOf(authorization));
    }
    if (method === 'GET' && url.pathname === '/governance/audit') {
      if (this.holdAuditList) await this.holdAuditList;
      return this.list(url.searchParams);
    }
    if (url.pathname === '/governance/audit/integrity' && method === 'GET') {
      return json(200, this.integrity);
    }
    if (url.pathname === '/governance/audit/integrity/verify' && method === 'POST') {
      this.integrity = this.verify(this.integrity);
      return json(202, this.integrity);
    }
    if (method === 'GET' && url.pathname === '/governance/audit/stream') {
      if (!this.streamAvailable) {
        return problem(503, 'Live tails full', 'no more live tails', 'AUDIT_STREAMS_FULL');
      }
      return this.stream(init?.signal ?? undefined);
    }
    if (method === 'GET' && url.pathname === '/governance/audit/export') {
      const format = url.searchParams.get('format') ?? 'ndjson';
      const listed = (await this.list(url.searchParams).json()) as { entries: AuditEntry[] };
      const body = listed.entries.map((entry) => `${JSON.stringify({ kind: 'entry', entry })}\n`);
      return new Response(body.join(''), {
        status: 200,
        headers: {
          'content-type': format === 'csv' ? 'text/csv' : 'application/x-ndjson',
          'content-disposition': `attachment; filename="audit-20261205T120000Z.${format}"`,
        },
      });
    }
    if (url.pathname.startsWith('/governance/replays') && this.replays !== null) {
      return this.replays(request);
    }
    const detail = /^\/governance\/audit\/(.+)$/.exec(url.pathname);
    if (method === 'GET' && detail) {
      const entry = this.entries.find((e) => e.id === decodeURIComponent(detail[1]!));
      return entry
        ? json(200, entry)
        : problem(404, 'Not Found', `No audit entry with id ${detail[1]}`, 'AUDIT_ENTRY_NOT_FOUND');
    }
    if (method === 'POST' && url.pathname === '/policy/evaluate') return this.evaluate(request);
    return problem(404, 'Not Found', `No route ${method} ${url.pathname}`, 'ROUTE_NOT_FOUND');
  }

  private principalOf(authorization: string | null): Principal | undefined {
    const token = authorization?.replace(/^Bearer /, '');
    return token === undefined ? undefined : this.keys.get(token);
  }

  /** 401 without a known key, 403 without the route's role; null when the call may go on. */
  private guard(method: string, path: string, authorization: string | null): Response | null {
    if (this.authConfig.auth === 'off') return null;
    const principal = this.principalOf(authorization);
    if (principal === undefined) {
      return problem(401, 'Unauthorized', 'a valid API key or token is needed', 'UNAUTHENTICATED');
    }
    const role: Role | null = path.startsWith('/governance/audit')
      ? 'auditor'
      : method === 'POST' && path === '/policy/evaluate'
        ? 'evaluator'
        : null;
    if (role !== null && !principal.roles.includes(role)) {
      return problem(403, 'Forbidden', `this needs the ${role} role`, 'FORBIDDEN');
    }
    return null;
  }

  private stream(signal: AbortSignal | undefined): Response {
    let opened: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        opened = controller;
        this.#streams.add(controller);
        controller.enqueue(new TextEncoder().encode(': live tail\n\n'));
      },
      cancel: () => {
        if (opened) this.#streams.delete(opened);
      },
    });
    signal?.addEventListener('abort', () => {
      if (!opened) return;
      this.#streams.delete(opened);
      opened.error(new DOMException('aborted', 'AbortError'));
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }

  private list(params: URLSearchParams): Response {
    const limit = Number(params.get('limit') ?? 50);
    const start = Number(params.get('cursor') ?? 0);
    const since = params.get('since');
    const until = params.get('until');
    const matching = this.entries.filter(
      (e) =>
        (!params.get('user_id') || e.user_id === params.get('user_id')) &&
        (!params.get('decision') || e.decision === params.get('decision')) &&
        (!params.get('policy') || e.policy_path === params.get('policy')) &&
        (!params.get('decision_id') || e.decision_id === params.get('decision_id')) &&
        (!params.get('action') || e.action === params.get('action')) &&
        (!params.get('shadow') ||
          (e.shadow !== null &&
            (params.get('shadow') === 'recorded' || e.shadow.decision !== e.decision))) &&
        (!since || Date.parse(e.occurred_at) >= Date.parse(since)) &&
        (!until || Date.parse(e.occurred_at) < Date.parse(until)),
    );
    const page = matching.slice(start, start + limit);
    const next = start + limit < matching.length ? String(start + limit) : null;
    return json(200, { entries: page, next_cursor: next });
  }
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

export function problem(status: number, title: string, detail: string, code: string): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail, code }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}
