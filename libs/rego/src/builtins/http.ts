/**
 * `http.send`, with OPA's request and response objects: `method` and `url` required; `body`
 * (sent as JSON) or `raw_body`; `headers`; `enable_redirect` (redirects are followed only
 * when set, each hop checked against the allowed hosts); `timeout` (a duration string or
 * nanoseconds, default 5s); `raise_error` (default true: a network error is a builtin error;
 * false: it is a response with `status_code` 0 and an `error` object); `force_json_decode`,
 * `force_yaml_decode`; `cache` (HTTP freshness: `Cache-Control: max-age`, `Expires`) and
 * `force_cache` with `force_cache_duration_seconds`, in a bounded per-engine cache. Within one
 * query an identical request gets the same response, as in OPA.
 *
 * Hosts are refused unless the engine's `network.allowedHosts` lists them. Response bodies
 * larger than `network.maxResponseBytes` (default 4 MiB) are refused.
 */
import { parse as parseYaml } from 'yaml';
import type { ObjectValue, Value } from '../value/value.js';
import { arr, NULL, num, obj, objFromRecord, str } from '../value/value-builders.js';
import { fromJs, parseJson } from '../value/value-json.js';
import { keyOf } from '../value/value-key.js';
import type { BuiltinContext, BuiltinDefinition } from './builtin.js';
import { BuiltinError, BuiltinTypeError } from './builtin.js';
import { fromUtf8 } from './encoding/bytes.js';
import { marshalJson } from './encoding/json-text.js';
import { type FetchReply, fetchBlocking } from './network/blocking-io.js';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  deniedMessage,
  hostAllowed,
} from './network/network-access.js';
import { objectArg } from './operands.js';
import { parseDuration } from './time/go-duration.js';

const NAME = 'http.send';
const DEFAULT_TIMEOUT_MS = 5_000;
const MAX_REDIRECTS = 10;
const MAX_CACHED = 256;

/** The members a request object may have (OPA's list); `providers.aws.sign_req` holds to it too. */
export const HTTP_SEND_REQUEST_KEYS: ReadonlySet<string> = new Set([
  'method',
  'url',
  'body',
  'raw_body',
  'headers',
  'enable_redirect',
  'force_json_decode',
  'force_yaml_decode',
  'timeout',
  'raise_error',
  'cache',
  'force_cache',
  'force_cache_duration_seconds',
  'caching_mode',
  'max_retry_attempts',
  'cache_ignored_headers',
  'tls_use_system_certs',
  'tls_ca_cert',
  'tls_ca_cert_file',
  'tls_ca_cert_env_variable',
  'tls_client_cert',
  'tls_client_cert_file',
  'tls_client_cert_env_variable',
  'tls_client_key',
  'tls_client_key_file',
  'tls_client_key_env_variable',
  'tls_insecure_skip_verify',
  'tls_server_name',
]);

/** Options this engine does not offer: a request using one fails rather than silently differing. */
const UNSUPPORTED_KEYS = new Set([
  'tls_ca_cert',
  'tls_ca_cert_file',
  'tls_ca_cert_env_variable',
  'tls_client_cert',
  'tls_client_cert_file',
  'tls_client_cert_env_variable',
  'tls_client_key',
  'tls_client_key_file',
  'tls_client_key_env_variable',
  'tls_insecure_skip_verify',
  'tls_server_name',
]);

interface SendRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Array<[string, string]>;
  readonly body: string | undefined;
  readonly redirect: boolean;
  readonly timeoutMs: number;
  readonly raiseError: boolean;
  readonly jsonDecode: boolean;
  readonly yamlDecode: boolean;
  readonly cache: boolean;
  readonly forceCacheSeconds: number | undefined;
  readonly maxRetries: number;
}

interface CachedResponse {
  readonly response: Value;
  readonly expiresMs: number;
}

function field(request: ObjectValue, key: string): Value | undefined {
  return request.entries.get(keyOf(str(key)))?.[1];
}

function booleanField(request: ObjectValue, key: string, fallback: boolean): boolean {
  const value = field(request, key);
  if (value === undefined) return fallback;
  if (value.kind !== 'boolean') throw new BuiltinTypeError(`${NAME}: ${key} must be a boolean`);
  return value.value;
}

function timeoutMs(value: Value | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (value.kind === 'number') return Number(value.value) / 1e6;
  if (value.kind === 'string') {
    const ns = parseDuration(value.value);
    if (ns === undefined) throw new BuiltinError(`${NAME}: invalid timeout ${value.value}`);
    return Number(ns / 1_000_000n);
  }
  throw new BuiltinTypeError(`${NAME}: timeout must be a string or a number`);
}

