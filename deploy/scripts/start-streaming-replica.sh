#!/usr/bin/env bash
# Sets up a real PostgreSQL streaming replica (a hot standby) of a primary, on this machine, in
# a directory of its own and on a free port, so that the gateway's read pool
# (POLICY_GATEWAY_READ_DATABASE_URL) can be tried and tested against the real thing; and stops
# and removes it again. Uses the machine's PostgreSQL binaries (pg_basebackup -R, pg_ctl).
#
#   start-streaming-replica.sh start --primary URL --dir DIR [--port PORT]
#       base backup of the primary into DIR/data, started as a hot standby streaming from it;
#       prints the replica's URL (same user and database as the primary's URL) on stdout.
#   start-streaming-replica.sh start-primary --dir DIR [--port PORT]
#       a scratch primary (initdb, trust on 127.0.0.1 only, replication allowed) for a replica
#       to follow, when the primary at hand refuses replication connections; prints its URL.
#   start-streaming-replica.sh stop --dir DIR      stops the server in DIR (kept on disk)
#   start-streaming-replica.sh restart --dir DIR   starts a stopped one again, on its port
#   start-streaming-replica.sh clean --dir DIR     stops it and removes DIR
#
# The servers are for trying and testing: they run with fsync off, listen on 127.0.0.1 only,
# and a start that fails removes what it made in DIR.
# As root, the servers run as the `postgres` account (PostgreSQL refuses to run as root) and
# DIR is handed to it; otherwise they run as the current user. Nothing outside DIR is changed:
# a primary that refuses replication is reported with the pg_hba.conf line it needs, never
# edited. Environment: PG_BINDIR (default /usr/lib/postgresql/15/bin, else
# `pg_config --bindir`), REPLICA_SERVER_ACCOUNT (default postgres, when root).
set -euo pipefail

readonly MARKER=.policy-gateway-streaming-replica
readonly START_TIMEOUT_SECONDS=30

fail() {
  echo "start-streaming-replica: $*" >&2
  exit 1
}

usage() {
  sed -n '7,20p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

bindir() {
  if [[ -n ${PG_BINDIR:-} ]]; then
    echo "$PG_BINDIR"
  elif [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]]; then
    echo /usr/lib/postgresql/15/bin
  elif command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/pg_ctl" ]]; then
    pg_config --bindir
  else
    fail "no PostgreSQL server binaries found (pg_ctl, pg_basebackup): set PG_BINDIR to their directory"
  fi
}

# Finds the server binaries and, as root, the account to run them as: only once a command is
# about to use them, so that what needs neither (usage, argument and directory checks) answers
# the same on a machine without PostgreSQL.
need_server() {
  [[ -z ${BIN:-} ]] || return 0
  BIN=$(bindir) || exit 1
  ACCOUNT=${REPLICA_SERVER_ACCOUNT:-postgres}
  if [[ $(id -u) -eq 0 ]] && ! id -u "$ACCOUNT" >/dev/null 2>&1; then
    fail "running as root, the server needs an unprivileged account to run as, and '$ACCOUNT' does not exist: set REPLICA_SERVER_ACCOUNT or run as an ordinary user"
  fi
}

# Runs a command as the account that owns the server's files.
as_server() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$ACCOUNT" -- "$@"
  else
    "$@"
  fi
}

