/**
 * URL parsing as Go's `net/url.Parse` does it (OPA's `uri.parse` and `uri.is_valid` are that
 * function), which differs from the WHATWG `URL` parser JavaScript has: it accepts relative
 * references and opaque URIs (`mailto:a@b`), keeps the host as written, does not normalise
 * paths, and rejects what Go rejects (control characters, bad ports, bad escapes, a colon in
 * the first segment of a relative path) with Go's messages.
 */

export interface GoUrl {
  readonly scheme: string;
  readonly opaque: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** Host and port as written, brackets kept (`[::1]:80`). */
  readonly host: string;
  readonly path: string;
  /** The path as written, when Go's escaping of `path` would not give it back; else empty. */
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly forceQuery: boolean;
  readonly fragment: string;
}

export class GoUrlError extends Error {
  override readonly name = 'GoUrlError';
}

type Mode = 'path' | 'host' | 'userinfo' | 'fragment';

function isHex(c: string): boolean {
  return /^[0-9A-Fa-f]$/.test(c);
}

/** Percent-decoding with Go's checks: `%` must start two hex digits. */
function percentDecode(s: string, mode: Mode): string {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (hex.length < 2 || !isHex(hex[0] as string) || !isHex(hex[1] as string)) {
        const bad = s.slice(i, i + 3);
        throw new GoUrlError(`invalid URL escape ${JSON.stringify(bad)}`);
      }
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      if (mode === 'host' && c === ' ') throw new GoUrlError(`invalid character " " in host name`);
      bytes.push(...encoder.encode(c));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

const PATH_SAFE = /[A-Za-z0-9\-_.~$&+,/:;=@]/;

/** Go's `escape(s, encodePath)`: what `EscapedPath` writes for a path. */
function escapePath(path: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(path)) {
    const c = String.fromCharCode(byte);
    out +=
      byte < 0x80 && PATH_SAFE.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:\d*$/.test(port);
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new GoUrlError("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) {
      throw new GoUrlError(`invalid port ${JSON.stringify(colonPort)} after host`);
    }
    return percentDecode(host.slice(0, close + 1), 'host') + colonPort;
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0) {
    const colonPort = host.slice(colon);
    if (!validOptionalPort(colonPort)) {
      throw new GoUrlError(`invalid port ${JSON.stringify(colonPort)} after host`);
    }
  }
  return percentDecode(host, 'host');
}

const USERINFO_OK = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

/** Parses a URL or relative reference; throws Go's `parse "<url>": <reason>` error. */
export function parseGoUrl(raw: string): GoUrl {
  try {
    return parse(raw);
  } catch (error) {
    if (error instanceof GoUrlError) {
      throw new GoUrlError(`parse ${JSON.stringify(raw)}: ${error.message}`);
    }
    throw error;
  }
}

function parse(raw: string): GoUrl {
  const hash = raw.indexOf('#');
  const beforeFragment = hash < 0 ? raw : raw.slice(0, hash);
  const fragment = hash < 0 ? '' : percentDecode(raw.slice(hash + 1), 'fragment');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what Go rejects
  if (/[\x00-\x1f\x7f]/.test(raw))
    throw new GoUrlError('net/url: invalid control character in URL');
  let rest = beforeFragment;
  let scheme = '';
  if (rest === '*') return url({ path: '*', fragment });
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i] as string;
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new GoUrlError('missing protocol scheme');
      scheme = rest.slice(0, i).toLowerCase();
      rest = rest.slice(i + 1);
    }
    break;
  }
  let rawQuery = '';
  let forceQuery = false;
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) {
    forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (scheme !== '') return url({ scheme, opaque: rest, rawQuery, forceQuery, fragment });
    const [segment = ''] = rest.split('/', 1);
    if (segment.includes(':'))
      throw new GoUrlError('first path segment in URL cannot contain colon');
  }
  let username: string | undefined;
  let password: string | undefined;
  let host = '';
  if ((scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    const afterSlashes = rest.slice(2);
    const slash = afterSlashes.indexOf('/');
    const authority = slash < 0 ? afterSlashes : afterSlashes.slice(0, slash);
    rest = slash < 0 ? '' : afterSlashes.slice(slash);
    const at = authority.lastIndexOf('@');
    host = parseHost(at < 0 ? authority : authority.slice(at + 1));
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!USERINFO_OK.test(userinfo)) throw new GoUrlError('net/url: invalid userinfo');
      const colon = userinfo.indexOf(':');
      username = percentDecode(colon < 0 ? userinfo : userinfo.slice(0, colon), 'userinfo');
      if (colon >= 0) password = percentDecode(userinfo.slice(colon + 1), 'userinfo');
    }
  }
  const path = percentDecode(rest, 'path');
  const rawPath = escapePath(path) === rest ? '' : rest;
  return url({ scheme, username, password, host, path, rawPath, rawQuery, forceQuery, fragment });
}

function url(parts: Partial<GoUrl>): GoUrl {
  return {
    scheme: '',
    opaque: '',
    username: undefined,
    password: undefined,
    host: '',
    path: '',
    rawPath: '',
    rawQuery: '',
    forceQuery: false,
    fragment: '',
    ...parts,
  };
}

/** Go's `URL.Hostname`: the host without port and brackets. */
export function hostnameOf(u: GoUrl): string {
  const { host } = u;
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/** Go's `URL.Port`: the digits after the host's last colon, or empty. */
export function portOf(u: GoUrl): string {
  const { host } = u;
  const after = host.startsWith('[') ? host.slice(host.indexOf(']') + 1) : host;
  const colon = after.lastIndexOf(':');
  if (colon < 0) return '';
  const port = after.slice(colon + 1);
  return /^\d*$/.test(port) ? port : '';
}

/** Characters Go's `validEncoded` lets a raw path keep (with `%` of its escapes). */
const VALID_ENCODED_PATH = /^[A-Za-z0-9\-_.~!$&'()*+,;=:@[\]/%]*$/;

/** Go's `URL.EscapedPath`: the path as written when that is a valid encoding, else Go's escaping. */
export function escapedPathOf(u: GoUrl): string {
  if (u.rawPath !== '' && VALID_ENCODED_PATH.test(u.rawPath)) return u.rawPath;
  if (u.path === '*') return '*';
  return escapePath(u.path);
}
