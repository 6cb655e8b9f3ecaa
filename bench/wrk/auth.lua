-- One wrk script for every workload of bench/compare.sh, chosen by
-- environment variables (set by the script):
--   BENCH_MODE       get-session | sign-in | sign-up | mixed
--   BENCH_ORIGIN     the server's base URL, sent as Origin on POSTs
--   BENCH_SESSION    path of the session check (GET, with BENCH_COOKIE)
--   BENCH_SIGN_IN    path of the email sign-in (POST)
--   BENCH_SIGN_UP    path of the email sign-up (POST)
--   BENCH_COOKIE     the seeded user's cookie (name=value)
--   BENCH_EMAIL, BENCH_PASSWORD   the seeded user's credentials
--   BENCH_TAG        unique per run: sign-up emails are TAG-THREAD-COUNTER
-- `done` prints one RESULT line that compare.sh parses.

local mode = os.getenv("BENCH_MODE") or "get-session"
local origin = os.getenv("BENCH_ORIGIN") or ""
local cookie = os.getenv("BENCH_COOKIE") or ""
local email = os.getenv("BENCH_EMAIL") or ""
local password = os.getenv("BENCH_PASSWORD") or ""
local tag = os.getenv("BENCH_TAG") or "run"

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

local session_request
local sign_in_request
local counter = 0

local function json_post(path, body)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["Origin"] = origin,
  }, body)
end

function init(args)
  session_request = wrk.format("GET", os.getenv("BENCH_SESSION"), { ["Cookie"] = cookie })
  sign_in_request = json_post(os.getenv("BENCH_SIGN_IN"),
    string.format('{"email":"%s","password":"%s"}', email, password))
end

function request()
  counter = counter + 1
  if mode == "get-session" then
    return session_request
  elseif mode == "sign-in" then
    return sign_in_request
  elseif mode == "sign-up" then
    local body = string.format(
      '{"email":"%s-%d-%d@example.com","password":"%s","name":"Load %d"}',
      tag, thread_id or 0, counter, password, counter)
    return json_post(os.getenv("BENCH_SIGN_UP"), body)
  else -- mixed: one sign-in in ten requests, session checks otherwise
    if counter % 10 == 0 then
      return sign_in_request
    end
    return session_request
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d status_errors=%d " ..
    "timeouts=%d connect_errors=%d read_errors=%d write_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.timeout, e.connect, e.read, e.write))
end
