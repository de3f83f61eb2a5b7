/**
 * Typed calls to the policy gateway's HTTP API. Every call goes through `request`, which turns a
 * failed `fetch` into `GatewayUnreachableError` and an error status into `GatewayProblemError`.
 */
import type { AuditExportFormat } from '@policy-gateway/gateway-contract';
import type { AuthConfig, Principal } from './auth-wire.js';
import {
  GatewayProblemError,
  GatewayResponseError,
  GatewayUnreachableError,
} from './gateway-errors.js';
import type {
  AuditEntry,
  AuditIntegrity,
  AuditPage,
  AuditQueryParams,
  AuditStats,
  AuditStatsQueryParams,
  EvaluateRequest,
  EvaluateResult,
  OpenedOriginal,
  ReadyStatus,
  Replay,
  ReplayChangesPage,
  ReplayRequest,
} from './gateway-types.js';
import {
  parseAuditEntry,
  parseAuditIntegrity,
  parseAuditPage,
  parseAuditStats,
  parseAuthConfig,
  parseEvaluateResult,
  parseOpenedOriginal,
  parsePrincipal,
  parseReadyStatus,
  parseReplay,
  parseReplayChangesPage,
} from './parse-gateway-responses.js';
import { type ServerSentEvent, serverSentEvents } from './server-sent-events.js';

interface RequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
  /** Statuses whose body is a regular answer rather than a problem (e.g. 503 from `/ready`). */
  readonly acceptStatuses?: readonly number[];
  /** A bearer token to send instead of the signed-in one (checking a key before keeping it). */
  readonly token?: string;
}

export interface GatewayClientOptions {
  /** The signed-in credential's bearer token, read at each call; none when signed out. */
  readonly bearerToken?: () => string | null;
  /**
   * Called when the gateway refuses the signed-in credential (401): it expired or was revoked.
   * Not called for a token passed to one call (`me(token)`), whose caller handles the answer.
   */
  readonly onUnauthorized?: () => void;
}

export class GatewayClient {
  /** The gateway's base URL without a trailing slash, e.g. `http://localhost:8080`. */
  readonly baseUrl: string;
  private readonly options: GatewayClientOptions;

  constructor(baseUrl: string, options: GatewayClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.options = options;
  }

  /** Whether authentication is on and how to sign in (`GET /auth/config`, open to all). */
  async authConfig(signal?: AbortSignal): Promise<AuthConfig> {
    return parseAuthConfig(await this.request('/auth/config', { signal }));
  }

  /** Who the credential proves (`GET /auth/me`): the signed-in one, or `token` when given. */
  async me(token?: string, signal?: AbortSignal): Promise<Principal> {
    return parsePrincipal(
      await this.request('/auth/me', { signal, ...(token === undefined ? {} : { token }) }),
    );
  }

  async listAudit(params: AuditQueryParams, signal?: AbortSignal): Promise<AuditPage> {
    return parseAuditPage(await this.request(`/governance/audit?${searchOf(params)}`, { signal }));
  }

  /**
   * The export of every entry the filters select (`GET /governance/audit/export`), as the file
   * the gateway names; the browser holds it in memory until it is saved.
   */
  async exportAudit(
    params: Omit<AuditQueryParams, 'limit' | 'cursor'>,
    format: AuditExportFormat,
    signal?: AbortSignal,
  ): Promise<{ readonly file: Blob; readonly filename: string }> {
    const search = searchOf({ ...params, format });
    const response = await this.open(`/governance/audit/export?${search}`, '*/*', { signal });
    const disposition = response.headers.get('content-disposition') ?? '';
    const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `audit.${format}`;
    return { file: await response.blob(), filename };
  }

  /**
   * Opens the live tail of the entries the filters select (`GET /governance/audit/stream`) and
   * resolves with its events once it is open; rejects as every call does when it cannot open.
   * Aborting `signal` closes it.
   */
  async streamAudit(
    params: Omit<AuditQueryParams, 'limit' | 'cursor'>,
    options: { readonly lastEventId?: string; readonly signal: AbortSignal },
  ): Promise<AsyncGenerator<ServerSentEvent>> {
    const response = await this.open(
      `/governance/audit/stream?${searchOf(params)}`,
      'text/event-stream',
      {
        signal: options.signal,
        ...(options.lastEventId === undefined ? {} : { lastEventId: options.lastEventId }),
      },
    );
    if (response.body === null) throw new GatewayResponseError('the live tail answered no body');
    return serverSentEvents(response.body);
  }

  async getAuditEntry(id: string, signal?: AbortSignal): Promise<AuditEntry> {
    return parseAuditEntry(
      await this.request(`/governance/audit/${encodeURIComponent(id)}`, { signal }),
    );
  }

  /**
   * The unmasked input of a masked entry (privacy-officer role); the gateway records the read
   * and `reason` in its access log. 410 `SUBJECT_ERASED` once the subject is erased.
   */
  async readOriginal(id: string, reason: string): Promise<OpenedOriginal> {
    return parseOpenedOriginal(
      await this.request(`/governance/audit/${encodeURIComponent(id)}/original`, {
        method: 'POST',
        body: { reason },
      }),
    );
  }

