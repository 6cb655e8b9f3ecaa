#!/usr/bin/env bash
# Everything the JavaScript client's CI runs, in order: install (npm ci),
# typecheck, unit tests (vitest), build, size report (with budgets), then the
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

if [ "${SKIP_E2E:-0}" = "1" ]; then
  say "SKIP_E2E=1: not running the browser test"
  exit 0
fi

# --- Chromium (Debian's package; playwright-core downloads no browser) -------
if [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium"
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
say "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: version unknown')"

# --- the demo server --------------------------------------------------------------
say "cargo build -p nanoauth-demo"
DEMO_BIN="$(
  cd "$REPO" &&
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
  echo "could not find the nanoauth-demo executable after the build" >&2
  exit 1
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port_from() { # prints the first free port from $1 on
  local port=$1
  for _ in $(seq 1 100); do
    if ! port_in_use "$port"; then echo "$port"; return 0; fi
    port=$((port + 1))
  done
  echo "no free port found from $1 on" >&2
  return 1
}
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
APP_URL="http://127.0.0.1:$APP_PORT"
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

# The page and the API reach the browser through the proxy on APP_PORT, so
# that is the origin the demo must trust.
say "starting the demo on $DEMO_URL, trusting $APP_URL (log $DEMO_LOG)"
"$DEMO_BIN" --port "$DEMO_PORT" --data-dir "$DATA_DIR" --base-url "$APP_URL" >"$DEMO_LOG" 2>&1 </dev/null &
DEMO_PID=$!

status_of() { # the HTTP status of GET $1, or 000
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
    .then((r) => process.stdout.write(String(r.status)), () => process.stdout.write("000"))' "$1"
}
deadline=$((SECONDS + ${DEMO_WAIT_SECS:-60}))
until [ "$(status_of "$DEMO_URL/api/auth/session")" = "200" ]; do
  if ! kill -0 "$DEMO_PID" 2>/dev/null; then
    echo "the demo exited before answering; its log:" >&2
    cat "$DEMO_LOG" >&2 || true
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "the demo did not answer 200 on /api/auth/session in time; its log:" >&2
    cat "$DEMO_LOG" >&2 || true
    exit 1
  fi
  sleep 0.5
done
say "the demo answers on $DEMO_URL"

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
