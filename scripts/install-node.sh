#!/usr/bin/env bash
# Another Node.js release for the test runs, from the npm registry's node-linux-<arch> package (the binaries the
# `node` package's own install script would fetch; install scripts do not run here). Pinned; installed once.
#   scripts/install-node.sh 22|24|26   installs it if needed and prints its bin/ folder
set -euo pipefail
declare -A pinned=([22]=22.23.5 [24]=24.22.3 [26]=26.12.1)
major="${1:-}"
version="${pinned[$major]:-}"
[ -n "$version" ] || { echo "usage: $0 22|24|26" >&2; exit 2; }
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "$0: no Node.js package for $(uname -m)" >&2; exit 1 ;;
esac
dir="${POLYSTORE_NODE_DIR:-/opt/polystore-node}/$version"
if [ ! -x "$dir/bin/node" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-$arch@$version" >/dev/null && tar xzf ./*.tgz)
  mkdir -p "$dir"
  cp -R "$work/package/." "$dir/"
fi
"$dir/bin/node" --version >/dev/null
echo "$dir/bin"
