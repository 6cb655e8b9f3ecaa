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

# --- Chromium (Debian's package; playwright-core downloads no browser) -------
if [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium"
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
say "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: version unknown')"

# --- the test's dependencies ---------------------------------------------------
say "npm ci"
(cd "$E2E_DIR" && npm ci --no-audit --no-fund)

# --- build the demo ---------------------------------------------------------------
say "cargo build -p nanoauth-demo"
# The executable's path comes from cargo itself, so CARGO_TARGET_DIR and the
# like are honoured.
DEMO_BIN="$(
  cargo build -p nanoauth-demo --message-format=json-render-diagnostics |
    node -e '
      let out = "";
      process.stdin.on("data", (d) => (out += d)).on("end", () => {
        for (const line of out.split("\n")) {
          if (!line.startsWith("{")) continue;
          const m = JSON.parse(line);
          if (m.reason === "compiler-artifact" && m.target.name === "nanoauth-demo" && m.executable) {
            process.stdout.write(m.executable);
          }
        }
      });'
)"
if [ -z "$DEMO_BIN" ] || [ ! -x "$DEMO_BIN" ]; then
  say "could not find the nanoauth-demo executable after the build" >&2
  exit 1
fi

# --- start it -----------------------------------------------------------------------
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT="${DEMO_PORT:-3100}"
for _ in $(seq 1 100); do
  port_in_use "$PORT" || break
  PORT=$((PORT + 1))
done
if port_in_use "$PORT"; then
  say "no free port found from ${DEMO_PORT:-3100} on" >&2
  exit 1
fi

SCREENSHOT_DIR="${SCREENSHOT_DIR:-$REPO/target/e2e}"
mkdir -p "$SCREENSHOT_DIR"
SCREENSHOT_DIR="$(cd "$SCREENSHOT_DIR" && pwd)"
DATA_DIR="$(mktemp -d -t nanoauth-demo-e2e.XXXXXX)"
DEMO_LOG="$SCREENSHOT_DIR/demo.log"
DEMO_URL="http://127.0.0.1:$PORT"
DEMO_PID=""

cleanup() {
  if [ -n "$DEMO_PID" ] && kill -0 "$DEMO_PID" 2>/dev/null; then
    kill "$DEMO_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "starting the demo on $DEMO_URL (data dir $DATA_DIR, log $DEMO_LOG)"
"$DEMO_BIN" --port "$PORT" --data-dir "$DATA_DIR" >"$DEMO_LOG" 2>&1 </dev/null &
DEMO_PID=$!

status_of() { # prints the HTTP status of GET $1, or 000
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true
  else
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
      .then((r) => process.stdout.write(String(r.status)), () => process.stdout.write("000"))' "$1"
  fi
}

WAIT_SECS="${DEMO_WAIT_SECS:-60}"
deadline=$((SECONDS + WAIT_SECS))
until [ "$(status_of "$DEMO_URL/api/auth/session")" = "200" ]; do
  if ! kill -0 "$DEMO_PID" 2>/dev/null; then
    say "the demo exited before answering; its log:" >&2
    cat "$DEMO_LOG" >&2 || true
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    say "the demo did not answer 200 on /api/auth/session within ${WAIT_SECS}s; its log:" >&2
    cat "$DEMO_LOG" >&2 || true
    exit 1
  fi
  sleep 0.5
done
say "the demo answers on $DEMO_URL"

# --- the test --------------------------------------------------------------------------
rm -f "$SCREENSHOT_DIR/account.png" "$SCREENSHOT_DIR"/failure-*.png
set +e
(cd "$E2E_DIR" && DEMO_URL="$DEMO_URL" SCREENSHOT_DIR="$SCREENSHOT_DIR" npm test)
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
