#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the test suite (its own data directory and port,
# never the system cluster) and prints its DATABASE_URL. `stop` removes it again.
set -euo pipefail
PORT="${HOTLINE_TEST_PG_PORT:-55432}"
DIR="${HOTLINE_TEST_PG_DIR:-/tmp/hotline-test-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -n "$BIN" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
case "${1:-start}" in
  start)
    if [ -d "$DIR" ]; then as_owner "$BIN/pg_ctl -D $DIR -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$DIR"; fi
    mkdir -p "$DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR"
    as_owner "$BIN/initdb -D $DIR -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
    # Small, fast, disposable: no durability needed for tests.
    as_owner "$BIN/pg_ctl -D $DIR -l $DIR/server.log -w -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200' start" >/dev/null
    echo "postgres://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    as_owner "$BIN/pg_ctl -D $DIR -m fast stop" >/dev/null 2>&1 || true
    rm -rf "$DIR"
    ;;
esac
