#!/usr/bin/env bash
# NanoAuth's demo and better-auth side by side, over HTTP on 127.0.0.1, in
# one run: the same workloads against both servers, interleaved (NanoAuth,
# better-auth, NanoAuth, better-auth, ...), then ONE table of medians with
# min–max over the rounds, p99 latency, peak RSS and the ratio. The table is
# also written to target/bench/compare.md.
#
# The session check (get-session) also runs, in the same rounds, against the
# floor (bench/floor): a bare axum server that reads the same cookie,
# verifies its HS256 signature with the key the demo derives from the same
# AUTH_SECRET, parses the claims and answers a fixed JSON body. NanoAuth's
# session figure is also given as a ratio to it ("ratio to floor").
#
# session-under-sign-in: the p99 of GET session measured by a light probe
# (its own wrk, BENCH_PROBE_CONNECTIONS connections, one thread) alone, then
# again while a second wrk runs BENCH_CONNECTIONS concurrent sign-ins; both
# p99s and their ratio (the target is at most 2x), per server.
#
#   bash bench/compare.sh
#
# Environment (defaults in brackets):
#   BENCH_DURATION     per wrk run of get-session [10s]
#   BENCH_SLOW_DURATION  per wrk run of the hash-bound workloads (sign-in,
#                      sign-up, mixed) [30s]
#   BENCH_ROUNDS       rounds of every workload on both servers [3]
#   BENCH_CONNECTIONS  wrk connections [64]
#   BENCH_THREADS      wrk threads [2]
#   BENCH_PROBE_CONNECTIONS  connections of the session probe in
#                      session-under-sign-in [4]
#   BENCH_WORKLOADS    [get-session sign-in sign-up mixed session-under-sign-in]
#   BENCH_NANOAUTH_PORT, BENCH_BETTER_AUTH_PORT, BENCH_FLOOR_PORT
#                      [3401, 3402, 3403]
#   BENCH_NANOAUTH_ARGS  extra flags for the demo, e.g. "--session-cache 60"
#                      (session checks without a database round trip) [none]
#   BENCH_RUST_LOG     the demo's RUST_LOG [warn: no line per request]
#   BENCH_SQLITE_DEFAULTS=1  leave better-auth's SQLite at its own defaults
#                      (journal_mode=delete, synchronous=FULL) instead of
#                      NanoAuth's (WAL, synchronous=NORMAL)
#
# Installs what it needs: wrk (apt), better-auth and better-sqlite3 (npm,
# pinned in bench/peers/better-auth/package-lock.json; better-sqlite3 builds
# from source against the local Node's headers). Builds the demo and the
# floor in release once (in CARGO_TARGET_DIR when set, else target/). Rate
# limits are off on both servers: every client is 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

duration=${BENCH_DURATION:-10s}
slow_duration=${BENCH_SLOW_DURATION:-30s}
rounds=${BENCH_ROUNDS:-3}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
probe_connections=${BENCH_PROBE_CONNECTIONS:-4}
workloads=${BENCH_WORKLOADS:-get-session sign-in sign-up mixed session-under-sign-in}
na_port=${BENCH_NANOAUTH_PORT:-3401}
ba_port=${BENCH_BETTER_AUTH_PORT:-3402}
fl_port=${BENCH_FLOOR_PORT:-3403}
secret="benchmark secret, thirty-two bytes or more"
email=bench@example.com
password='correct horse battery staple'

step() { printf '\n== %s\n' "$*" >&2; }

step "wrk"
if ! command -v wrk >/dev/null 2>&1; then
  apt-get update >/dev/null && apt-get install -y wrk >/dev/null
fi
command -v wrk

