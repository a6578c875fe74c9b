#!/usr/bin/env bash
# The whole check: lint, then the suite on SQLite, then the suite on a PostgreSQL server
# started here on loopback in a temporary directory and stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh chromium postgresql fonts-noto-core apertium-eng-spa lttoolbox-dev apertium-lex-tools-dev gettext
PY=.venv/bin/python
export HOMEROOM_ENV=test

scripts/lint.sh

echo "== pytest on SQLite"
unset DATABASE_URL
$PY -m pytest "$@"

echo "== pytest on PostgreSQL"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
PGDIR="$(mktemp -d)"
PGPORT="$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$PGDIR"; fi
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U homeroom --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
  start >/dev/null
export DATABASE_URL="postgres://homeroom@127.0.0.1:$PGPORT/homeroom"
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U homeroom homeroom
$PY -m pytest "$@"