function parseRequest(request: ObjectValue): SendRequest {
  const keys: string[] = [];
  for (const [k] of request.entries.values()) {
    if (k.kind !== 'string' || !HTTP_SEND_REQUEST_KEYS.has(k.value)) keys.push(marshalJson(k));
  }
  if (keys.length > 0) {
    throw new BuiltinTypeError(`invalid request parameters(s): {${keys.sort().join(', ')}}`);
  }
  const missing = ['method', 'url'].filter((k) => field(request, k) === undefined);
  if (missing.length > 0) {
    throw new BuiltinTypeError(
      `missing required request parameters(s): {${missing.map((k) => `"${k}"`).join(', ')}}`,
    );
  }
  for (const [k] of request.entries.values()) {
    if (k.kind === 'string' && UNSUPPORTED_KEYS.has(k.value)) {
      throw new BuiltinError(`${NAME}: ${k.value} is not supported by this engine`);
    }
  }
  const method = field(request, 'method') as Value;
  const url = field(request, 'url') as Value;
  if (method.kind !== 'string') throw new BuiltinTypeError(`${NAME}: method must be a string`);
  if (url.kind !== 'string') throw new BuiltinTypeError(`${NAME}: url must be a string`);
  const headers: Array<[string, string]> = [];
  const headerValue = field(request, 'headers');
  if (headerValue !== undefined) {
    if (headerValue.kind !== 'object')
      throw new BuiltinTypeError(`${NAME}: headers must be an object`);
    for (const [k, v] of headerValue.entries.values()) {
      if (k.kind !== 'string') continue;
      headers.push([k.value, v.kind === 'string' ? v.value : marshalJson(v)]);
    }
  }
  let body: string | undefined;
  const raw = field(request, 'raw_body');
  const json = field(request, 'body');
  if (raw !== undefined) {
    if (raw.kind !== 'string') throw new BuiltinTypeError(`${NAME}: raw_body must be a string`);
    body = raw.value;
  } else if (json !== undefined && json.kind !== 'null') {
    body = marshalJson(json);
    if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) {
      headers.push(['Content-Type', 'application/json']);
    }
  }
  const forceCache = booleanField(request, 'force_cache', false);
  let forceCacheSeconds: number | undefined;
  if (forceCache) {
    const seconds = field(request, 'force_cache_duration_seconds');
    if (seconds === undefined || seconds.kind !== 'number') {
      throw new BuiltinError(`${NAME}: force_cache_duration_seconds must be set with force_cache`);
    }
    forceCacheSeconds = Number(seconds.value);
  }
  const retries = field(request, 'max_retry_attempts');
  return {
    method: method.value.toUpperCase(),
    url: url.value,
    headers,
    body,
    redirect: booleanField(request, 'enable_redirect', false),
    timeoutMs: timeoutMs(field(request, 'timeout')),
    raiseError: booleanField(request, 'raise_error', true),
    jsonDecode: booleanField(request, 'force_json_decode', false),
    yamlDecode: booleanField(request, 'force_yaml_decode', false),
    cache: booleanField(request, 'cache', false) || forceCache,
    forceCacheSeconds,
    maxRetries: retries?.kind === 'number' ? Math.max(0, Math.min(10, Number(retries.value))) : 0,
  };
}

class NetworkError extends Error {}

