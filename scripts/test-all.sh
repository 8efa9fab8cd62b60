#!/usr/bin/env bash
# The whole test suite, as the README promises: type checks, unit and server tests on the
# embedded PGlite, the server tests again on a real PostgreSQL, then end-to-end tests in
# Debian's Chromium against the built web console. Installs the Debian packages it needs
# when run as root; never skips a part silently.
set -euo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1

bash scripts/system-packages.sh chromium postgresql sox rtpengine-daemon baresip-core kamailio kamailio-websocket-modules kamailio-utils-modules kamailio-json-modules kamailio-extra-modules kamailio-autheph-modules kamailio-tls-modules iptables

echo "== type check"
npm run --silent typecheck

echo "== build (server and web console)"
npm run --silent build

echo "== unit and server tests (PGlite)"
npx vitest run --project unit --project server

echo "== server tests (PostgreSQL)"
PG_URL="$(bash scripts/pg-test-server.sh start)"
trap 'bash scripts/pg-test-server.sh stop' EXIT
DATABASE_URL="$PG_URL" npx vitest run --project server

echo "== end-to-end tests (Chromium)"
npx vitest run --project e2e

echo "== all test suites passed"
