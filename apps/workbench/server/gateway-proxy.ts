/**
 * The Vite server's proxy to the gateway (dev server and `vite preview` alike), so that the
 * Workbench calls the API on its own origin and works under whatever host name the browser
 * used, with no CORS. `/api/*` goes to the gateway with the prefix removed.
 *
 * - `Host` is passed through (no `changeOrigin`): the gateway's Host check
 *   (`POLICY_GATEWAY_ALLOWED_HOSTS`, DNS-rebinding protection) then judges the name the browser
 *   used, so one list decides which names may reach the API, through the Workbench or not.
 * - `X-Forwarded-For` is replaced by the address this server saw, never appended to what the
 *   client sent: with the Workbench's address in `POLICY_GATEWAY_TRUST_PROXY` the gateway
 *   records the browser's address, and a client cannot put another one in front of it.
 * - Bounded in time: a gateway that does not answer within `PROXY_TIMEOUT_MS` is cut off. Bodies
 *   are streamed, never buffered, so memory does not grow with them.
 * - A gateway that cannot be reached is answered as a problem (`502`, code
 *   `GATEWAY_UNREACHABLE`), which the Workbench shows as its "unreachable" banner.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ProxyOptions } from 'vite';
import { GATEWAY_API_PREFIX } from '../src/config/gateway-api-path.js';

/** The gateway `npm start` runs, when `WORKBENCH_PROXY_TARGET` is unset. */
export const DEFAULT_PROXY_TARGET = 'http://127.0.0.1:8080';

/** Longer than the gateway's own bounds on a request, so that its answer, not ours, is seen. */
export const PROXY_TIMEOUT_MS = 60_000;

/** The problem code of the answer when the gateway cannot be reached. */
export const GATEWAY_UNREACHABLE_CODE = 'GATEWAY_UNREACHABLE';

/**
 * The proxy target from the environment: an absolute http(s) URL, or the default. A bad value
 * stops Vite at start-up with one line naming the variable.
 *
 * @example
 * proxyTarget({ WORKBENCH_PROXY_TARGET: 'http://gateway:8080' }); // 'http://gateway:8080'
 */
export function proxyTarget(env: Readonly<Record<string, string | undefined>>): string {
  const value = env.WORKBENCH_PROXY_TARGET?.trim();
  if (value === undefined || value === '') return DEFAULT_PROXY_TARGET;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`WORKBENCH_PROXY_TARGET=${value} is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/') {
    throw new Error(
      `WORKBENCH_PROXY_TARGET=${value} must be an http:// or https:// origin without a path (e.g. http://127.0.0.1:8080)`,
    );
  }
  return url.origin;
}

/** Vite's `server.proxy` / `preview.proxy` entry for the gateway at `target`. */
export function gatewayProxy(target: string): Record<string, ProxyOptions> {
  const prefix = new RegExp(`^${GATEWAY_API_PREFIX}(?=/|$)`);
  return {
    [`^${GATEWAY_API_PREFIX}(/|$)`]: {
      target,
      changeOrigin: false,
      xfwd: false,
      timeout: PROXY_TIMEOUT_MS,
      proxyTimeout: PROXY_TIMEOUT_MS,
      rewrite: (path) => path.replace(prefix, '') || '/',
      configure: (proxy) => {
        proxy.on('proxyReq', (proxyReq, request) => {
          const address = request.socket.remoteAddress;
          if (address === undefined) proxyReq.removeHeader('x-forwarded-for');
          else proxyReq.setHeader('x-forwarded-for', address);
          proxyReq.removeHeader('forwarded');
        });
        proxy.on('error', (error, _request, response) => {
          answerUnreachable(response, target, error);
        });
      },
    },
  };
}

function answerUnreachable(
  response: ServerResponse<IncomingMessage> | Socket,
  target: string,
  error: Error,
): void {
  if (!('writeHead' in response) || response.headersSent || response.writableEnded) return;
  // A refused connection, a reset, or no answer within PROXY_TIMEOUT_MS (a reset too).
  const reason = (error as NodeJS.ErrnoException).code ?? error.message;
  response.writeHead(502, { 'content-type': 'application/problem+json' }).end(
    JSON.stringify({
      type: 'about:blank',
      title: 'Bad Gateway',
      status: 502,
      detail: `The Workbench's server could not reach the gateway at ${target} (${reason}).`,
      code: GATEWAY_UNREACHABLE_CODE,
      gateway_url: target,
    }),
  );
}