step "better-auth (npm, pinned)"
peer=$root/bench/peers/better-auth
installed() {
  [ -f "$peer/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ] &&
    node -e 'process.exit(require(process.argv[1]).version === "1.7.25" ? 0 : 1)' \
      "$peer/node_modules/better-auth/package.json"
}
if ! installed; then
  # No prebuilt better-sqlite3 can be downloaded here: node-gyp builds it
  # and needs the Node headers, which sit beside the node binary.
  npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")" \
    npm ci --prefix "$peer" --no-audit --no-fund >&2
fi
echo "node $(node --version), better-auth $(node -p 'require(process.argv[1]).version' \
  "$peer/node_modules/better-auth/package.json")" >&2

step "NanoAuth demo and the floor (release build)"
cargo build --release -p nanoauth-demo -p nanoauth-bench-floor >&2
target_dir=${CARGO_TARGET_DIR:-$root/target}
demo=$target_dir/release/nanoauth-demo
floor=$target_dir/release/nanoauth-bench-floor

out_dir=$root/target/bench
mkdir -p "$out_dir"
work=$(mktemp -d "$out_dir/run.XXXXXX")
na_pid=
ba_pid=
fl_pid=
cleanup() {
  stop_servers 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

wait_for() { # url log
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "$1"; then return 0; fi
    sleep 0.1
  done
  echo "no answer from $1; its log:" >&2
  cat "$2" >&2
  return 1
}
ba_flags=()
[ "${BENCH_SQLITE_DEFAULTS:-0}" = 1 ] && ba_flags+=(--sqlite-defaults)
# Each workload gets fresh processes (same databases), so that its peak RSS
# is its own and not memory kept from an earlier workload.
start_servers() {
  # The demo logs a line per request at `info`; the figures measure the
  # auth path without that log, as they did before the demo had one.
  AUTH_SECRET="$secret" RUST_LOG="${BENCH_RUST_LOG:-warn}" \
    "$demo" --port "$na_port" --data-dir "$work/nanoauth" --danger-no-rate-limit \
    ${BENCH_NANOAUTH_ARGS:-} >>"$work/nanoauth.log" 2>&1 &
  na_pid=$!
  NODE_ENV=production node "$peer/server.mjs" --port "$ba_port" --db "$work/better-auth.db" \
    "${ba_flags[@]}" >>"$work/better-auth.log" 2>&1 &
  ba_pid=$!
  # The floor verifies the demo's cookies: the same secret, the same key.
  AUTH_SECRET="$secret" "$floor" --port "$fl_port" >>"$work/floor.log" 2>&1 &
  fl_pid=$!
  wait_for "http://127.0.0.1:$na_port/api/auth/session" "$work/nanoauth.log"
  wait_for "http://127.0.0.1:$ba_port/api/auth/get-session" "$work/better-auth.log"
  wait_for "http://127.0.0.1:$fl_port/api/auth/session" "$work/floor.log"
}
stop_servers() {
  for pid in $na_pid $ba_pid $fl_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  na_pid= ba_pid= fl_pid=
}

step "starting the servers (NanoAuth, better-auth, the floor) on 127.0.0.1"
start_servers
cat "$work/nanoauth.log" "$work/better-auth.log" >&2

# The settings each side's SQLite runs with. NanoAuth's adapter sets WAL and
# synchronous=NORMAL on every connection (crates/nanoauth-sqlx/src/pool.rs);
# WAL is visible in the file header (bytes 18-19 are 2 in WAL mode).
# With --database-url (PostgreSQL, MySQL) there is no SQLite file.
if [ -f "$work/nanoauth/demo.db" ]; then
  na_journal=$(od -An -tu1 -j18 -N1 "$work/nanoauth/demo.db" | tr -d ' ')
  [ "$na_journal" = 2 ] && na_journal=wal || na_journal="not wal ($na_journal)"
  na_sqlite="SQLite journal_mode=$na_journal, synchronous=NORMAL"
else
  na_sqlite="the database of --database-url"
fi
ba_sqlite=$(grep -o 'journal_mode=[a-z]*, synchronous=[A-Z]*' "$work/better-auth.log")

# Signs up and signs in the benchmark user; prints the session cookie.
seed() { # base sign-up-path sign-in-path cookie-name
  local base=$1 body
  body=$(printf '{"email":"%s","password":"%s","name":"Bench"}' "$email" "$password")
  curl -sf -o /dev/null -H 'Content-Type: application/json' -H "Origin: $base" \
    -d "$body" "$base$2"
  body=$(printf '{"email":"%s","password":"%s"}' "$email" "$password")
  curl -sf -D - -o /dev/null -H 'Content-Type: application/json' -H "Origin: $base" \
    -d "$body" "$base$3" |
    tr -d '\r' | grep -i "^set-cookie: $4=" | head -n1 | sed -E 's/^[^:]*: *//; s/;.*//'
}
na_base=http://127.0.0.1:$na_port
ba_base=http://127.0.0.1:$ba_port
fl_base=http://127.0.0.1:$fl_port
na_cookie=$(seed "$na_base" /api/auth/signup/email /api/auth/signin/email nanoauth.session_token)
ba_cookie=$(seed "$ba_base" /api/auth/sign-up/email /api/auth/sign-in/email better-auth.session_token)
[ -n "$na_cookie" ] && [ -n "$ba_cookie" ] || { echo "seeding failed" >&2; exit 1; }
# Both cookies must open a session before anything is measured.
curl -sf -H "Cookie: $na_cookie" "$na_base/api/auth/session" | grep -q "$email"
curl -sf -H "Cookie: $ba_cookie" "$ba_base/api/auth/get-session" | grep -q "$email"
# ... and the floor must accept NanoAuth's cookie, and refuse no cookie.
curl -sf -o /dev/null -H "Cookie: $na_cookie" "$fl_base/api/auth/session"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$fl_base/api/auth/session")" = 401 ]

peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# Waits (at most 60 s) until the server has burnt under 20 ms of CPU in
# 0.5 s: hashes queued by a run that wrk has ended still finish after it,
# and must not eat into the next run, which is the other server's.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
settle() {
  local before after
  for _ in $(seq 1 120); do
    before=$(cpu_ticks "$1")
    sleep 0.5
    after=$(cpu_ticks "$1")
    [ $((after - before)) -lt 2 ] && return 0
  done
  echo "warning: pid $1 still busy after 60 s" >&2
}

# Hash-bound runs need longer windows: with 64 requests in flight at a few
# per second, a short window counts mostly the ramp.
duration_of() { if [ "$1" = get-session ]; then echo "$duration"; else echo "$slow_duration"; fi; }

# One wrk run of auth.lua; prints its RESULT line.
wrk_run() { # mode base session sign-in sign-up cookie tag threads connections duration
  BENCH_MODE=$1 BENCH_ORIGIN=$2 BENCH_SESSION=$3 BENCH_SIGN_IN=$4 BENCH_SIGN_UP=$5 \
    BENCH_COOKIE=$6 BENCH_EMAIL=$email BENCH_PASSWORD=$password BENCH_TAG=$7 \
    wrk -t"$8" -c"$9" -d"${10}" --timeout 60s -s "$root/bench/wrk/auth.lua" "$2$3" | grep '^RESULT'
}

results=$work/results.tsv
: >"$results"
run() { # target workload round
  local target=$1 workload=$2 round=$3 pid base session sign_in sign_up cookie line tag load
  case $target in
    nanoauth)
      pid=$na_pid base=$na_base cookie=$na_cookie
      session=/api/auth/session sign_in=/api/auth/signin/email sign_up=/api/auth/signup/email ;;
    better-auth)
      pid=$ba_pid base=$ba_base cookie=$ba_cookie
      session=/api/auth/get-session sign_in=/api/auth/sign-in/email sign_up=/api/auth/sign-up/email ;;
    *) # the floor: session checks only, with NanoAuth's cookie
      pid=$fl_pid base=$fl_base cookie=$na_cookie
      session=/api/auth/session sign_in=/none sign_up=/none ;;
  esac
  tag="$target-$round-$RANDOM"
  # Peak RSS per run: writing 5 to clear_refs resets VmHWM (Linux >= 4.0).
  echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true
  if [ "$workload" = session-under-sign-in ]; then
    # The probe alone, then the same probe while the sign-ins run (started
    # first and given 3 s to ramp up; they outlast the probe).
    line=$(wrk_run get-session "$base" "$session" "$sign_in" "$sign_up" "$cookie" "$tag" \
      1 "$probe_connections" "$duration" | sed 's/^RESULT/ALONE/')
    wrk_run sign-in "$base" "$session" "$sign_in" "$sign_up" "$cookie" "$tag" \
      "$threads" "$connections" "$slow_duration" >"$work/load.txt" &
    load=$!
    sleep 3
    line="$line $(wrk_run get-session "$base" "$session" "$sign_in" "$sign_up" "$cookie" "$tag" \
      1 "$probe_connections" "$duration" | sed -E 's/^RESULT/LOADED/; s/ ([a-z0-9_]+)=/ loaded_\1=/g')"
    wait "$load"
    line="$line $(sed -E 's/^RESULT/SIGN_IN/; s/ ([a-z0-9_]+)=/ sign_in_\1=/g' "$work/load.txt")"
  else
    line=$(wrk_run "$workload" "$base" "$session" "$sign_in" "$sign_up" "$cookie" "$tag" \
      "$threads" "$connections" "$(duration_of "$workload")")
  fi
  printf '%s\t%s\t%s\t%s rss_kib=%s\n' "$target" "$workload" "$round" "$line" \
    "$(peak_rss_kib "$pid")" | tee -a "$results" >&2
  settle "$pid"
}

