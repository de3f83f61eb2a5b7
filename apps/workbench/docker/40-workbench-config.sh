#!/bin/sh
# Writes the Workbench's run-time configuration, config.json = { "gatewayUrl": ... }, from
# WORKBENCH_GATEWAY_URL at container start (nginx's entrypoint runs /docker-entrypoint.d/*.sh).
# It goes to a writable directory (/tmp/workbench, which nginx.conf serves as /config.json) so
# that the image also runs with a read-only root filesystem. WORKBENCH_CONFIG_DIR overrides the
# directory for tests. Unset: http://localhost:8080. The Workbench accepts only an absolute
# http(s) URL there (anything else silently falls back to its default), so anything else fails
# here, loudly, at container start.
set -eu

url="${WORKBENCH_GATEWAY_URL:-http://localhost:8080}"
dir="${WORKBENCH_CONFIG_DIR:-/tmp/workbench}"

fail() {
  echo "workbench: WORKBENCH_GATEWAY_URL=$url $1" >&2
  exit 1
}

# The value is written into JSON verbatim, so refuse what would need escaping rather than escape.
case "$url" in
  *'"'* | *'\'*) fail 'must not contain quotes or backslashes' ;;
esac
if printf '%s' "$url" | LC_ALL=C grep -q '[[:cntrl:][:space:]]'; then
  fail 'must not contain spaces or control characters'
fi
case "$url" in
  http://?* | https://?*) ;;
  *) fail 'must be an absolute http:// or https:// URL (the browser calls it)' ;;
esac
# The Workbench appends paths such as /policy/evaluate; a trailing slash would double it.
while [ "${url%/}" != "$url" ]; do url="${url%/}"; done

mkdir -p "$dir"
printf '{ "gatewayUrl": "%s" }\n' "$url" >"$dir/config.json.tmp"
mv "$dir/config.json.tmp" "$dir/config.json"
echo "workbench: config.json written with gatewayUrl=\"$url\""
