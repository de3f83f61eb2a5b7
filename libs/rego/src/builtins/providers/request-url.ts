/**
 * The parts of a request URL that AWS Signature V4 signs, as Go's `net/url` gives them to
 * OPA: the host with its port as written, the path escaped as Go's `EscapedPath` (empty for
 * `http://example.com`, where WHATWG's URL would say `/`) and the raw query.
 */

export interface RequestUrl {
  readonly host: string;
  readonly escapedPath: string;
  readonly rawQuery: string;
}

/** RFC 3986 appendix B: scheme, authority, path, query, fragment. */
const URI_PARTS = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

/** Characters a path keeps as written (RFC 3986 pchar and `/`, and `%` of escapes). */
const PATH_CHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@/%]/;

function escapePath(path: string): string {
  let out = '';
  for (const c of path) out += PATH_CHAR.test(c) ? c : encodeURIComponent(c);
  return out;
}

export function parseRequestUrl(url: string): RequestUrl {
  const parts = URI_PARTS.exec(url);
  const authority = parts?.[2] ?? '';
  const at = authority.lastIndexOf('@');
  return {
    host: at < 0 ? authority : authority.slice(at + 1),
    escapedPath: escapePath(parts?.[3] ?? ''),
    rawQuery: parts?.[4] ?? '',
  };
}
