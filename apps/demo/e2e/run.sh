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
# The demo's own name (passkeys need a domain; it sends 127.0.0.1 here too).
DEMO_URL="http://localhost:$PORT"

# A real OpenID Connect provider for the social sign-in step; the demo gets
# a "Sign in with Test IdP" button for it through the OIDC_* variables.
OIDC_DIR="$REPO/crates/nanoauth-oauth/tests/oidc-server"
if [ ! -d "$OIDC_DIR/node_modules/oidc-provider" ]; then
  say "npm ci (the OIDC server)"
  (cd "$OIDC_DIR" && npm ci --no-audit --no-fund)
fi
OIDC_LOG="$SCREENSHOT_DIR/oidc.log"
OIDC_PID=""

cleanup() {
  stop_demo
  if [ -n "$OIDC_PID" ]; then kill "$OIDC_PID" 2>/dev/null || true; fi
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

APP_ORIGIN="$DEMO_URL" node "$OIDC_DIR/server.mjs" >"$OIDC_LOG" 2>&1 &
OIDC_PID=$!
OIDC_ISSUER=""
for _ in $(seq 1 120); do
  OIDC_ISSUER="$(sed -n 's/^READY //p' "$OIDC_LOG" | head -n 1)"
  if [ -n "$OIDC_ISSUER" ]; then break; fi
  sleep 0.5
done
if [ -z "$OIDC_ISSUER" ]; then
  say "the OIDC server did not start; its log follows" >&2
  cat "$OIDC_LOG" >&2 || true
  exit 1
fi
say "OIDC server at $OIDC_ISSUER"
export OIDC_ISSUER OIDC_CLIENT_ID=nanoauth-test OIDC_CLIENT_SECRET=nanoauth-test-secret OIDC_NAME="Test IdP"

# The administrator of this run (the demo's --admin, through its variable):
# the admin step signs it up and bans and impersonates from it.
export NANOAUTH_DEMO_ADMIN="admin-$(date +%s)-$RANDOM@example.com"

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
