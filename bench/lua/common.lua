-- Shared by the scenario scripts: reads the key and id lists prepared by bench/run.sh and, when wrk
-- finishes, appends one JSON line with the scenario's figures to $BENCH_OUT.
local common = {}

function common.lines(path)
  local out = {}
  for line in io.lines(path) do
    if #line > 0 then out[#out + 1] = line end
  end
  return out
end

function common.headers(extra)
  local h = { ["X-API-Key"] = os.getenv("BENCH_API_KEY"), ["Content-Type"] = "application/json" }
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function common.report(summary, latency)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  local line = string.format(
    '{"scenario":"%s","connections":%s,"orders_in_table":%s,"requests":%d,"rps":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,' ..
    '"non2xx":%d,"socket_errors":%d}\n',
    os.getenv("BENCH_SCENARIO"), os.getenv("BENCH_CONNECTIONS"), os.getenv("BENCH_ORDERS_IN_TABLE"),
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout)
  local f = io.open(os.getenv("BENCH_OUT"), "a")
  f:write(line)
  f:close()
end

return common