  async evaluate(body: EvaluateRequest): Promise<EvaluateResult> {
    return parseEvaluateResult(await this.request('/policy/evaluate', { method: 'POST', body }));
  }

  /** The trail over a time range, for the Overview (`GET /governance/audit/stats`). */
  async auditStats(params: AuditStatsQueryParams, signal?: AbortSignal): Promise<AuditStats> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined) search.set(key, String(value));
    }
    return parseAuditStats(await this.request(`/governance/audit/stats?${search}`, { signal }));
  }

  /** The gateway's last verification of its audit trail (`GET /governance/audit/integrity`). */
  async auditIntegrity(signal?: AbortSignal): Promise<AuditIntegrity> {
    return parseAuditIntegrity(await this.request('/governance/audit/integrity', { signal }));
  }

  /** Starts a verification in the background; answers the integrity report at once. */
  async verifyAuditTrail(): Promise<AuditIntegrity> {
    return parseAuditIntegrity(
      await this.request('/governance/audit/integrity/verify', { method: 'POST' }),
    );
  }

  /** Starts a replay of recorded decisions under a candidate bundle (`POST /governance/replays`). */
  async startReplay(body: ReplayRequest): Promise<Replay> {
    return parseReplay(await this.request('/governance/replays', { method: 'POST', body }));
  }

  /** A replay's progress and summary (`GET /governance/replays/{id}`). */
  async replay(id: string, signal?: AbortSignal): Promise<Replay> {
    return parseReplay(
      await this.request(`/governance/replays/${encodeURIComponent(id)}`, { signal }),
    );
  }

  /** One page of the decisions a replay would change, with both results. */
  async replayChanges(
    id: string,
    params: { readonly cursor?: string; readonly limit?: number },
    signal?: AbortSignal,
  ): Promise<ReplayChangesPage> {
    return parseReplayChangesPage(
      await this.request(
        `/governance/replays/${encodeURIComponent(id)}/changes?${searchOf(params)}`,
        { signal },
      ),
    );
  }

  async ready(signal?: AbortSignal): Promise<ReadyStatus> {
    return parseReadyStatus(await this.request('/ready', { signal, acceptStatuses: [503] }));
  }

  /** A response to read as it is (a file, a stream): an error status is thrown as a problem. */
  private async open(
    path: string,
    accept: string,
    options: { readonly signal?: AbortSignal | undefined; readonly lastEventId?: string },
  ): Promise<Response> {
    const token = this.options.bearerToken?.() ?? null;
    const headers: Record<string, string> = { accept: `${accept}, application/problem+json` };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        headers,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new GatewayUnreachableError(this.baseUrl, { cause: error });
    }
    if (response.ok) return response;
    const body = await readJson(response);
    const unreachable = proxiedUnreachable(response, body);
    if (unreachable !== null) throw new GatewayUnreachableError(unreachable, { viaProxy: true });
    const problem = toProblem(response, body);
    if (problem.status === 401 && token !== null) this.options.onUnauthorized?.();
    throw problem;
  }

  private async request(path: string, options: RequestOptions = {}): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    const token = options.token ?? this.options.bearerToken?.() ?? null;
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
    };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const init: RequestInit = { method: options.method ?? 'GET', headers };
    if (options.signal) init.signal = options.signal;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new GatewayUnreachableError(this.baseUrl, { cause: error });
    }
    const body = await readJson(response);
    if (response.ok || options.acceptStatuses?.includes(response.status)) {
      if (body === undefined) throw new GatewayResponseError(`${path} answered without JSON`);
      return body;
    }
    const unreachable = proxiedUnreachable(response, body);
    if (unreachable !== null) throw new GatewayUnreachableError(unreachable, { viaProxy: true });
    const problem = toProblem(response, body);
    if (problem.status === 401 && token !== null && options.token === undefined) {
      this.options.onUnauthorized?.();
    }
    throw problem;
  }
}

/** Query parameters as the gateway reads them: empty and undefined values left out. */
function searchOf(params: Readonly<Record<string, unknown>>): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  return search;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The gateway URL the Workbench's server could not reach (server/gateway-proxy.ts), if so. */
function proxiedUnreachable(response: Response, body: unknown): string | null {
  if (response.status !== 502 || typeof body !== 'object' || body === null) return null;
  const { code, gateway_url: url } = body as Record<string, unknown>;
  return code === 'GATEWAY_UNREACHABLE' && typeof url === 'string' ? url : null;
}

function toProblem(response: Response, body: unknown): GatewayProblemError {
  const problem =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = (key: string): string | null =>
    typeof problem[key] === 'string' ? (problem[key] as string) : null;
  const title = text('title') ?? (response.statusText || `HTTP ${response.status}`);
  return new GatewayProblemError(
    response.status,
    title,
    text('detail') ?? text('message') ?? title,
    text('code'),
  );
}
