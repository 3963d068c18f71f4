-- workhooks benchmark — POST /updatedge/events/timelineChanged, every
-- request a new delivery.
--
-- updatedge signs only the Timestamp header, so one Timestamp/Authorization
-- pair (BENCH_UE_TIMESTAMP, BENCH_UE_AUTH, made by tests/bench/run with
-- openssl and valid for the replay window) serves the whole run, and the
-- body varies: workerId cycles through BENCH_WORKERS worker ids (so a
-- worker's timeline changes many times, as in life) and completedAt is
-- unique per (run, thread, request), so no body repeats and none is
-- answered as a duplicate delivery.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local headers, nonce, pool, base
local n = 0

function init(args)
	headers = {
		["Content-Type"] = "application/json",
		["Timestamp"] = common.env("BENCH_UE_TIMESTAMP"),
		["Authorization"] = common.env("BENCH_UE_AUTH"),
	}
	nonce = tonumber(common.env("BENCH_NONCE")) % 100000
	pool = tonumber(os.getenv("BENCH_WORKERS") or "10000")
	base = os.time() - 86400
end

function request()
	n = n + 1
	local w = (n * 7919 + tid * 104729) % pool
	local body = string.format(
		'{"workerId":"%08x-%04x-4bbe-8bbe-%012x",' ..
		'"periodStart":"2020-01-31T09:00:00+00:00",' ..
		'"periodEnd":"2020-01-31T17:00:00+00:00",' ..
		'"completedAt":"%s.%02d%05d+00:00"}',
		nonce, tid, w,
		os.date("!%Y-%m-%dT%H:%M:%S", base + n), tid % 100, nonce)
	return wrk.format("POST", nil, headers, body)
end