/** One request, following redirects when asked, each hop's host checked first. */
function send(request: SendRequest, context: BuiltinContext): FetchReply & { ok: true } {
  const access = context.network;
  let url = request.url;
  let method = request.method;
  let body = request.body;
  for (let hop = 0; ; hop++) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new NetworkError(`invalid url ${url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new NetworkError(`unsupported protocol scheme "${parsed.protocol.slice(0, -1)}"`);
    }
    if (!hostAllowed(access, parsed.hostname, parsed.port)) {
      throw new BuiltinError(`${NAME}: ${deniedMessage(access, parsed.host)}`);
    }
    let reply: FetchReply;
    let attempt = 0;
    do {
      reply = fetchBlocking({
        url: parsed.href,
        method,
        headers: request.headers,
        body,
        timeoutMs: Math.min(request.timeoutMs, access?.maxTimeoutMs ?? Number.POSITIVE_INFINITY),
        maxBodyBytes: access?.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      });
    } while (!reply.ok && !reply.timeout && attempt++ < request.maxRetries);
    if (!reply.ok) throw new NetworkError(`${method} ${parsed.href}: ${reply.message}`);
    const location = reply.headers.find(([k]) => k === 'location')?.[1];
    if (!request.redirect || reply.status < 300 || reply.status > 399 || location === undefined) {
      return reply;
    }
    if (hop >= MAX_REDIRECTS) throw new NetworkError(`stopped after ${MAX_REDIRECTS} redirects`);
    url = new URL(location, parsed).href;
    if (
      reply.status === 303 ||
      ((reply.status === 301 || reply.status === 302) && method === 'POST')
    ) {
      method = 'GET';
      body = undefined;
    }
  }
}

function decodeBody(text: string, contentType: string, request: SendRequest): Value {
  try {
    if (request.jsonDecode || /^application\/(.+\+)?json/i.test(contentType)) {
      return fromJs(parseJson(text));
    }
    if (request.yamlDecode || /^application\/(x-)?yaml/i.test(contentType)) {
      return fromJs(parseYaml(text));
    }
  } catch {
    return NULL;
  }
  return NULL;
}

function responseValue(reply: FetchReply & { ok: true }, request: SendRequest): Value {
  const headers = new Map<string, string[]>();
  for (const [k, v] of reply.headers) {
    const list = headers.get(k) ?? [];
    list.push(v);
    headers.set(k, list);
  }
  const text = fromUtf8(reply.body);
  const contentType = headers.get('content-type')?.[0] ?? '';
  return objFromRecord({
    status: str(`${reply.status} ${reply.statusText}`.trim()),
    status_code: num(reply.status),
    body: decodeBody(text, contentType, request),
    raw_body: str(text),
    headers: obj([...headers].map(([k, v]) => [str(k), arr(v.map(str))] as const)),
  });
}

/** How long a response stays fresh by its own headers; 0 when it may not be reused. */
function freshnessMs(reply: FetchReply & { ok: true }, nowMs: number): number {
  const header = (name: string) => reply.headers.find(([k]) => k === name)?.[1];
  const control = header('cache-control') ?? '';
  if (/\b(no-store|no-cache)\b/i.test(control)) return 0;
  const maxAge = /\bmax-age=(\d+)/i.exec(control);
  if (maxAge !== null) return Number(maxAge[1]) * 1000;
  const expires = header('expires');
  if (expires !== undefined) {
    const at = Date.parse(expires);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  return 0;
}

function sharedCache(context: BuiltinContext): Map<string, CachedResponse> {
  let cache = context.cache.get(NAME) as Map<string, CachedResponse> | undefined;
  if (cache === undefined) {
    cache = new Map();
    context.cache.set(NAME, cache);
  }
  return cache;
}

function queryCache(context: BuiltinContext): Map<string, Value> | undefined {
  const perQuery = context.queryCache;
  if (perQuery === undefined) return undefined;
  let cache = perQuery.get(NAME) as Map<string, Value> | undefined;
  if (cache === undefined) {
    cache = new Map();
    perQuery.set(NAME, cache);
  }
  return cache;
}

function errorResponse(code: string, message: string): Value {
  return objFromRecord({
    status_code: num(0),
    error: objFromRecord({ code: str(code), message: str(message) }),
  });
}

function httpSend(args: readonly Value[], context: BuiltinContext): Value {
  const requestValue = objectArg(NAME, args, 0);
  const request = parseRequest(requestValue);
  // The whole request object is the cache key, as in OPA, less what only steers the cache.
  const key = marshalJson(requestValue);
  const inQuery = queryCache(context);
  const seen = inQuery?.get(key);
  if (seen !== undefined) return seen;
  const nowMs = Date.now();
  const shared = request.cache ? sharedCache(context) : undefined;
  const cached = shared?.get(key);
  if (cached !== undefined && cached.expiresMs > nowMs) {
    inQuery?.set(key, cached.response);
    return cached.response;
  }
  let response: Value;
  try {
    const reply = send(request, context);
    response = responseValue(reply, request);
    const freshMs =
      request.forceCacheSeconds !== undefined
        ? request.forceCacheSeconds * 1000
        : freshnessMs(reply, nowMs);
    if (shared !== undefined && freshMs > 0) {
      shared.delete(key);
      if (shared.size >= MAX_CACHED) shared.delete(shared.keys().next().value as string);
      shared.set(key, { response, expiresMs: nowMs + freshMs });
    }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    if (request.raiseError) throw new BuiltinError(`${NAME}: ${error.message}`);
    response = errorResponse('eval_http_send_network_error', `${NAME}: ${error.message}`);
  }
  inQuery?.set(key, response);
  return response;
}

export const HTTP_BUILTINS: readonly BuiltinDefinition[] = [
  { name: NAME, arity: 1, nondeterministic: true, implementation: httpSend },
];
