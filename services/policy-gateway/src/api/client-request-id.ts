/**
 * The client's `X-Request-Id`. The gateway names each request with an id of its own (a fresh
 * UUID, `request.id`, answered in `X-Request-Id` and recorded as `request_id`), so that the
 * audit trail and the logs never take a client's word for which request was which; the id a
 * client sent is recorded beside it, as `client_request_id`, when it is a sane token.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** 1 to 128 visible ASCII characters: no spaces, controls or anything a log could misread. */
const SANE_TOKEN = /^[\x21-\x7e]{1,128}$/;

/** The client's `X-Request-Id` when it sent exactly one sane token, else null. */
export function clientRequestIdOf(headers: IncomingHttpHeaders): string | null {
  const header = headers['x-request-id'];
  return typeof header === 'string' && SANE_TOKEN.test(header) ? header : null;
}
