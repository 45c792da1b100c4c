#!/usr/bin/env bash
# Installs PyPI's milvus==2.3.5 into a venv (once) and prints the path of its `milvus-server`, for
# POLYSTORE_MILVUS23_SERVER.
set -euo pipefail
home="${POLYSTORE_MILVUS23_HOME:-/opt/polystore-milvus23}"
if [ ! -x "$home/bin/milvus-server" ]; then
  python3 -m venv "$home"
  "$home/bin/pip" install --quiet --disable-pip-version-check -r "$(dirname "$0")/requirements-milvus23.txt"
fi
echo "$home/bin/milvus-server"
