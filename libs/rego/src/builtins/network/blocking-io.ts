/**
 * Blocking network I/O for builtins, which run synchronously inside an evaluation: one helper
 * thread per calling thread does the asynchronous `fetch` or DNS lookup, and the caller waits
 * for its answer with `Atomics.wait`, bounded by the request's own timeout (plus a margin for
 * the helper to answer at all). The gateway evaluates on worker threads, where blocking one
 * thread holds only that evaluation; on the main thread it blocks the event loop for at most
 * the timeout, like any long builtin.
 *
 * The helper's code is evaluated from a string rather than loaded from a file, so that it
 * runs the same from TypeScript sources (tsx, vitest) and from the gateway's bundle. It does
 * no policy decisions: hosts are checked by the caller before each request (and each redirect).
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

export interface FetchRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string | undefined;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
}

export type FetchReply =
  | {
      readonly ok: true;
      readonly status: number;
      readonly statusText: string;
      readonly headers: ReadonlyArray<readonly [string, string]>;
      readonly body: Uint8Array;
    }
  | { readonly ok: false; readonly timeout: boolean; readonly message: string };

export type LookupReply =
  | { readonly ok: true; readonly addresses: readonly string[] }
  | { readonly ok: false; readonly timeout: boolean; readonly message: string };

const HELPER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const dns = require('node:dns');

async function fetchOnce(request) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: controller.signal,
    });
    const chunks = [];
    let size = 0;
    const reader = response.body ? response.body.getReader() : undefined;
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > request.maxBodyBytes) {
        // Not awaited: the caller's answer must not wait for the connection to wind down.
        reader.cancel().catch(() => {});
        return { ok: false, timeout: false, message: 'response body exceeds ' + request.maxBodyBytes + ' bytes' };
      }
      chunks.push(value);
    }
    return {
      ok: true,
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      body: Buffer.concat(chunks),
    };
  } catch (error) {
    if (controller.signal.aborted) return { ok: false, timeout: true, message: 'request timed out after ' + request.timeoutMs + 'ms' };
    const cause = error && error.cause && error.cause.message ? ': ' + error.cause.message : '';
    return { ok: false, timeout: false, message: String(error && error.message) + cause };
  } finally {
    clearTimeout(timer);
  }
}

function lookup(request) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, timeout: true, message: 'lookup timed out after ' + request.timeoutMs + 'ms' }), request.timeoutMs);
    dns.lookup(request.host, { all: true }, (error, addresses) => {
      clearTimeout(timer);
      if (error) resolve({ ok: false, timeout: false, message: error.message });
      else resolve({ ok: true, addresses: addresses.map((a) => a.address) });
    });
  });
}

parentPort.on('message', async ({ kind, request, port, signal }) => {
  const reply = kind === 'fetch' ? await fetchOnce(request) : await lookup(request);
  port.postMessage(reply);
  port.close();
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

/** Time the helper may take beyond the request's timeout before the caller gives up on it. */
const HELPER_MARGIN_MS = 1_000;

let helper: Worker | undefined;

function helperThread(): Worker {
  if (helper === undefined) {
    const worker = new Worker(HELPER_SOURCE, { eval: true });
    // An idle helper must not keep the process (or the evaluation thread) alive.
    worker.unref();
    worker.on('error', () => {
      if (helper === worker) helper = undefined;
    });
    worker.on('exit', () => {
      if (helper === worker) helper = undefined;
    });
    helper = worker;
  }
  return helper;
}

function callHelper<T>(
  kind: 'fetch' | 'lookup',
  request: unknown,
  timeoutMs: number,
): T | undefined {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = helperThread();
  worker.postMessage({ kind, request, port: port2, signal }, [port2]);
  const waited = Atomics.wait(signal, 0, 0, timeoutMs + HELPER_MARGIN_MS);
  const message = receiveMessageOnPort(port1);
  port1.close();
  if (waited === 'timed-out' && message === undefined) {
    // The helper is stuck: start a fresh one next time.
    helper = undefined;
    void worker.terminate();
    return undefined;
  }
  return message?.message as T | undefined;
}

/** Sends one HTTP request (redirects are not followed) and waits for the whole response. */
export function fetchBlocking(request: FetchRequest): FetchReply {
  const reply = callHelper<FetchReply>('fetch', request, request.timeoutMs);
  if (reply === undefined) {
    return { ok: false, timeout: true, message: `request timed out after ${request.timeoutMs}ms` };
  }
  if (reply.ok) return { ...reply, body: new Uint8Array(reply.body) };
  return reply;
}

/** Resolves a host name to its addresses, as the operating system's resolver does. */
export function lookupBlocking(host: string, timeoutMs: number): LookupReply {
  const reply = callHelper<LookupReply>('lookup', { host, timeoutMs }, timeoutMs);
  return reply ?? { ok: false, timeout: true, message: `lookup timed out after ${timeoutMs}ms` };
}
