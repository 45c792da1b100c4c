#!/usr/bin/env bash
# PgBouncer in transaction pooling mode in front of the native server, for trying polystore behind a pooler by
# hand (test/pgbouncer.test.ts starts its own, with the same settings: test/helpers/pgbouncer.ts). Debian's
# pgbouncer (.ci/run installs it); as root it runs as the native server's system user, as it refuses root.
#   scripts/pgbouncer-server.sh [start] [postgres-url]  starts one (idempotent) and prints its URL; the server is
#                                                      postgres-url, else POLYSTORE_TEST_PGVECTOR_URL, else :55433
#   scripts/pgbouncer-server.sh stop                    stops it, by the PID it wrote
set -euo pipefail
dir="${POLYSTORE_PGBOUNCER_DIR:-/tmp/polystore-pgbouncer}"
command="${1:-start}"
if [ "$command" = stop ]; then
  [ -s "$dir/pgbouncer.pid" ] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
  exit 0
fi
[ "$command" = start ] || { echo "usage: $0 [start [postgres-url]|stop]" >&2; exit 2; }
target="${2:-${POLYSTORE_TEST_PGVECTOR_URL:-postgres://postgres@127.0.0.1:55433/postgres}}"
read -r user host port database < <(python3 -c 'import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(u.unquote(p.username or "postgres"), p.hostname or "127.0.0.1", p.port or 5432, p.path.lstrip("/") or "postgres")' "$target")
if [ -s "$dir/pgbouncer.pid" ] && kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null && [ -s "$dir/port" ]; then
  echo "postgres://$user@127.0.0.1:$(cat "$dir/port")/$database"
  exit 0
fi
mkdir -p "$dir"
listen="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
printf '"%s" ""\n' "$user" > "$dir/users.txt"
cat > "$dir/pgbouncer.ini" <<INI
[databases]
* = host=$host port=$port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $listen
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
pool_mode = transaction
default_pool_size = 4
server_round_robin = 1
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
if [ "$(id -u)" = 0 ]; then
  chown -R "${POLYSTORE_PG_USER:-polystore-pg}" "$dir"
  runuser -u "${POLYSTORE_PG_USER:-polystore-pg}" -- /usr/sbin/pgbouncer -d "$dir/pgbouncer.ini"
else
  /usr/sbin/pgbouncer -d "$dir/pgbouncer.ini"
fi
for _ in $(seq 50); do
  python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()' "$listen" 2>/dev/null && break
  sleep 0.1
done
echo "$listen" > "$dir/port"
echo "postgres://$user@127.0.0.1:$listen/$database"
