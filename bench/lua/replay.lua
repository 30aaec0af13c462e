-- POST /v1/orders again with the key and body of an order that exists: an idempotent replay.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local req

function init(args)
  local body = common.lines(os.getenv("BENCH_REPLAY_BODY"))[1]
  req = wrk.format("POST", "/v1/orders", common.headers({ ["Idempotency-Key"] = os.getenv("BENCH_REPLAY_KEY") }), body)
end

function request() return req end

done = common.report
