#!/usr/bin/env bash
# Runs, without Docker, the sequence deploy/compose.yaml and deploy/kubernetes encode, against
# this machine's PostgreSQL: a fresh database; `serve` refuses it until `policy-gateway migrate`
# has run; keys made with `policy-gateway keys create` (compose's `keys` service, `kubectl exec`);
# two gateway replicas on all interfaces with authentication on, as the deployments run them,
# share it: each answers 401 without a key and 403 for a role the key lacks, sees the other's
# decisions, and refuses a key revoked through the other at once; each with a data directory of
# its own but the privacy keys of Kubernetes' Secret (KEK and HMAC key files, a subject key
# database), an original sealed through one opens through the other, and an erasure through one
# is seen by the other at once; a second migration run is a
# no-op; a replica serves a schema a newer release has migrated; SIGTERM drains every replica
# with exit 0. Exits 0 only if every step held.
#
# Server: the one in POLICY_GATEWAY_TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/test
# (its database is only used to create and drop a uniquely named one). Needs node and psql.
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cli="$root/services/policy-gateway/bin/policy-gateway.js"
server_url="${POLICY_GATEWAY_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"
work="$(mktemp -d "${TMPDIR:-/tmp}/verify-deployment-flow.XXXXXX")"
db_name="verify_deployment_$(date +%s)_$$_${RANDOM}"
passed=0
pids=()
db_created=0
keys_db_created=0

# ---- output ------------------------------------------------------------------------------

