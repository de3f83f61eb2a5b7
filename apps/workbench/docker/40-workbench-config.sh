#!/bin/sh
# The Workbench's run-time configuration, written at container start (nginx's entrypoint runs
# /docker-entrypoint.d/*.sh before nginx starts), to a writable directory (/tmp/workbench, which
# nginx.conf reads) so that the image also runs with a read-only root filesystem.
#
# - With WORKBENCH_PROXY_TARGET (the gateway as this container reaches it, e.g.
#   http://gateway:8080; nginx resolves the name when it starts): gateway-proxy.conf makes nginx
#   forward /api/* there, and config.json says { "gatewayUrl": null }, so the Workbench calls
#   the API on its own origin, whatever host name the browser used, with no CORS.
# - Without it: config.json names a gateway on another origin, WORKBENCH_GATEWAY_URL (default
#   http://localhost:8080), which the browser calls directly; it must allow the Workbench's
#   origin (POLICY_GATEWAY_CORS_ORIGINS). WORKBENCH_GATEWAY_URL set with a proxy target wins for
#   the browser too.
# The Workbench accepts only an absolute http(s) URL in config.json (anything else silently
# falls back to the same origin), so anything else fails here, loudly, at container start.
#
# WORKBENCH_CONFIG_DIR overrides the directory for tests. Both values are written verbatim into
# JSON and an nginx directive, so what would need escaping is refused rather than escaped.
set -eu

target="${WORKBENCH_PROXY_TARGET:-}"
url="${WORKBENCH_GATEWAY_URL:-}"
[ -n "$target" ] || url="${url:-http://localhost:8080}"
dir="${WORKBENCH_CONFIG_DIR:-/tmp/workbench}"

fail() {
  echo "workbench: $1" >&2
  exit 1
}

# $1: variable name, $2: value. An absolute http(s) URL with nothing that needs escaping.
check_url() {
  case "$2" in
    *'"'* | *'\'* | *';'* | *'{'* | *'}'* | *'$'* | *"'"*)
      fail "$1=$2 must not contain quotes, backslashes, semicolons, braces or dollar signs" ;;
  esac
  if printf '%s' "$2" | LC_ALL=C grep -q '[[:cntrl:][:space:]]'; then
    fail "$1=$2 must not contain spaces or control characters"
  fi
  case "$2" in
    http://?* | https://?*) ;;
    *) fail "$1=$2 must be an absolute http:// or https:// URL" ;;
  esac
}

if [ -n "$target" ]; then
  check_url WORKBENCH_PROXY_TARGET "$target"
  while [ "${target%/}" != "$target" ]; do target="${target%/}"; done
  # nginx puts the request's path after this URL; a path here would be prepended to every one.
  case "${target#*://}" in
    */*) fail "WORKBENCH_PROXY_TARGET=$target must be an origin without a path (e.g. http://gateway:8080)" ;;
  esac
fi

if [ -n "$url" ]; then
  check_url WORKBENCH_GATEWAY_URL "$url"
  # The Workbench appends paths such as /policy/evaluate; a trailing slash would double it.
  while [ "${url%/}" != "$url" ]; do url="${url%/}"; done
  gateway_json="\"$url\""
else
  gateway_json=null
fi

mkdir -p "$dir"
printf '{ "gatewayUrl": %s }\n' "$gateway_json" >"$dir/config.json.tmp"
mv "$dir/config.json.tmp" "$dir/config.json"
{
  printf 'set $workbench_gateway_url "%s";\n' "$target"
  if [ -n "$target" ]; then
    # The trailing slash replaces the location's /api/ prefix: /api/ready -> /ready.
    printf 'proxy_pass %s/;\n' "$target"
  else
    printf 'default_type application/problem+json;\n'
    printf 'return 404 %s;\n' "'{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"This Workbench forwards no API: WORKBENCH_PROXY_TARGET is unset.\",\"code\":\"ROUTE_NOT_FOUND\"}'"
  fi
} >"$dir/gateway-proxy.conf.tmp"
mv "$dir/gateway-proxy.conf.tmp" "$dir/gateway-proxy.conf"
[ -z "$target" ] || echo "workbench: /api forwarded to $target"
if [ -n "$url" ]; then
  echo "workbench: config.json names the gateway $url (called from the browser, across origins)"
else
  echo "workbench: config.json names no gateway: the Workbench calls /api on its own origin"
fi
