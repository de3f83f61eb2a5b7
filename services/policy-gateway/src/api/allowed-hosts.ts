/**
 * The `Host` check against DNS rebinding: a web page on a domain its owner points at
 * 127.0.0.1 (or a pod's address) becomes same-origin with the gateway and could read what it
 * answers; its requests carry that domain in `Host`. So a request is answered only when its
 * `Host` is one of `POLICY_GATEWAY_ALLOWED_HOSTS` (any port) or an IP address, which no
 * rebinding page can send: a browser names the host the page was loaded from. The probes
 * (Kubernetes sends the pod's IP as `Host`) pass by the IP rule, needing no exemption.
 */
import { isIP } from 'node:net';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { ApiProblem } from './problem.js';

/** The host name of a `Host` header without its port, lower-case; IPv6 without brackets. */
export function hostNameOf(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end === -1 ? value : value.slice(1, end);
  }
  const colon = value.lastIndexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}

/** Whether `hostName` (from `hostNameOf`) is allowed by one entry of `allowed`. */
export function isAllowedHost(hostName: string, allowed: readonly string[]): boolean {
  if (isIP(hostName) !== 0) return true;
  // The trailing dot of a fully qualified name names the same host.
  const name = hostName.endsWith('.') ? hostName.slice(0, -1) : hostName;
  return allowed.some(
    (entry) =>
      entry === '*' ||
      entry === name ||
      (entry.startsWith('.') && (name.endsWith(entry) || name === entry.slice(1))),
  );
}

/**
 * An `onRequest` hook refusing requests whose `Host` is not allowed with `421
 * HOST_NOT_ALLOWED`. A request without `Host` (HTTP/1.0) is let through: no browser sends one.
 */
export function requireAllowedHost(allowed: readonly string[]): onRequestAsyncHookHandler {
  const any = allowed.includes('*');
  return async (request: FastifyRequest) => {
    if (any) return;
    const host = request.headers.host;
    if (host === undefined || host === '') return;
    if (!isAllowedHost(hostNameOf(host), allowed)) {
      throw new ApiProblem(
        'HOST_NOT_ALLOWED',
        'this gateway does not answer for the host named in the Host header; call it by an allowed name (POLICY_GATEWAY_ALLOWED_HOSTS) or by IP address',
        'Host',
      );
    }
  };
}
