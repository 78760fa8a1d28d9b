-- Prints one machine-readable line when wrk is done, so that bench/server.sh
-- need not parse wrk's human-readable units: requests, seconds, requests per
-- second, p50 and p99 latency in microseconds, and errors of any kind
-- (connect, read, write, timeout, and statuses other than 2xx or 3xx).
--
-- With WRK_PACE_MS set, every connection waits that long after each
-- response before its next request, so that both servers get the same
-- load, below what either can serve, and their latencies compare at equal
-- load rather than at each one's limit.
local pace = tonumber(os.getenv("WRK_PACE_MS") or "")
if pace then
  delay = function()
    return pace
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT %d %.3f %.1f %.0f %.0f %d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), errors))
end
