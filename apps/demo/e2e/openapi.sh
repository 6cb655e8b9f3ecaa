#!/usr/bin/env bash
# The demo's API description, checked against the running demo: builds and
# starts the demo on a free loopback port with a fresh data dir (rate limits
# off: the fuzzer sends thousands of requests from one address), validates
# GET /api/auth/openapi.json with openapi-spec-validator, then lets
# schemathesis fuzz every operation for a bounded time, anonymous and then
# with a signed-in user's bearer token. Any 5xx answer or any answer that
# breaks the description fails the run. Always stops the demo afterwards.
#
# Run from anywhere (CI: `bash apps/demo/e2e/openapi.sh` from the repo root).
# Environment (all optional):
#   DEMO_PORT          first port to try (default 3300; the next free one is used)
#   OPENAPI_VENV       the Python virtualenv to install the tools in
#                      (default <repo>/target/openapi-venv)
#   FUZZ_SECONDS       schemathesis's time budget per run (default 75; two runs)
#   REPORT_DIR         where reports and the demo's log go (default <repo>/target/openapi)
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$E2E_DIR/../../.." && pwd)"
cd "$REPO"

say() { printf '[openapi] %s\n' "$*"; }

# shellcheck source=demo-server.sh
. "$E2E_DIR/demo-server.sh"

# Pinned: a new schemathesis may generate differently and find other things;
# that is an upgrade to make on purpose.
SCHEMATHESIS_VERSION=4.32.5
VALIDATOR_VERSION=0.9.0
VENV="${OPENAPI_VENV:-$REPO/target/openapi-venv}"
if [ ! -x "$VENV/bin/schemathesis" ] || ! "$VENV/bin/schemathesis" --version | grep -q "$SCHEMATHESIS_VERSION"; then
  say "installing schemathesis $SCHEMATHESIS_VERSION and openapi-spec-validator $VALIDATOR_VERSION in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$VALIDATOR_VERSION"
fi

build_demo
PORT="$(free_port_from "${DEMO_PORT:-3300}")"
REPORT_DIR="${REPORT_DIR:-$REPO/target/openapi}"
mkdir -p "$REPORT_DIR"
REPORT_DIR="$(cd "$REPORT_DIR" && pwd)"
DATA_DIR="$(mktemp -d -t nanoauth-demo-openapi.XXXXXX)"
DEMO_LOG="$REPORT_DIR/demo.log"
cleanup() {
  stop_demo
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_demo "$PORT" "$DATA_DIR" "$DEMO_LOG" --danger-no-rate-limit
API="http://127.0.0.1:$PORT/api/auth"
# State-changing requests need a trusted Origin (the CSRF check); the demo
# trusts its own name and 127.0.0.1.
ORIGIN="http://127.0.0.1:$PORT"

say "GET /api/auth/openapi.json, validated as OpenAPI 3.1"
"$VENV/bin/python" - "$API/openapi.json" "$REPORT_DIR/openapi.json" <<'PY'
import json, sys, urllib.request
from openapi_spec_validator import validate
with urllib.request.urlopen(sys.argv[1]) as response:
    description = json.load(response)
validate(description)
assert description["openapi"].startswith("3.1"), description["openapi"]
operations = sum(len(item) for item in description["paths"].values())
json.dump(description, open(sys.argv[2], "w"), indent=1)
print(f"valid: {operations} operations, {len(description['components']['schemas'])} schemas")
PY

say "the reference page answers with its policy"
"$VENV/bin/python" - "$API/reference" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1]) as response:
    policy = response.headers["Content-Security-Policy"]
    page = response.read().decode()
assert policy.startswith("default-src 'none'"), policy
assert "https://" not in page and "http://" not in page
print("ok:", policy.split(";")[0], "...")
PY

# A signed-in user for the second run; the routes that would end its
# session (or the account) are left to the anonymous run.
TOKEN="$("$VENV/bin/python" - "$API/signup/email" "$ORIGIN" <<'PY'
import json, sys, urllib.request
body = json.dumps({"email": "fuzz@example.com", "password": "correct horse battery staple", "name": "Fuzz"}).encode()
request = urllib.request.Request(sys.argv[1], body, {"Content-Type": "application/json", "Origin": sys.argv[2]})
with urllib.request.urlopen(request) as response:
    print(json.load(response)["token"])
PY
)"

fuzz() { # name, extra schemathesis arguments...
  local name=$1
  shift
  say "schemathesis ($name), ${FUZZ_SECONDS:-75} s"
  # From the report dir: schemathesis keeps its cache (.schemathesis/) in
  # the working directory.
  (cd "$REPORT_DIR" && "$VENV/bin/schemathesis" run "$API/openapi.json" \
    --checks not_a_server_error,response_schema_conformance \
    --header "Origin: $ORIGIN" \
    --max-time "${FUZZ_SECONDS:-75}" \
    --workers 2 \
    --request-timeout 10 \
    --suppress-health-check all \
    --report junit --report-junit-path "$REPORT_DIR/schemathesis-$name.xml" \
    "$@")
}

status=0
fuzz anonymous || status=$?
fuzz signed-in --header "Authorization: Bearer $TOKEN" \
  --exclude-path /signout --exclude-path /sessions/revoke-others \
  --exclude-path /sessions/revoke --exclude-path /delete-user \
  --exclude-path /change-password --exclude-path /reset-password || status=$?
if [ "$status" -ne 0 ]; then
  say "schemathesis found something (status $status); the demo's log follows" >&2
  tail -n 60 "$DEMO_LOG" >&2 || true
fi
if grep -q "panicked" "$DEMO_LOG"; then
  say "the demo panicked; see $DEMO_LOG" >&2
  status=1
fi
exit "$status"
