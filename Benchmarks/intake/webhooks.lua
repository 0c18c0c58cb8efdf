-- wrk script: POSTs the pre-signed webhooks of WEBHOOKS_FILE, each once (distinct webhookIds), and reports
-- non-2xx answers. With RATE (requests/s over all connections) requests are sent open-loop, as independent
-- arrivals (a Poisson process, as webhooks from many sources arrive) at that mean rate: each send is scheduled on
-- one clock shared by the thread's connections, so the rate does not sag by the response time and connections do
-- not fall into step (a per-connection pause after each answer sends them in synchronised bursts).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } switchboard_timespec;
int clock_gettime(int clock, switchboard_timespec *time);
]]
local timespec = ffi.new("switchboard_timespec")
local function now_ms()
    ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
    return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end
local next_send = nil
local bodies, signatures = {}, {}
local next_index, count = 1, 0
local rate = tonumber(os.getenv("RATE") or "0")
local wrong_signatures = os.getenv("WRONG_SIGNATURES") == "1"
local thread_count = tonumber(os.getenv("THREADS") or "1")
local threads = {}

function setup(thread)
    thread:set("id", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    -- Each thread takes every THREADS-th line, so no webhook is sent twice.
    local line_number = 0
    for line in io.lines(os.getenv("WEBHOOKS_FILE")) do
        if line_number % thread_count == (id - 1) then
            local tab = line:find("\t")
            table.insert(signatures, line:sub(1, tab - 1))
            table.insert(bodies, line:sub(tab + 1))
        end
        line_number = line_number + 1
    end
    count = #bodies
    non2xx = 0
    exhausted = 0
end

function request()
    if next_index > count then
        exhausted = exhausted + 1
        next_index = 1
    end
    local i = next_index
    next_index = next_index + 1
    -- With WRONG_SIGNATURES each body carries the next one's signature: the service verifies and refuses (401),
    -- storing nothing, which measures what verification alone allows.
    local signature = wrong_signatures and signatures[(i % count) + 1] or signatures[i]
    return wrk.format("POST", "/webhooks/ghl",
        {["Content-Type"] = "application/json", ["x-ghl-signature"] = signature}, bodies[i])
end

function delay()
    if rate <= 0 then return 0 end
    local now = now_ms()
    next_send = math.max(next_send or now, now - 1000) -- a late schedule catches up, but by at most a second
    -- Exponential gaps with mean 1/rate (this thread's share of RATE).
    next_send = next_send - math.log(1 - math.random()) * 1000 * thread_count / rate
    return math.max(0, next_send - now)
end

function response(status, headers, body)
    if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
    local bad, wrapped = 0, 0
    for _, thread in ipairs(threads) do
        bad = bad + thread:get("non2xx")
        wrapped = wrapped + thread:get("exhausted")
    end
    io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d reused_files=%d\n",
        summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, bad, summary.errors.connect + summary.errors.read + summary.errors.write
        + summary.errors.timeout + summary.errors.status, wrapped))
end
