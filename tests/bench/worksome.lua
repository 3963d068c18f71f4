-- workhooks benchmark — POST /worksome, every request a new delivery.
--
-- Worksome signs the body, so tests/bench/run writes, per wrk thread, a file
-- of "<signature> <body>" lines (BENCH_WS_BODIES with "%d" standing for
-- the thread number), each body distinct; this script sends them in order.
-- Running past the end starts again from the first line: those repeats are
-- counted ("wrapped") and make the run fail its row check, so the run
-- script makes the files long enough.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local sigs, bodies = {}, {}
local i, sent = 0, 0

function init(args)
	local path = string.format(common.env("BENCH_WS_BODIES"), tid)
	for _, l in ipairs(common.lines(path)) do
		local sp = l:find(" ", 1, true)
		table.insert(sigs, l:sub(1, sp - 1))
		table.insert(bodies, l:sub(sp + 1))
	end
end

function request()
	i = i % #bodies + 1
	sent = sent + 1
	if sent > #bodies then
		wrapped = wrapped + 1
	end
	return wrk.format("POST", nil, {
		["Content-Type"] = "application/json",
		["Signature"] = sigs[i],
	}, bodies[i])
end
