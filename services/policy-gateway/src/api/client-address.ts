/**
 * The client address recorded in an audit entry. Fastify finds it from the connection and,
 * behind trusted proxies (POLICY_GATEWAY_TRUST_PROXY), from `X-Forwarded-For`; that header's
 * values are whatever the nearest untrusted hop wrote, so anything that is not an IP address
 * is recorded as unknown (null) rather than as text a client chose.
 */
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * @example
 * clientAddressOf(request); // '203.0.113.7', '2001:db8::1', or null for 'unknown' or '1.2.3.4:80'
 */
export function clientAddressOf(request: Pick<FastifyRequest, 'ip'>): string | null {
  const address: string | undefined = request.ip;
  return address !== undefined && isIP(address) !== 0 ? address : null;
}