step() { printf '\n▶ %s\n' "$*"; }
ok() {
  passed=$((passed + 1))
  printf '  ✔ %s\n' "$*"
}
fail() {
  printf '  ✘ %s\n' "$*"
  for log in "$work"/*.log; do
    [ -s "$log" ] || continue
    printf '  --- last lines of %s ---\n' "$(basename "$log")"
    tail -n 15 "$log" | sed 's/^/  | /'
  done
  printf '\nverify-deployment-flow: %d passed, 1 failed\n' "$passed"
  exit 1
}

# ---- clean-up: every started process, the database, the work dir ---------------------------

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
    fi
  done
  if [ "$db_created" = 1 ]; then
    psql "$server_url" -qAt -v ON_ERROR_STOP=1 \
      -c "drop database if exists \"$db_name\" with (force)" >/dev/null 2>&1 ||
      echo "warning: could not drop database $db_name" >&2
  fi
  if [ "$keys_db_created" = 1 ]; then
    psql "$server_url" -qAt -v ON_ERROR_STOP=1 \
      -c "drop database if exists \"${db_name}_keys\" with (force)" >/dev/null 2>&1 ||
      echo "warning: could not drop database ${db_name}_keys" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- helpers -------------------------------------------------------------------------------

# URL of database $1 on the test server, in the postgresql+asyncpg:// form compose.yaml uses,
# so the run also shows the gateway accepts that form as written.
database_url() {
  node -e '
    const url = new URL(process.argv[1]);
    url.pathname = "/" + process.argv[2];
    process.stdout.write(url.toString().replace(/^postgres(ql)?:/, "postgresql+asyncpg:"));
  ' "$server_url" "$1"
}

sql() { psql "$db_admin_url" -qAt -v ON_ERROR_STOP=1 -c "$1"; }

# Everything migrations could change: tables, columns, indexes, and the migration records.
schema_snapshot() {
  sql "select coalesce(string_agg(line, E'\n' order by line), '') from (
         select 'column ' || table_schema || '.' || table_name || '.' || column_name || ' ' ||
                data_type || ' ' || is_nullable as line
           from information_schema.columns
          where table_schema not in ('pg_catalog', 'information_schema')
         union all
         select 'index ' || schemaname || '.' || indexname || ': ' || indexdef
           from pg_indexes where schemaname not in ('pg_catalog', 'information_schema')
       ) s" || return 1
  local table
  for table in $(sql "select quote_ident(table_schema) || '.' || quote_ident(table_name)
                        from information_schema.tables
                       where table_name like '%migration' and table_schema <> 'information_schema'"); do
    sql "select 'applied ' || string_agg(name, ',' order by name) from $table" || return 1
  done
}

user_table_count() {
  sql "select count(*) from information_schema.tables
        where table_schema not in ('pg_catalog', 'information_schema')"
}

free_port() {
  node -e '
    const server = require("node:net").createServer();
    server.listen(0, "127.0.0.1", () => { process.stdout.write(String(server.address().port)); server.close(); });
  '
}

# The environment of every gateway command, as compose.yaml sets it (all interfaces, so
# authentication on); a port per replica.
gateway_env() {
  printf '%s\n' POLICY_GATEWAY_AUDIT_STORE_BACKEND=postgres \
    "POLICY_GATEWAY_DATABASE_URL=$gateway_db_url" POLICY_GATEWAY_HOST=0.0.0.0 \
    POLICY_GATEWAY_AUTH=on POLICY_GATEWAY_ALLOWED_HOSTS=localhost,gateway \
    "POLICY_GATEWAY_DATA_DIR=$work/data" \
    "POLICY_GATEWAY_SUBJECT_KEK_FILE=$work/privacy/subject-kek" \
    "POLICY_GATEWAY_AUDIT_HMAC_KEY_FILE=$work/privacy/audit-hmac-key" \
    "POLICY_GATEWAY_SUBJECT_KEYS=$subject_keys_url"
}

# cli SECONDS PORT ARGS… runs `policy-gateway ARGS…` in the foreground, bounded by SECONDS
# (PORT "-": the default; migrate does not listen).
cli() {
  local seconds="$1" port="$2"
  shift 2
  local env_vars
  mapfile -t env_vars < <(gateway_env)
  [ "$port" = - ] || env_vars+=("POLICY_GATEWAY_PORT=$port")
  timeout "$seconds" env "${env_vars[@]}" node "$cli" "$@"
}

# start_replica PORT LOG → starts `policy-gateway serve` in the background; sets $started_pid.
# Each replica has a data directory of its own, as each pod has; keys come from the "Secret".
start_replica() {
  local env_vars
  mapfile -t env_vars < <(gateway_env)
  env "${env_vars[@]}" POLICY_GATEWAY_PORT="$1" POLICY_GATEWAY_DATA_DIR="$work/data-$1" \
    node "$cli" serve >"$2" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}

# http METHOD URL [JSON BODY [KEY]] → prints "STATUS BODY"; bounded by a 10 s timeout. With
# KEY, sent as `Authorization: Bearer KEY`.
http() {
  node -e '
    const [method, url, body, key] = process.argv.slice(1);
    const init = { method, signal: AbortSignal.timeout(10000), headers: {} };
    if (body) { init.body = body; init.headers["content-type"] = "application/json"; }
    if (key) init.headers.authorization = "Bearer " + key;
    fetch(url, init).then(
      async (res) => process.stdout.write(res.status + " " + (await res.text())),
      (error) => { process.stdout.write("000 " + error.message); },
    );
  ' "$@"
}

# json_field JSON PATH → prints the value at PATH (a dotted path), or nothing.
json_field() {
  node -e '
    let value = JSON.parse(process.argv[1]);
    for (const key of process.argv[2].split(".")) value = value?.[key];
    if (value !== undefined) process.stdout.write(typeof value === "string" ? value : JSON.stringify(value));
  ' "$1" "$2"
}

wait_ready() {
  local port="$1" pid="$2" deadline=$((SECONDS + 60)) reply
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    reply="$(http GET "http://127.0.0.1:$port/ready")"
    [ "${reply%% *}" = 200 ] && return 0
    sleep 0.3
  done
  return 1
}

not_ready_reason() {
  if kill -0 "$1" 2>/dev/null; then
    echo "was not ready within 60 s"
  else
    wait "$1"
    echo "exited $? before it was ready"
  fi
}

# wait_exit PID SECONDS → the process's exit code, or 124 if it outlived the bound.
wait_exit() {
  local pid="$1" deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    return 124
  fi
  wait "$pid"
}

# ---- the flow ------------------------------------------------------------------------------

command -v psql >/dev/null || fail "psql is needed to create and inspect the database"
[ -f "$cli" ] || fail "the policy-gateway command is missing: $cli"

step "Create a fresh database on the test server"
db_admin_url="$(node -e '
  const url = new URL(process.argv[1]); url.pathname = "/" + process.argv[2]; process.stdout.write(url.toString());
' "$server_url" "$db_name")"
psql "$server_url" -qAt -v ON_ERROR_STOP=1 -c "create database \"$db_name\"" >/dev/null ||
  fail "could not create database $db_name on $(printf '%s' "$server_url" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#')"
db_created=1
gateway_db_url="$(database_url "$db_name")"
ok "created $db_name (the gateway gets ${gateway_db_url%%://*}://… as compose.yaml writes it)"

step "The privacy keys of Secret policy-gateway-privacy-keys: KEK and HMAC key files, a subject key database"
psql "$server_url" -qAt -v ON_ERROR_STOP=1 -c "create database \"${db_name}_keys\"" >/dev/null ||
  fail "could not create database ${db_name}_keys"
keys_db_created=1
subject_keys_url="$(node -e '
  const url = new URL(process.argv[1]); url.pathname = "/" + process.argv[2]; process.stdout.write(url.toString());
' "$server_url" "${db_name}_keys")"
mkdir -m 700 "$work/privacy"
for key in subject-kek audit-hmac-key; do
  node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("hex"))' \
    >"$work/privacy/$key"
done
ok "created ${db_name}_keys and two 32-byte keys, shared by every replica"

step "migrate status on the new database reports pending migrations"
cli 60 - migrate status >"$work/status-before.log" 2>&1
status=$?
[ "$status" -ne 0 ] && [ "$status" -ne 124 ] ||
  fail "migrate status exited $status on an unmigrated database (expected non-zero)"
ok "migrate status exited $status"

step "serve on all interfaces without POLICY_GATEWAY_AUTH is refused, with one line saying what to set"
mapfile -t unguarded_env < <(gateway_env | grep -v '^POLICY_GATEWAY_AUTH=')
timeout 60 env "${unguarded_env[@]}" POLICY_GATEWAY_PORT="$(free_port)" node "$cli" serve \
  >"$work/serve-unguarded.log" 2>&1
status=$?
[ "$status" -ne 124 ] || fail "serve on 0.0.0.0 without POLICY_GATEWAY_AUTH was still running after 60 s"
[ "$status" -ne 0 ] || fail "serve on 0.0.0.0 without POLICY_GATEWAY_AUTH exited 0 (expected a refusal)"
grep -q 'POLICY_GATEWAY_AUTH' "$work/serve-unguarded.log" ||
  fail "the refusal does not name POLICY_GATEWAY_AUTH"
ok "serve exited $status: $(grep -m1 'POLICY_GATEWAY_AUTH' "$work/serve-unguarded.log" | cut -c1-160)"
rm -f "$work/serve-unguarded.log"

step "serve refuses the unmigrated database and says to migrate"
refuse_port="$(free_port)"
cli 60 $refuse_port serve >"$work/serve-refused.log" 2>&1
status=$?
[ "$status" -ne 124 ] || fail "serve was still running after 60 s on an unmigrated database"
[ "$status" -ne 0 ] || fail "serve exited 0 on an unmigrated database (expected a refusal)"
grep -qi 'migrate' "$work/serve-refused.log" || fail "serve's refusal does not mention running migrate"
tables="$(user_table_count)" || fail "could not count the database's tables"
[ "$tables" = 0 ] || fail "serve changed the schema of the database it refused ($tables tables now)"
ok "serve exited $status: $(grep -i -m1 'migrate' "$work/serve-refused.log" | cut -c1-160)"
ok "the database is still empty (serve never migrates)"
rm -f "$work/serve-refused.log" "$work/status-before.log"

step "policy-gateway migrate (the compose 'migrate' service, the Kubernetes Job)"
cli 120 - migrate >"$work/migrate.log" 2>&1 || fail "migrate exited $? on a fresh database"
sed 's/^/  | /' "$work/migrate.log" | tail -n 5
ok "migrate exited 0"
rm -f "$work/migrate.log"

step "migrate status now reports the schema current"
cli 60 - migrate status >"$work/status-after.log" 2>&1 || fail "migrate status exited $? after migrate (expected 0)"
ok "migrate status exited 0"
rm -f "$work/status-after.log"
schema_before="$(schema_snapshot)" || fail "could not read the schema"

step "API keys made before the replicas start (compose's keys service; kubectl exec in Kubernetes)"
# create_key ROLE NAME → sets $created_key and $created_key_id.
create_key() {
  local out
  out="$(cli 60 - keys create --role "$1" --name "$2" --json 2>"$work/keys-create.log")" ||
    fail "keys create --role $1 exited $?"
  created_key="$(json_field "$out" key)"
  created_key_id="$(json_field "$out" id)"
  [ -n "$created_key" ] && [ -n "$created_key_id" ] && [ "$(json_field "$out" role)" = "$1" ] ||
    fail "keys create --role $1 --json did not print {id, key, role}: ${out:0:200}"
}
create_key evaluator verify-evaluator
evaluator_key="$created_key"
create_key auditor verify-auditor
auditor_key="$created_key"
create_key evaluator verify-to-revoke
revoked_key="$created_key"
revoked_key_id="$created_key_id"
create_key privacy-officer verify-privacy-officer
officer_key="$created_key"
create_key admin verify-admin
admin_key="$created_key"
ok "an evaluator key, an auditor key, and an evaluator key to revoke later ($revoked_key_id)"
rm -f "$work/keys-create.log"

step "Two gateway replicas on two ports share the database"
port_a="$(free_port)"
port_b="$(free_port)"
while [ "$port_b" = "$port_a" ]; do port_b="$(free_port)"; done
start_replica "$port_a" "$work/gateway-a.log"
pid_a=$started_pid
start_replica "$port_b" "$work/gateway-b.log"
pid_b=$started_pid
wait_ready "$port_a" "$pid_a" || fail "replica A (port $port_a) $(not_ready_reason "$pid_a")"
ok "replica A ready on :$port_a"
wait_ready "$port_b" "$pid_b" || fail "replica B (port $port_b) $(not_ready_reason "$pid_b")"
ok "replica B ready on :$port_b"

step "One evaluation through each replica"
# evaluate PORT USER → sets $decision_id (in this shell, so that fail's report is seen).
evaluate() {
  local port="$1" user="$2" reply status body
  reply="$(http POST "http://127.0.0.1:$port/policy/evaluate" \
    "{\"prompt\": \"Summarise our deployment runbook for replica $user\", \"user_id\": \"$user\"}" \
    "$evaluator_key")"
  status="${reply%% *}"
  body="${reply#* }"
  [ "$status" = 200 ] || fail "POST /policy/evaluate on :$port answered $status: ${body:0:200}"
  decision_id="$(json_field "$body" decision_id)"
  [ -n "$decision_id" ] || fail "POST /policy/evaluate on :$port returned no decision_id: ${body:0:200}"
}
evaluate "$port_a" verify-replica-a
decision_a="$decision_id"
ok "replica A decided $decision_a"
evaluate "$port_b" verify-replica-b
decision_b="$decision_id"
ok "replica B decided $decision_b"

step "Both decisions are visible through either replica"
for port in "$port_a" "$port_b"; do
  reply="$(http GET "http://127.0.0.1:$port/governance/audit?limit=10" "" "$auditor_key")"
  [ "${reply%% *}" = 200 ] || fail "GET /governance/audit on :$port answered ${reply:0:200}"
  ids="$(json_field "${reply#* }" entries | node -e '
    let text = ""; process.stdin.on("data", (c) => (text += c)).on("end", () => {
      for (const entry of JSON.parse(text || "[]")) console.log(entry.decision_id);
    });
  ')"
  grep -qxF "$decision_a" <<<"$ids" || fail ":$port does not list replica A's decision $decision_a"
  grep -qxF "$decision_b" <<<"$ids" || fail ":$port does not list replica B's decision $decision_b"
  ok ":$port lists both decisions"
done

step "An original sealed through replica A opens through replica B; B's erasure is seen by A at once"
reply="$(http POST "http://127.0.0.1:$port_a/policy/evaluate" \
  '{"prompt": "Charge card 4111 1111 1111 1111 for the replica test", "user_id": "verify-privacy"}' \
  "$evaluator_key")"
[ "${reply%% *}" = 200 ] || fail "the masked evaluation on :$port_a answered ${reply:0:200}"
sealed_id="$(json_field "${reply#* }" audit_id)"
reply="$(http POST "http://127.0.0.1:$port_b/governance/audit/$sealed_id/original" \
  '{"reason": "verify-deployment-flow"}' "$officer_key")"
[ "${reply%% *}" = 200 ] || fail "replica B could not open replica A's original: ${reply:0:200}"
grep -qF '4111 1111 1111 1111' <<<"$reply" || fail "replica B opened something else: ${reply:0:200}"
ok "replica B opened the original replica A sealed ($sealed_id)"
reply="$(http POST "http://127.0.0.1:$port_b/admin/subjects/verify-privacy/erasure" \
  '{"reason": "verify-deployment-flow"}' "$admin_key")"
[ "$(json_field "${reply#* }" status)" = erased ] || fail "the erasure through B answered ${reply:0:200}"
reply="$(http GET "http://127.0.0.1:$port_a/governance/audit/$sealed_id" "" "$auditor_key")"
[ "$(json_field "${reply#* }" sealed_original_state)" = erased ] ||
  fail "replica A does not serve the entry as erased: ${reply:0:300}"
reply="$(http POST "http://127.0.0.1:$port_a/governance/audit/$sealed_id/original" \
  '{"reason": "after the erasure"}' "$officer_key")"
[ "${reply%% *}" = 410 ] || fail "replica A still opened the erased original: ${reply:0:200}"
ok "erased through B: A serves the entry as erased and answers 410 for its original"

step "Each replica refuses a call without a key (401) and a role the key lacks (403)"
prompt='{"prompt": "Summarise our deployment runbook", "user_id": "verify-no-key"}'
for port in "$port_a" "$port_b"; do
  reply="$(http POST "http://127.0.0.1:$port/policy/evaluate" "$prompt")"
  [ "${reply%% *}" = 401 ] || fail "POST /policy/evaluate without a key on :$port answered ${reply:0:200}"
  [ "$(json_field "${reply#* }" code)" = UNAUTHENTICATED ] ||
    fail "the 401 on :$port is not the UNAUTHENTICATED problem: ${reply:0:200}"
  reply="$(http GET "http://127.0.0.1:$port/governance/audit?limit=1")"
  [ "${reply%% *}" = 401 ] || fail "GET /governance/audit without a key on :$port answered ${reply:0:200}"
  reply="$(http GET "http://127.0.0.1:$port/governance/audit?limit=1" "" "$evaluator_key")"
  [ "${reply%% *}" = 403 ] || fail "GET /governance/audit with the evaluator key on :$port answered ${reply:0:200}"
  reply="$(http POST "http://127.0.0.1:$port/policy/evaluate" "$prompt" "$auditor_key")"
  [ "${reply%% *}" = 403 ] || fail "POST /policy/evaluate with the auditor key on :$port answered ${reply:0:200}"
  ok ":$port: 401 without a key, 403 for the evaluator reading and the auditor deciding"
done

step "A key revoked through the database is refused at once by both replicas"
reply="$(http POST "http://127.0.0.1:$port_b/policy/evaluate" "$prompt" "$revoked_key")"
[ "${reply%% *}" = 200 ] || fail "the key to revoke was not accepted before its revocation: ${reply:0:200}"
cli 60 - keys revoke "$revoked_key_id" >"$work/keys-revoke.log" 2>&1 ||
  fail "keys revoke $revoked_key_id exited $?"
for port in "$port_a" "$port_b"; do
  reply="$(http POST "http://127.0.0.1:$port/policy/evaluate" "$prompt" "$revoked_key")"
  [ "${reply%% *}" = 401 ] || fail "the revoked key on :$port answered ${reply:0:200}"
done
ok "revoked $revoked_key_id; its next call on either replica is 401"
rm -f "$work/keys-revoke.log"

step "A second migrate run is a no-op"
cli 120 - migrate >"$work/migrate-again.log" 2>&1 || fail "the second migrate exited $?"
grep -Eqi 'nothing to (apply|migrate)|no pending|up to date|already (current|up)' "$work/migrate-again.log" ||
  fail "the second migrate did not say there was nothing to apply"
schema_after="$(schema_snapshot)" || fail "could not read the schema"
[ "$schema_after" = "$schema_before" ] || fail "the second migrate changed the schema"
ok "exit 0, schema unchanged: $(grep -Ei -m1 'nothing|no pending|up to date|already' "$work/migrate-again.log" | cut -c1-160)"
rm -f "$work/migrate-again.log"

step "After the no-op migrate both replicas are still ready"
for port in "$port_a" "$port_b"; do
  reply="$(http GET "http://127.0.0.1:$port/ready")"
  [ "${reply%% *}" = 200 ] || fail ":$port answers /ready with ${reply:0:200}"
done
ok "both answer /ready with 200"

step "A replica serves a schema that is ahead of its build (a rollback after a newer release)"
# Stands in for a newer release: a migration this build does not know, recorded as applied.
sql "insert into kysely_migration (name, timestamp)
     values ('999_from_a_newer_release', to_char(now() at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))" \
  >/dev/null || fail "could not record a newer release's migration"
cli 60 - migrate status >"$work/status-ahead.log" 2>&1 ||
  fail "migrate status exited $? on a schema that is ahead (expected 0: nothing pending)"
ok "migrate status exited 0: $(grep -i -m1 'ahead' "$work/status-ahead.log" | cut -c1-120)"
rm -f "$work/status-ahead.log"
cli 60 - migrate >"$work/migrate-ahead.log" 2>&1 ||
  fail "migrate exited $? on a schema that is ahead (expected 0: a rollback's migrate step must not fail)"
grep -qi 'nothing to apply' "$work/migrate-ahead.log" ||
  fail "migrate on a schema that is ahead did not say there was nothing to apply"
ok "migrate exited 0: $(grep -i -m1 'ahead' "$work/migrate-ahead.log" | cut -c1-120)"
rm -f "$work/migrate-ahead.log"
port_c="$(free_port)"
start_replica "$port_c" "$work/gateway-c.log"
pid_c=$started_pid
wait_ready "$port_c" "$pid_c" || fail "replica C (port $port_c) $(not_ready_reason "$pid_c")"
ok "replica C ready on :$port_c on the newer schema"
kill -TERM "$pid_c"
wait_exit "$pid_c" 30
status=$?
[ "$status" = 0 ] || fail "replica C exited $status after SIGTERM"
ok "replica C exited 0 on SIGTERM"
rm -f "$work/gateway-c.log"

step "SIGTERM drains both replicas, which exit 0"
kill -TERM "$pid_a" "$pid_b"
wait_exit "$pid_a" 30
status=$?
[ "$status" = 0 ] || fail "replica A exited $status after SIGTERM (124: still running after 30 s)"
ok "replica A exited 0"
wait_exit "$pid_b" 30
status=$?
[ "$status" = 0 ] || fail "replica B exited $status after SIGTERM (124: still running after 30 s)"
ok "replica B exited 0"

printf '\nverify-deployment-flow: %d passed, 0 failed\n' "$passed"
