#!/usr/bin/env bash
# Everything the JavaScript client's CI runs, in order: install (npm ci),
# typecheck, unit tests (vitest), build, size report (with budgets), the
# check that the demo's committed bundle (apps/demo/assets/nanoauth-client.js)
# is what src/ builds to, then the
# browser test: builds and starts the demo server, builds the React test
# page, and runs it in headless Chromium through a same-origin proxy. Stops
# what it started, and exits non-zero on the first failure.
#
# Run from anywhere (CI: `bash clients/js/run-tests.sh` from the repo root).
# Environment (all optional):
#   DEMO_PORT       first port to try for the demo (default 3300; the next free one is used)
#   APP_PORT        first port to try for the page + proxy (default: the one after the demo's)
#   OUTPUT_DIR      screenshots and the demo's log (default clients/js/e2e/output)
#   DEMO_WAIT_SECS  how long to wait for the demo to answer (default 60)
#   SKIP_E2E=1      stop after the size report
set -euo pipefail

JS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$JS_DIR/../.." && pwd)"

say() { printf '\n[clients/js] %s\n' "$*"; }

cd "$JS_DIR"
say "node $(node --version), npm $(npm --version)"

say "npm ci"
npm ci --no-audit --no-fund

say "typecheck (tsc --noEmit: src, tests, e2e page)"
npm run --silent typecheck

say "unit tests (vitest)"
npm test --silent

say "build (dist/)"
npm run --silent build

say "size (minified + gzipped, per entry)"
npm run --silent size

say "the demo's bundle is current (npm run build:demo -- --check)"
npm run --silent build:demo -- --check

if [ "${SKIP_E2E:-0}" = "1" ]; then
  say "SKIP_E2E=1: not running the browser test"
  exit 0
fi

# shellcheck source=../../apps/demo/e2e/demo-server.sh
. "$REPO/apps/demo/e2e/demo-server.sh"

ensure_chromium
pushd "$REPO" >/dev/null
build_demo
popd >/dev/null
DEMO_PORT="$(free_port_from "${DEMO_PORT:-3300}")"
APP_PORT="$(free_port_from "${APP_PORT:-$((DEMO_PORT + 1))}")"
if [ "$APP_PORT" = "$DEMO_PORT" ]; then APP_PORT="$(free_port_from $((DEMO_PORT + 1)))"; fi

OUTPUT_DIR="${OUTPUT_DIR:-$JS_DIR/e2e/output}"
mkdir -p "$OUTPUT_DIR"
OUTPUT_DIR="$(cd "$OUTPUT_DIR" && pwd)"
rm -f "$OUTPUT_DIR"/*.png
DATA_DIR="$(mktemp -d -t nanoauth-js-e2e.XXXXXX)"
DEMO_LOG="$OUTPUT_DIR/demo.log"
DEMO_URL="http://127.0.0.1:$DEMO_PORT"
# localhost, not 127.0.0.1: the demo has passkeys, and browsers (so the
# demo, at start-up) refuse IP addresses as their RP id.
APP_URL="http://localhost:$APP_PORT"

cleanup() {
  stop_demo
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The page and the API reach the browser through the proxy on APP_PORT, so
# that is the origin the demo must trust. The administrator is an address
# nobody signs up with here: otherwise the demo makes the first account its
# admin, and the test's user would not read as an ordinary member.
start_demo "$DEMO_PORT" "$DATA_DIR" "$DEMO_LOG" --base-url "$APP_URL" \
  --admin "admin-$(date +%s)-$RANDOM@example.com"

say "building the React test page (vite)"
npm run --silent e2e:build

say "browser test (node --test, headless Chromium) on $APP_URL"
set +e
DEMO_URL="$DEMO_URL" APP_PORT="$APP_PORT" OUTPUT_DIR="$OUTPUT_DIR" node --test e2e/client.test.mjs
status=$?
set -e
for shot in "$OUTPUT_DIR"/*.png; do
  if [ -e "$shot" ]; then say "screenshot: $shot"; fi
done
if [ "$status" -ne 0 ]; then
  echo "the browser test failed (status $status); the demo's log follows" >&2
  tail -n 100 "$DEMO_LOG" >&2 || true
fi
exit "$status"
