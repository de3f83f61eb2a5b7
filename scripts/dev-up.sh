#!/usr/bin/env bash
# `npm run dev-up` / `just dev-up`: a PostgreSQL for development, then `npm run migrate`.
# With Docker Compose: starts deploy/compose.yaml's postgres service and waits until healthy.
# Without it: nothing can be started for you, so it checks the server POLICY_GATEWAY_DATABASE_URL
# names and says how to point it at one. It exits 0 only when a reachable PostgreSQL is
# configured, because `npm run migrate` with no URL would quietly migrate the embedded
# database instead: `npm run dev-up && npm run migrate` must stop here when there is none.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
compose_file="deploy/compose.yaml"
compose_port="${POLICY_GATEWAY_DEV_POSTGRES_PORT:-5432}"
compose_url="postgresql://policy_user:policy_pass@127.0.0.1:$compose_port/sea_governance"
wait_seconds="${DEV_UP_WAIT_SECONDS:-90}"

compose_available() {
  command -v docker >/dev/null 2>&1 &&
    docker compose version >/dev/null 2>&1 &&
    docker info >/dev/null 2>&1
}

# reachable URL: connects with the repository's own `pg` client (no psql needed), 5 s at most.
reachable() {
  node -e '
    const pg = require("pg");
    const url = process.argv[1].replace(/^postgresql\+asyncpg:/, "postgresql:");
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    client.on("error", () => {});
    client.connect()
      .then(() => client.query("select 1"))
      .then(() => client.end().then(() => process.exit(0)))
      .catch((error) => { console.error("  " + error.message); process.exit(1); });
  ' "$1"
}

# The URL with its password masked, for messages.
masked() { printf '%s' "$1" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#'; }

if compose_available; then
  echo "▶ Starting PostgreSQL with Docker Compose ($compose_file, service postgres)"
  docker compose -f "$compose_file" up -d postgres
  container="$(docker compose -f "$compose_file" ps -q postgres)"
  deadline=$((SECONDS + wait_seconds))
  health=""
  while [ "$SECONDS" -lt "$deadline" ]; do
    health="$(docker inspect -f '{{.State.Health.Status}}' "$container" 2>/dev/null || true)"
    [ "$health" = healthy ] && break
    sleep 1
  done
  if [ "$health" != healthy ]; then
    echo "✘ PostgreSQL was not healthy within ${wait_seconds}s (last status: ${health:-unknown})." >&2
    echo "  See: docker compose -f $compose_file logs postgres" >&2
    exit 1
  fi
  echo "✔ PostgreSQL is healthy on 127.0.0.1:$compose_port. Use it in this shell:"
  echo
  echo "  export POLICY_GATEWAY_DATABASE_URL=$compose_url"
  echo "  npm run migrate        # then: npm run skeleton-up"
  exit 0
fi

echo "Docker Compose is not available here (no docker, no compose plugin, or no engine),"
echo "so no PostgreSQL container was started. Use an existing PostgreSQL server instead."
echo

if [ -n "${POLICY_GATEWAY_DATABASE_URL:-}" ]; then
  url="$POLICY_GATEWAY_DATABASE_URL"
  if reachable "$url"; then
    echo "✔ POLICY_GATEWAY_DATABASE_URL ($(masked "$url")) is reachable: using it."
    echo "  Next: npm run migrate, then npm run skeleton-up"
    exit 0
  fi
  echo "✘ POLICY_GATEWAY_DATABASE_URL ($(masked "$url")) is not reachable." >&2
  echo "  Start that server, or point the variable at one that runs." >&2
  exit 1
fi

echo "Point POLICY_GATEWAY_DATABASE_URL at a database on a server you have, then run this again:"
echo
if reachable "postgresql://postgres@127.0.0.1:5432/postgres" 2>/dev/null; then
  echo "  # A PostgreSQL server answers on 127.0.0.1:5432 (user postgres); for example:"
  echo "  createdb -h 127.0.0.1 -U postgres policy_gateway_dev"
  echo "  export POLICY_GATEWAY_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/policy_gateway_dev"
else
  echo "  export POLICY_GATEWAY_DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/DATABASE"
fi
echo "  npm run dev-up && npm run migrate"
echo
echo "(postgresql://, postgres:// and postgresql+asyncpg:// URLs are accepted as written.)"
exit 1