step "measuring: {$workloads} × $rounds rounds × both servers (and the floor for get-session), interleaved"
first=1
for workload in $workloads; do
  if [ -z "$first" ]; then stop_servers && start_servers; fi
  first=
  for round in $(seq 1 "$rounds"); do
    run nanoauth "$workload" "$round"
    run better-auth "$workload" "$round"
    if [ "$workload" = get-session ]; then run floor "$workload" "$round"; fi
  done
done

python3 - "$results" "$out_dir/compare.md" <<EOF
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    target, workload, _round, rest = line.rstrip("\n").split("\t")
    f = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", rest)}
    ok = f["requests"] - f["status_errors"]
    f["rps"] = ok / (f["duration_us"] / 1e6)
    f["errors"] = f["status_errors"] + f["timeouts"] + f["connect_errors"] + f["read_errors"] + f["write_errors"]
    if "loaded_requests" in f:
        f["errors"] += sum(f["loaded_" + k] + f["sign_in_" + k] for k in
                           ("status_errors", "timeouts", "connect_errors", "read_errors", "write_errors"))
    rows.setdefault((workload, target), []).append(f)

def cell(runs):
    rps = [r["rps"] for r in runs]
    p99 = statistics.median(r["p99_us"] for r in runs) / 1000
    errors = sum(r["errors"] for r in runs)
    text = f"{statistics.median(rps):,.0f} ({min(rps):,.0f}–{max(rps):,.0f}) | {p99:,.1f} ms"
    return text + (f" ({errors} errors)" if errors else ""), statistics.median(rps)

