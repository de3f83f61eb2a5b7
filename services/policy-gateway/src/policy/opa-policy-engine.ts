/**
 * The `opa` adapter: asks a real OPA server through its Data API
 * (`POST /v1/data/<path>` with `{"input": …}`). Every failure (unreachable, timeout, non-2xx,
 * undefined result, unexpected shape) is decision `error`: an unanswered question is never allow.
 */
import type { DocumentAnswer, DocumentError, DocumentQuery } from './data-document.js';
import { elapsedMs, errorEvaluation, evaluationFromResult } from './policy-decision.js';
import type { PolicyEngine, PolicyEvaluation, PolicyInput } from './policy-engine.js';

export interface OpaPolicyEngineOptions {
  /** Base URL of the OPA server, e.g. `http://opa:8181`. */
  readonly url: string;
  /** Dotted data path, e.g. `data.policy_gateway.decision`. */
  readonly policyPath: string;
  readonly timeoutMs: number;
}

/** OPA's error body (`ErrorV1` in its server): `{"code": "...", "message": "..."}`. */
interface OpaErrorBody {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly errors?: unknown;
}

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The version is learnt from OPA itself: each query asks for `?provenance=true`, and OPA's
 * answer names the revision of every bundle it serves. With bundles the version reads
 * `opa:<url>#<bundle>@<revision>[,…]`; an OPA serving plain files (`opa run --server policies/`)
 * has no revision, so the version is `opa:<url>`. It is updated from each answer rather than
 * probed at start because OPA may activate a new bundle at any time, and the gateway must start
 * (and fail closed) even when OPA is down.
 */
export class OpaPolicyEngine implements PolicyEngine {
  readonly name = 'opa' as const;
  readonly policyPath: string;
  readonly #baseUrl: string;
  readonly #endpoint: string;
  readonly #timeoutMs: number;
  readonly #closing = new AbortController();
  #version: string;

  private constructor(options: OpaPolicyEngineOptions, baseUrl: string, endpoint: string) {
    this.policyPath = options.policyPath;
    this.#baseUrl = baseUrl;
    this.#endpoint = endpoint;
    this.#timeoutMs = options.timeoutMs;
    this.#version = `opa:${baseUrl}`;
  }

