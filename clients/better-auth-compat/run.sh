#!/usr/bin/env bash
# better-auth's own client against the demo in compat mode: builds the demo,
# starts it with --better-auth-compat on a free loopback port and a fresh
# data dir (a temporary SQLite database), runs compat-client-test.mjs with
# better-auth/client (installed by `npm ci`, pinned in package-lock.json),
# and always stops the demo. Exits with the test's status.
#
# Run from anywhere (CI: `bash clients/better-auth-compat/run.sh`).
# DEMO_PORT: the first port to try (default 3300).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"

# shellcheck source=../../apps/demo/e2e/demo-server.sh
. "$REPO/apps/demo/e2e/demo-server.sh"

echo "[better-auth-compat] npm ci"
(cd "$HERE" && npm ci --no-audit --no-fund)

build_demo
PORT="$(free_port_from "${DEMO_PORT:-3300}")"
DATA_DIR="$(mktemp -d -t nanoauth-better-auth-compat.XXXXXX)"
LOG="$DATA_DIR/demo.log"
cleanup() {
  stop_demo
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_demo "$PORT" "$DATA_DIR" "$LOG" --better-auth-compat

set +e
(cd "$HERE" && DEMO_URL="http://127.0.0.1:$PORT" node compat-client-test.mjs)
status=$?
set -e
if [ "$status" -ne 0 ]; then
  echo "[better-auth-compat] failed; the demo's log follows" >&2
  cat "$LOG" >&2 || true
fi
exit "$status"