# A TCP port nobody listens on, from a range PostgreSQL clusters of a distribution do not use.
free_port() {
  local port
  for port in $(shuf -i 20000-29999 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  fail "no free port found in 20000-29999"
}

# Empties DIR again when a start fails half-way, so that the same command can be run again.
abandon() {
  local status=$?
  if [[ $status -ne 0 && -e $DIR/$MARKER ]]; then
    stop_server
    find "$DIR" -mindepth 1 -delete
  fi
  exit "$status"
}

# Makes DIR (or checks an empty one), marks it as ours and hands it to the server account.
prepare_dir() {
  mkdir -p "$DIR"
  [[ -z $(ls -A "$DIR") ]] || fail "$DIR is not empty: give a new or empty directory"
  need_server
  trap abandon EXIT
  touch "$DIR/$MARKER"
  if [[ $(id -u) -eq 0 ]]; then
    chown -R "$ACCOUNT" "$DIR"
    runuser -u "$ACCOUNT" -- test -w "$DIR" ||
      fail "$DIR is out of reach of the $ACCOUNT account (a parent directory is private, like /root): choose a directory under /tmp or /var/tmp"
  fi
  chmod 700 "$DIR"
}

# Settings given on the server's command line: they win over whatever the base backup copied
# (the primary's port, sockets in a directory only the system's server may use).
server_options() {
  echo "-c port=$1 -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c hot_standby=on -c fsync=off -c full_page_writes=off"
}

start_server() {
  local port=$1
  as_server "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -o "$(server_options "$port")" \
    -t "$START_TIMEOUT_SECONDS" -w start >/dev/null ||
    fail "the server in $DIR did not start; its log: $DIR/server.log ($(tail -n 3 "$DIR/server.log" 2>/dev/null | tr '\n' ' '))"
  echo "$port" >"$DIR/port"
}

# The user and database of a postgresql:// URL, for the URL printed for the new server.
url_user() { sed -E 's#^[a-z+]+://([^:@/]*)(:[^@]*)?@.*#\1#;t;s#.*##' <<<"$1"; }
url_password() { sed -E 's#^[a-z+]+://[^:@/]*:([^@]*)@.*#\1#;t;s#.*##' <<<"$1"; }
url_database() { sed -E 's#^[^/]*//[^/]*/([^?]*).*#\1#;t;s#.*##' <<<"$1"; }

start_replica() {
  [[ -n $PRIMARY ]] || fail "start needs --primary postgresql://user@host:port/database"
  local url=${PRIMARY/#postgresql+asyncpg:/postgresql:}
  url=${url/#postgres:/postgresql:}
  local port
  port=${PORT:-$(free_port)}
  prepare_dir
  local output
  # -R writes standby.signal and primary_conninfo; -X stream copies the WAL the backup needs.
  if ! output=$(as_server "$BIN/pg_basebackup" -d "$url" -D "$DIR/data" -R -X stream \
    --checkpoint=fast --no-sync 2>&1); then
    if grep -q 'no pg_hba.conf entry for replication' <<<"$output"; then
      fail "the primary refuses replication connections from this machine: add a line such as 'host replication <user> 127.0.0.1/32 scram-sha-256' to its pg_hba.conf and reload it, or use '$0 start-primary' for a scratch primary (pg_basebackup: $(tr '\n' ' ' <<<"$output"))"
    fi
    fail "pg_basebackup from the primary failed: $(tr '\n' ' ' <<<"$output")"
  fi
  # A primary whose configuration lives outside its data directory (Debian's /etc/postgresql)
  # leaves none in the backup; the server needs the files to exist.
  [[ -e $DIR/data/postgresql.conf ]] || as_server touch "$DIR/data/postgresql.conf"
  [[ -e $DIR/data/pg_ident.conf ]] || as_server touch "$DIR/data/pg_ident.conf"
  if [[ ! -e $DIR/data/pg_hba.conf ]]; then
    as_server tee "$DIR/data/pg_hba.conf" >/dev/null <<<"host all all 127.0.0.1/32 scram-sha-256"
  fi
  start_server "$port"
  replica_url "$url" "$port"
}

replica_url() {
  local url=$1 port=$2 user password database
  user=$(url_user "$url")
  password=$(url_password "$url")
  database=$(url_database "$url")
  echo "postgresql://${user:-postgres}${password:+:$password}@127.0.0.1:$port/${database:-postgres}"
}

start_primary() {
  local port
  port=${PORT:-$(free_port)}
  prepare_dir
  as_server "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust --no-sync -E UTF8 \
    --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
    fail "initdb failed: $(tail -n 3 "$DIR/initdb.log" | tr '\n' ' ')"
  # initdb's pg_hba.conf already lets 127.0.0.1 connect for replication with --auth=trust;
  # wal_level=replica and max_wal_senders=10 are PostgreSQL 15's defaults. Said explicitly so
  # that a server with other defaults behaves the same.
  as_server tee -a "$DIR/data/postgresql.conf" >/dev/null <<'EOF'
wal_level = replica
max_wal_senders = 10
EOF
  start_server "$port"
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
}

# Stops the server in DIR, if one runs; never fails for a server already stopped.
stop_server() {
  [[ -e $DIR/$MARKER ]] || fail "$DIR was not made by this script (no $MARKER): refusing to touch it"
  [[ -e $DIR/data/postmaster.pid ]] || return 0
  need_server
  as_server "$BIN/pg_ctl" -D "$DIR/data" -m fast -t "$START_TIMEOUT_SECONDS" -w stop >/dev/null 2>&1 ||
    as_server "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
}

COMMAND=${1:-}
[[ -n $COMMAND ]] || usage
shift
PRIMARY=''
DIR=''
PORT=''
while [[ $# -gt 0 ]]; do
  case $1 in
  --primary) PRIMARY=${2:-} && shift 2 ;;
  --dir) DIR=${2:-} && shift 2 ;;
  --port) PORT=${2:-} && shift 2 ;;
  *) fail "unknown argument '$1' (see '$0' without arguments)" ;;
  esac
done
[[ -n $DIR ]] || fail "$COMMAND needs --dir DIR"
[[ -z $PORT || $PORT =~ ^[0-9]+$ ]] || fail "--port must be a number, got '$PORT'"
DIR=$(realpath -m "$DIR")
BIN=''

case $COMMAND in
start) start_replica ;;
start-primary) start_primary ;;
stop) stop_server ;;
restart)
  [[ -e $DIR/$MARKER && -e $DIR/port ]] || fail "$DIR holds no server made by this script"
  [[ ! -e $DIR/data/postmaster.pid ]] || fail "the server in $DIR is running already"
  need_server
  start_server "$(cat "$DIR/port")"
  ;;
clean)
  if [[ -e $DIR ]]; then
    stop_server
    rm -rf -- "$DIR"
  fi
  ;;
*) usage ;;
esac
