-- POST /v1/orders with a unique Idempotency-Key and 1 to 3 random lines.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local skus, prefix, counter = nil, nil, 0
-- setup() runs in wrk's main Lua state; thread:set() makes the number a global of that thread's state
local threads_created = 0

function setup(thread)
  threads_created = threads_created + 1
  thread:set("thread_id", threads_created)
end

function init(args)
  skus = common.lines(os.getenv("BENCH_SKUS"))
  prefix = string.format("%s-%d", os.getenv("BENCH_RUN_ID"), thread_id)
  math.randomseed(os.time() + thread_id)
end

function request()
  counter = counter + 1
  local items = {}
  for i = 1, math.random(1, 3) do
    items[i] = string.format('{"sku_id":"%s","quantity":1}', skus[math.random(#skus)])
  end
  local key = prefix .. "-" .. counter
  local body = '{"items":[' .. table.concat(items, ",") .. '],"merchant_reference_id":"bench-' .. key .. '"}'
  return wrk.format("POST", "/v1/orders", common.headers({ ["Idempotency-Key"] = key }), body)
end

done = common.report
