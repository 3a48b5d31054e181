-- post.lua — the wrk script of bench/http_libs.sh: each connection POSTs the
-- claims of a JSON Lines file to /v1/check, one claim a request, round robin
-- (each wrk thread starts at another place in the file).  The environment
-- names the file, HB_CLAIMS, and, to pace the requests, HB_RATE (requests a
-- second in all) and HB_CONNS (wrk's -c).  Paced requests go through wrk's
-- delay() hook (Debian's wrk 4.1 is not wrk2): each connection waits
-- CONNECTIONS*1000/RATE ms before each request, the fraction of a ms carried
-- over so that the mean is exact; a paced rate is a ceiling, since the wait
-- comes on top of the answer's own latency.  At the end one line:
-- RESULT requests seconds errors p50_us p99_us p999_us max_us

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local reqs = {}
local next_req = 1
local carry = 0

local path = assert(os.getenv("HB_CLAIMS"), "HB_CLAIMS is not set")
local rate = tonumber(os.getenv("HB_RATE") or "")

function init(args)
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    if #line > 0 then
      reqs[#reqs + 1] = wrk.format("POST", "/v1/check",
        { ["Content-Type"] = "application/json" }, line)
    end
  end
  f:close()
  assert(#reqs > 0, "no claims in " .. path)
  next_req = (id * 7919) % #reqs + 1
end

function request()
  local r = reqs[next_req]
  next_req = next_req % #reqs + 1
  return r
end

-- wrk looks for delay() once, when it loads the script: define it only when
-- pacing, so that an unpaced run has no timer between requests
if rate then
  local conns = assert(os.getenv("HB_CONNS"), "HB_CONNS is not set")
  local wait_ms = tonumber(conns) * 1000 / rate
  function delay()
    -- wrk takes whole milliseconds: carry the fraction to the next request
    carry = carry + wait_ms
    local d = math.floor(carry)
    carry = carry - d
    return d
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("RESULT %d %.3f %d %d %d %d %d\n", summary.requests,
    summary.duration / 1e6, errors, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
