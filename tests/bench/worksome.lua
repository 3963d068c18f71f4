-- workhooks benchmark — POST /worksome, every request a new delivery.
--
-- Worksome signs the body, so tests/bench/run writes, per wrk thread, a file
-- of "<signature> <body>" lines (BENCH_WS_BODIES with "%d" standing for
-- the thread number), each body distinct; this script sends them in order.
-- Running past the end starts again from the first line: those repeats are
-- counted ("wrapped") and make the run fail its row check, so the run
-- script makes the files long enough.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

-- The lines are read one a request, not loaded at init: loaded whole, the
-- files (about 90 MB a thread at 16 connections) took wrk 2.3 s of CPU
-- more than a file of 2,000 lines in a 4 s run against nginx's "return
-- 200", mostly before and after the timed window, and the per-part CPU of
-- the report put it all on wrk (README "Benchmark").
local file
local again = false

local function next_line()
	local l = file:read("*l")
	if l == nil then
		file:seek("set", 0)
		again = true
		l = file:read("*l")
	end
	if again then
		wrapped = wrapped + 1
	end
	return l
end

function init(args)
	local path = string.format(common.env("BENCH_WS_BODIES"), tid)
	file = assert(io.open(path, "rb"))
	if file:read(0) == nil then
		error("tests/bench: " .. path .. " is empty")
	end
end

function request()
	local l = next_line()
	local sp = l:find(" ", 1, true)
	return wrk.format("POST", nil, {
		["Content-Type"] = "application/json",
		["Signature"] = l:sub(1, sp - 1),
	}, l:sub(sp + 1))
end
