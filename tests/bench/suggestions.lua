-- workhooks benchmark — POST /updatedge/contact-suggestions.
--
-- BENCH_SUGG_BODIES: a file of request bodies, one per line, sent in turn
-- (hirers with few and many relationships, with and without a filter).
-- Signed like every updatedge request: BENCH_UE_TIMESTAMP, BENCH_UE_AUTH.
-- common.lua counts the "[]" and "[{" answers; the run script fails the
-- run when any answer was an empty array.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local reqs = {}
local i = 0

function init(args)
	local headers = {
		["Content-Type"] = "application/json",
		["Timestamp"] = common.env("BENCH_UE_TIMESTAMP"),
		["Authorization"] = common.env("BENCH_UE_AUTH"),
	}
	for _, body in ipairs(common.lines(common.env("BENCH_SUGG_BODIES"))) do
		table.insert(reqs, wrk.format("POST", nil, headers, body))
	end
	-- Threads start at different points of the list.
	i = tid % #reqs
end

function request()
	i = i % #reqs + 1
	return reqs[i]
end