  /** Validates the options; does not contact OPA (see the class comment). */
  static async start(options: OpaPolicyEngineOptions): Promise<OpaPolicyEngine> {
    const baseUrl = parseBaseUrl(options.url);
    const endpoint = `${baseUrl}/v1/${dataApiPath(options.policyPath)}?provenance=true`;
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
      throw new Error(
        `OPA timeout must be a positive number of milliseconds, got ${options.timeoutMs}`,
      );
    }
    return new OpaPolicyEngine(options, baseUrl, endpoint);
  }

  get policyVersion(): string {
    return this.#version;
  }

  async evaluate(input: PolicyInput): Promise<PolicyEvaluation> {
    const startedAt = performance.now();
    const fail = (error: string): PolicyEvaluation =>
      errorEvaluation(error, { policyPath: this.policyPath, latencyMs: elapsedMs(startedAt) });
    if (this.#closing.signal.aborted) return fail('the OPA policy engine is closed');

    let status: number;
    let text: string;
    try {
      const response = await fetch(this.#endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ input }),
        signal: AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#closing.signal]),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      return fail(this.#describeFetchError(error));
    }

    const body = parseJson(text);
    if (status < 200 || status > 299) return fail(describeOpaError(status, body, text));
    if (!isRecord(body))
      return fail(`OPA answered ${status} with a body that is not a JSON object`);

    const decisionId = typeof body.decision_id === 'string' ? body.decision_id : undefined;
    this.#learnVersion(body.provenance);
    const facts = {
      policyPath: this.policyPath,
      latencyMs: elapsedMs(startedAt),
      ...(decisionId === undefined ? {} : { decisionId }),
    };
    if (!('result' in body)) {
      return errorEvaluation(
        `OPA returned no result: ${this.policyPath} is undefined on the server (is the policy loaded?)`,
        facts,
      );
    }
    return evaluationFromResult(body.result, facts);
  }

  /** Forwards a Data API query to OPA as it came, and reads OPA's answer back. */
  async queryDocument(query: DocumentQuery): Promise<DocumentAnswer> {
    const startedAt = performance.now();
    const fail = (error: DocumentError): DocumentAnswer => ({
      kind: 'error',
      error,
      latencyMs: elapsedMs(startedAt),
    });
    if (this.#closing.signal.aborted) {
      return fail({ code: 'internal_error', message: 'the OPA policy engine is closed' });
    }
    const path = query.path.map(encodeURIComponent).join('/');
    const url = `${this.#baseUrl}/v1/data${path === '' ? '' : `/${path}`}${query.strictBuiltinErrors === true ? '?strict-builtin-errors=true' : ''}`;
    let status: number;
    let text: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(query.input === undefined ? {} : { input: query.input }),
        signal: AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#closing.signal]),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      return fail({ code: 'internal_error', message: this.#describeFetchError(error) });
    }
    const body = parseJson(text);
    if (status < 200 || status > 299 || !isRecord(body)) {
      const code = isRecord(body) && typeof body.code === 'string' ? body.code : 'internal_error';
      return fail({ code, message: describeOpaError(status, body, text) });
    }
    this.#learnVersion(body.provenance);
    const latencyMs = elapsedMs(startedAt);
    return 'result' in body
      ? { kind: 'defined', result: body.result, latencyMs }
      : { kind: 'undefined', latencyMs };
  }

  /** Aborts queries in flight (they end as decision `error`) and refuses new ones. */
  async close(): Promise<void> {
    this.#closing.abort(new Error('the OPA policy engine is closed'));
  }

  #describeFetchError(error: unknown): string {
    if (this.#closing.signal.aborted) return 'the OPA policy engine was closed during the query';
    if (error instanceof Error && error.name === 'TimeoutError') {
      return `OPA at ${this.#baseUrl} did not answer within ${this.#timeoutMs} ms`;
    }
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const detail = cause instanceof Error ? cause.message : String(cause);
    return `OPA at ${this.#baseUrl} is unreachable: ${detail}`;
  }

  #learnVersion(provenance: unknown): void {
    if (!isRecord(provenance)) return;
    const revisions: string[] = [];
    if (isRecord(provenance.bundles)) {
      for (const [name, bundle] of Object.entries(provenance.bundles)) {
        if (isRecord(bundle) && typeof bundle.revision === 'string') {
          revisions.push(`${name}@${bundle.revision}`);
        }
      }
    } else if (typeof provenance.revision === 'string' && provenance.revision !== '') {
      revisions.push(provenance.revision);
    }
    revisions.sort();
    this.#version =
      revisions.length === 0
        ? `opa:${this.#baseUrl}`
        : `opa:${this.#baseUrl}#${revisions.join(',')}`;
  }
}

/**
 * `data.policy_gateway.decision` → `data/policy_gateway/decision`, the Data API's path.
 * Only plain identifiers are accepted: a path with brackets or quotes is a configuration mistake.
 */
export function dataApiPath(policyPath: string): string {
  const segments = policyPath.split('.');
  if (segments[0] !== 'data' || !segments.every((segment) => SEGMENT.test(segment))) {
    throw new Error(
      `policy path must be "data" followed by dot-separated identifiers, e.g. data.policy_gateway.decision; got "${policyPath}"`,
    );
  }
  return segments.join('/');
}

function parseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`OPA URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`OPA URL must use http or https, got "${raw}"`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new Error(`OPA URL must not have a query or fragment, got "${raw}"`);
  }
  return url.href.replace(/\/+$/, '');
}

function describeOpaError(status: number, body: unknown, text: string): string {
  if (isRecord(body)) {
    const { code, message, errors } = body as OpaErrorBody;
    if (typeof code === 'string' || typeof message === 'string') {
      // OPA puts the useful part (the conflicting rule, the parse error) in `errors`.
      const details = Array.isArray(errors)
        ? errors
            .map((detail) =>
              isRecord(detail) && typeof detail.message === 'string' ? detail.message : '',
            )
            .filter((detail) => detail !== '')
        : [];
      const summary = `${String(code ?? 'error')}: ${String(message ?? '')}`;
      return `OPA answered ${status}: ${summary}${details.length > 0 ? ` (${details.join('; ')})` : ''}`;
    }
  }
  const snippet = text.trim().slice(0, 200);
  return `OPA answered ${status}${snippet === '' ? '' : `: ${snippet}`}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
