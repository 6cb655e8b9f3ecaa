# Shared by the browser tests (apps/demo/e2e/run.sh, clients/js/run-tests.sh):
# Debian's Chromium, building the demo, a free port, starting the demo and
# waiting until it answers, stopping it. Source it; it defines functions only.
#
#   ensure_chromium
#   build_demo                       # sets DEMO_BIN; run from the repo root
#   PORT=$(free_port_from 3100)
#   start_demo PORT DATA_DIR LOG [demo flags...]   # sets DEMO_PID, waits for 200
#   stop_demo                        # safe to call twice, e.g. from a trap

demo_say() { printf '[demo] %s\n' "$*"; }

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    demo_say "installing Debian's chromium"
    local sudo=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
    $sudo apt-get update
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
  fi
  demo_say "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: version unknown')"
}

# The executable's path comes from cargo itself, so CARGO_TARGET_DIR and the
# like are honoured.
build_demo() {
  demo_say "cargo build -p nanoauth-demo"
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
    demo_say "could not find the nanoauth-demo executable after the build" >&2
    return 1
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port_from() { # prints the first free port from $1 on
  local port=$1
  for _ in $(seq 1 100); do
    if ! port_in_use "$port"; then echo "$port"; return 0; fi
    port=$((port + 1))
  done
  demo_say "no free port found from $1 on" >&2
  return 1
}

http_status() { # the HTTP status of GET $1, or 000
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
    .then((r) => process.stdout.write(String(r.status)), () => process.stdout.write("000"))' "$1"
}

DEMO_PID=""

start_demo() { # port data-dir log [flags...]
  local port=$1 data_dir=$2 log=$3
  shift 3
  local url="http://127.0.0.1:$port"
  demo_say "starting the demo on $url (data dir $data_dir, log $log)"
  "$DEMO_BIN" --port "$port" --data-dir "$data_dir" "$@" >"$log" 2>&1 </dev/null &
  DEMO_PID=$!
  local deadline=$((SECONDS + ${DEMO_WAIT_SECS:-60}))
  until [ "$(http_status "$url/api/auth/session")" = "200" ]; do
    if ! kill -0 "$DEMO_PID" 2>/dev/null; then
      demo_say "the demo exited before answering; its log:" >&2
      cat "$log" >&2 || true
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      demo_say "the demo did not answer 200 on /api/auth/session in time; its log:" >&2
      cat "$log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
  demo_say "the demo answers on $url"
}

stop_demo() {
  if [ -n "$DEMO_PID" ] && kill -0 "$DEMO_PID" 2>/dev/null; then
    kill "$DEMO_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
  fi
  DEMO_PID=""
}
