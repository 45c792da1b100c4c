#!/usr/bin/env bash
# A throwaway Redis for the cache tests: Debian's redis-server (installed by .ci/run), no persistence, on a free
# loopback port.
#   scripts/redis-server.sh [start]  starts one and prints its URL (idempotent: a running one is reused)
#   scripts/redis-server.sh stop     stops it, by the PID it wrote
set -euo pipefail
dir="${POLYSTORE_REDIS_DIR:-/tmp/polystore-redis}"
command="${1:-start}"
if [ "$command" = stop ]; then
  [ -s "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  exit 0
fi
[ "$command" = start ] || { echo "usage: $0 [start|stop]" >&2; exit 2; }
mkdir -p "$dir"
if [ -s "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null && [ -s "$dir/port" ]; then
  echo "redis://127.0.0.1:$(cat "$dir/port")"
  exit 0
fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
for _ in $(seq 50); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
echo "$port" > "$dir/port"
echo "redis://127.0.0.1:$port"