def rss(runs):
    return f"{max(r['rss_kib'] for r in runs) / 1024:,.0f} MiB"

names = {"get-session": "GET session, $connections conns", "sign-in": "sign-in, $connections concurrent",
         "sign-up": "sign-up, $connections concurrent (unique emails)",
         "mixed": "mixed 90% session / 10% sign-in, $connections conns"}
out = []
throughput = [w for w in "$workloads".split() if w != "session-under-sign-in"]
if throughput:
    out.append("| workload | NanoAuth req/s median (min–max) | NanoAuth p99 | better-auth req/s median (min–max) | better-auth p99 | ratio to better-auth | floor req/s median (min–max) | floor p99 | NanoAuth ratio to floor | peak RSS NanoAuth / better-auth |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
for workload in throughput:
    na, na_median = cell(rows[(workload, "nanoauth")])
    ba, ba_median = cell(rows[(workload, "better-auth")])
    ratio = f"{na_median / ba_median:,.1f}×" if ba_median else "–"
    floor, floor_ratio = "– | –", "–"
    if (workload, "floor") in rows:
        floor, fl_median = cell(rows[(workload, "floor")])
        floor_ratio = f"{na_median / fl_median:,.2f}" if fl_median else "–"
    out.append(f"| {names.get(workload, workload)} | {na} | {ba} | {ratio} | {floor} | {floor_ratio} | "
               f"{rss(rows[(workload, 'nanoauth')])} / {rss(rows[(workload, 'better-auth')])} |")
if "session-under-sign-in" in "$workloads".split():
    if throughput:
        out.append("")
    out.append("| session-under-sign-in | GET session p99 alone | p99 while $connections sign-ins run | ratio (target ≤ 2×) | sign-ins/s meanwhile | peak RSS |")
    out.append("|---|---|---|---|---|---|")
    for target, name in (("nanoauth", "NanoAuth"), ("better-auth", "better-auth")):
        runs = rows[("session-under-sign-in", target)]
        alone = statistics.median(r["p99_us"] for r in runs) / 1000
        loaded = statistics.median(r["loaded_p99_us"] for r in runs) / 1000
        sign_ins = statistics.median((r["sign_in_requests"] - r["sign_in_status_errors"]) / (r["sign_in_duration_us"] / 1e6) for r in runs)
        errors = sum(r["errors"] for r in runs)
        ratio = f"{loaded / alone:,.1f}×" if alone else "–"
        noted = f" ({errors} errors)" if errors else ""
        out.append(f"| {name} | {alone:,.2f} ms | {loaded:,.2f} ms{noted} | {ratio} | {sign_ins:,.1f} | {rss(runs)} |")
out.append("")
out.append("$(date -u +%Y-%m-%d), $(nproc) cores (shared, noisy), wrk -t$threads -c$connections, "
           "-d$duration (get-session) / -d$slow_duration (others), $rounds interleaved rounds, 127.0.0.1, "
           "fresh server processes per workload. Medians over the rounds (min–max); p99 is the median "
           "of the rounds' p99; peak RSS is the largest VmHWM of the workload's runs. Ratio to better-auth = NanoAuth / better-auth; "
           "ratio to floor = NanoAuth / the floor (bench/floor: cookie read, HS256 verify, claims parse, fixed JSON; "
           "the same cookie and secret, in the same rounds)."
           + (" session-under-sign-in: a probe of $probe_connections connection(s), 1 thread, -d$duration, alone and "
              "then 3 s into a -d$slow_duration run of $connections concurrent sign-ins."
              if "session-under-sign-in" in "$workloads".split() else ""))
out.append("NanoAuth: nanoauth-demo (release, axum, $na_sqlite, rate limits off${BENCH_NANOAUTH_ARGS:+, $BENCH_NANOAUTH_ARGS}). "
           "better-auth $(node -p 'require(process.argv[1]).version' "$peer/node_modules/better-auth/package.json") "
           "on Node $(node --version) (node:http, better-sqlite3 $(node -p 'require(process.argv[1]).version' "$peer/node_modules/better-sqlite3/package.json"), "
           "SQLite $ba_sqlite, rate limiting off).")
text = "\n".join(out) + "\n"
print(text)
open(sys.argv[2], "w").write(text)
EOF
cp "$results" "$out_dir/compare-raw.tsv"
echo "written to target/bench/compare.md (raw runs: target/bench/compare-raw.tsv)" >&2
