-- wrk script: POST /v1/leads with the bearer token, each lead different (its email carries a per-thread counter),
-- spread over the demo franchise's postal codes. Summarised in the same RESULT line as health.lua.
local codes = { "78701", "78745", "75201", "77002", "33602", "32801", "30303", "85004", "80202", "80302" }
local counter = 0
local prefix = tostring(math.random(1, 1e9))

function request()
    counter = counter + 1
    local body = string.format('{"postalCode":"%s","email":"b%s-%d@example.com","source":"bench"}',
        codes[(counter % #codes) + 1], prefix, counter)
    return wrk.format("POST", "/v1/leads",
        { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer bench" }, body)
end

function done(summary, latency, requests)
    io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
        summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, summary.errors.status, summary.errors.connect + summary.errors.read
        + summary.errors.write + summary.errors.timeout))
end
