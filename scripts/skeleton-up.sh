#!/usr/bin/env bash
# `npm run skeleton-up` / `just skeleton-up`: the gateway and the Workbench (Vite dev server on
# 5173) against the configured database (POLICY_GATEWAY_DATABASE_URL, else the gateway's
# default embedded one), in the foreground until Ctrl-C, which stops both gracefully.
# It does not migrate: like a deployment, it expects `npm run migrate` to have run, checks
# with `policy-gateway migrate status`, and says so when it has not.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cli="services/policy-gateway/bin/policy-gateway.js"
vite="$root/node_modules/vite/bin/vite.js"
port="${POLICY_GATEWAY_PORT:-8080}"
ready_seconds="${SKELETON_UP_READY_SECONDS:-60}"
pids=()

if [ -n "${POLICY_GATEWAY_DATABASE_URL:-}" ]; then
  echo "▶ Database: $(printf '%s' "$POLICY_GATEWAY_DATABASE_URL" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#')"
else
  echo "▶ Database: POLICY_GATEWAY_DATABASE_URL is unset, so the gateway's default applies"
  echo "  (the embedded database under data/; npm run dev-up sets up PostgreSQL)."
fi

echo "▶ Checking the schema (policy-gateway migrate status)"
if ! status_output="$(timeout 120 node "$cli" migrate status 2>&1)"; then
  printf '%s\n' "$status_output" | sed 's/^/  | /'
  echo "✘ The database is not migrated to this build. Run: npm run migrate" >&2
  exit 1
fi

stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
}
trap 'stop_all; wait; exit 0' INT TERM
trap stop_all EXIT

echo "▶ Starting the gateway on :$port"
node "$cli" serve &
pids+=("$!")
gateway_pid=$!

deadline=$((SECONDS + ready_seconds))
until node -e '
  fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then(
    (r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
' "http://127.0.0.1:$port/ready"; do
  if ! kill -0 "$gateway_pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
    echo "✘ The gateway did not become ready on :$port within ${ready_seconds}s." >&2
    exit 1
  fi
  sleep 0.5
done
echo "✔ Gateway ready: http://127.0.0.1:$port"

echo "▶ Starting the Workbench on :5173"
(cd apps/workbench && exec node "$vite" --port 5173 --strictPort) &
pids+=("$!")

# Whichever stops first (or Ctrl-C) stops the other.
set +e
wait -n "${pids[@]}"
status=$?
echo "A process stopped (exit $status); stopping the rest." >&2
stop_all
wait
exit "$status"
