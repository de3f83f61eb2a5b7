/**
 * What builtins may reach on the network (`http.send`, `net.lookup_ip_addr`). Off unless the
 * embedding program lists hosts: a policy that can reach any host is a server-side request
 * forgery risk (cloud metadata endpoints, internal services).
 */

export interface NetworkAccess {
  /**
   * Hosts requests may go to: a host name or IP address (`api.example.com`, `127.0.0.1`), a
   * host with a port (`127.0.0.1:8181`, only that port), `*.example.com` or `.example.com`
   * (any subdomain), or `*` (any host: only where policies are trusted).
   */
  readonly allowedHosts: readonly string[];
  /** Largest response body `http.send` reads, in bytes; default 4 MiB. */
  readonly maxResponseBytes?: number;
  /**
   * Longest a call may wait for the network, whatever timeout the policy asks for: a call
   * blocks its evaluation, so an embedding program caps it at its evaluation budget.
   */
  readonly maxTimeoutMs?: number;
  /** What a refusal tells the user to change, e.g. the setting that lists the hosts. */
  readonly configuredBy?: string;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

function normalise(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

/** Whether a host (and port, as the URL gives them) is on the allow-list. */
export function hostAllowed(
  access: NetworkAccess | undefined,
  hostname: string,
  port: string,
): boolean {
  if (access === undefined) return false;
  const host = normalise(hostname);
  for (const entry of access.allowedHosts) {
    const allowed = entry.trim().toLowerCase();
    if (allowed === '*') return true;
    if (allowed.startsWith('*.') || allowed.startsWith('.')) {
      const suffix = allowed.slice(allowed.indexOf('.'));
      if (host.endsWith(suffix) && host.length > suffix.length) return true;
      continue;
    }
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(allowed);
    if (withPort !== null) {
      if (normalise(withPort[1] as string) === host && withPort[2] === port) return true;
    } else if (normalise(allowed) === host) {
      return true;
    }
  }
  return false;
}

/** Why a host was refused, naming what would allow it. */
export function deniedMessage(access: NetworkAccess | undefined, host: string): string {
  const how = access?.configuredBy ?? 'the engine option network.allowedHosts';
  return access === undefined || access.allowedHosts.length === 0
    ? `network access is off: ${host} is not reachable unless ${how} lists it`
    : `host ${host} is not in the allowed hosts (${how})`;
}
