#!/usr/bin/env bash
# Installs (if needed) and starts a throwaway PostgreSQL server for the tests, on 127.0.0.1:${PGPORT:-55432},
# trusting local connections. Prints the URL to export as POLYSTORE_TEST_POSTGRES_URL.
set -euo pipefail
port="${PGPORT:-55432}"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
data="${POLYSTORE_PGDATA:-/tmp/polystore-pg-$port}"
if [ ! -s "$data/PG_VERSION" ]; then
  rm -rf "$data" && mkdir -p "$data" && chown postgres "$data"
  su postgres -c "'$bin/initdb' -D '$data' -A trust -U postgres" >/dev/null
fi
if ! su postgres -c "'$bin/pg_ctl' -D '$data' status" >/dev/null 2>&1; then
  su postgres -c "'$bin/pg_ctl' -D '$data' -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1\" -l '$data/server.log' -w start" >/dev/null
fi
echo "postgres://postgres@127.0.0.1:$port/postgres"
