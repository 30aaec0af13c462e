-- GET of one of the paths listed in $BENCH_PATHS, chosen at random per request.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local paths, headers = nil, nil
-- setup() runs in wrk's main Lua state; thread:set() makes the number a global of that thread's state
local threads_created = 0

function setup(thread)
  threads_created = threads_created + 1
  thread:set("thread_id", threads_created)
end

function init(args)
  paths = common.lines(os.getenv("BENCH_PATHS"))
  headers = common.headers()
  math.randomseed(os.time() + thread_id)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

done = common.report
