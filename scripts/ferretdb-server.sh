#!/usr/bin/env bash
# A MongoDB-wire server for the document tests: FerretDB v1 on SQLite, embedded in test/tooling/ferretdb (built
# here with Go on first use, about two minutes from cold; then reused while its source is unchanged).
#   scripts/ferretdb-server.sh [start]  builds if needed, starts one on a free loopback port, prints its URL
#                                       (idempotent: a running one is reused)
#   scripts/ferretdb-server.sh stop     stops it, by the PID it wrote
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${POLYSTORE_FERRETDB_DIR:-/tmp/polystore-ferretdb}"
command="${1:-start}"
if [ "$command" = stop ]; then
  [ -s "$dir/ferretdb.pid" ] && kill "$(cat "$dir/ferretdb.pid")" 2>/dev/null || true
  exit 0
fi
[ "$command" = start ] || { echo "usage: $0 [start|stop]" >&2; exit 2; }
mkdir -p "$dir"
if [ -s "$dir/ferretdb.pid" ] && kill -0 "$(cat "$dir/ferretdb.pid")" 2>/dev/null && [ -s "$dir/url" ]; then
  cat "$dir/url"
  exit 0
fi
source_dir="$root/test/tooling/ferretdb"
stamp="$(cat "$source_dir/main.go" "$source_dir/go.mod" "$source_dir/go.sum" | sha256sum | cut -c1-16)"
binary="$dir/polystore-ferretdb-$stamp"
if [ ! -x "$binary" ]; then
  command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null || { echo "ferretdb-server.sh: Go is needed to build test/tooling/ferretdb" >&2; exit 1; }
  (cd "$source_dir" && go build -o "$binary" .) >&2
fi
rm -rf "$dir/data"
: > "$dir/url"
"$binary" -data "$dir/data" > "$dir/url" 2> "$dir/ferretdb.log" &
echo $! > "$dir/ferretdb.pid"
for _ in $(seq 100); do
  [ -s "$dir/url" ] && break
  kill -0 "$(cat "$dir/ferretdb.pid")" 2>/dev/null || { cat "$dir/ferretdb.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$dir/url" ] || { echo "ferretdb did not start: $dir/ferretdb.log" >&2; exit 1; }
cat "$dir/url"
