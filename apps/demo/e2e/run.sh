#!/usr/bin/env bash
# Browser end-to-end test of the demo app: builds and starts the demo on a free
# loopback port with a fresh data dir, runs the Chromium test against it, and
# always stops the demo afterwards. Exits with the test's status.
#
# Run from anywhere (CI: `bash apps/demo/e2e/run.sh` from the repo root).
# Environment (all optional):
#   DEMO_PORT       first port to try (default 3100; the next free one is used)
#   SCREENSHOT_DIR  where screenshots go (default <repo>/target/e2e)
#   DEMO_WAIT_SECS  how long to wait for the demo to answer (default 60)
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$E2E_DIR/../../.." && pwd)"
cd "$REPO"

say() { printf '[e2e] %s\n' "$*"; }

# shellcheck source=demo-server.sh
. "$E2E_DIR/demo-server.sh"

ensure_chromium

say "npm ci"
(cd "$E2E_DIR" && npm ci --no-audit --no-fund)

build_demo
PORT="$(free_port_from "${DEMO_PORT:-3100}")"
SCREENSHOT_DIR="${SCREENSHOT_DIR:-$REPO/target/e2e}"
mkdir -p "$SCREENSHOT_DIR"
SCREENSHOT_DIR="$(cd "$SCREENSHOT_DIR" && pwd)"
DATA_DIR="$(mktemp -d -t nanoauth-demo-e2e.XXXXXX)"
DEMO_LOG="$SCREENSHOT_DIR/demo.log"
DEMO_URL="http://127.0.0.1:$PORT"

cleanup() {
  stop_demo
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_demo "$PORT" "$DATA_DIR" "$DEMO_LOG"

# --- the test --------------------------------------------------------------------------
rm -f "$SCREENSHOT_DIR/account.png" "$SCREENSHOT_DIR"/failure-*.png
set +e
(cd "$E2E_DIR" && DEMO_URL="$DEMO_URL" DEMO_LOG="$DEMO_LOG" SCREENSHOT_DIR="$SCREENSHOT_DIR" npm test)
status=$?
set -e

if [ -f "$SCREENSHOT_DIR/account.png" ]; then
  say "screenshot of the account page: $SCREENSHOT_DIR/account.png"
fi
for shot in "$SCREENSHOT_DIR"/failure-*.png; do
  if [ -e "$shot" ]; then say "screenshot at the failure: $shot"; fi
done
if [ "$status" -ne 0 ]; then
  say "the e2e test failed (status $status); the demo's log follows" >&2
  tail -n 100 "$DEMO_LOG" >&2 || true
fi
exit "$status"
