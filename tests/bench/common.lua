-- workhooks benchmark — what every wrk script shares (tests/bench/run).
--
-- A target script loads this file with dofile() and gets back a table; it
-- defines wrk's request() itself and leaves setup/init/response/done to the
-- functions installed here:
--
--   setup(thread)   numbers the threads (tid 1..n) and keeps them so that
--                   done() can read their counters
--   response()      counts 2xx answers (ok), others (bad), and, for a JSON
--                   array answer, empty ("[]") and non-empty ("[{") ones
--   done()          prints one machine-readable line, parsed by the run
--                   script:
--                   WRKRESULT requests=.. ok=.. bad=.. ... p50_us=.. p99_us=..
--
-- wrk runs setup() and done() in its main Lua state and init(), request()
-- and response() in one state per thread, so counters are thread globals
-- read back with thread:get().

local M = {}
local threads = {}

-- Thread globals (per wrk thread).
tid = 0
ok = 0
bad = 0
arrays = 0
empty = 0
wrapped = 0

function setup(thread)
	table.insert(threads, thread)
	thread:set("tid", #threads)
end

function response(status, headers, body)
	if status >= 200 and status < 300 then
		ok = ok + 1
		if body ~= nil then
			local head = body:sub(1, 2)
			if head == "[]" then
				empty = empty + 1
			elseif head == "[{" then
				arrays = arrays + 1
			end
		end
	else
		bad = bad + 1
	end
end

function done(summary, latency, requests)
	local sum = { ok = 0, bad = 0, arrays = 0, empty = 0, wrapped = 0 }
	for _, t in ipairs(threads) do
		for k in pairs(sum) do
			sum[k] = sum[k] + (t:get(k) or 0)
		end
	end
	local e = summary.errors
	io.write(string.format(
		"WRKRESULT requests=%d duration_us=%d ok=%d bad=%d arrays=%d empty=%d wrapped=%d " ..
		"connect=%d read=%d write=%d timeout=%d status=%d " ..
		"p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%d\n",
		summary.requests, summary.duration, sum.ok, sum.bad, sum.arrays, sum.empty, sum.wrapped,
		e.connect, e.read, e.write, e.timeout, e.status,
		latency:percentile(50), latency:percentile(90), latency:percentile(99),
		latency.max, latency.mean))
end

-- M.env(name): a required environment variable (set by tests/bench/run).
function M.env(name)
	local v = os.getenv(name)
	if v == nil or v == "" then
		error("tests/bench: " .. name .. " is not set (run through tests/bench/run)")
	end
	return v
end

-- M.lines(path): the lines of a file, as an array.
function M.lines(path)
	local t = {}
	for l in io.lines(path) do
		table.insert(t, l)
	end
	if #t == 0 then
		error("tests/bench: " .. path .. " is empty")
	end
	return t
end

return M
