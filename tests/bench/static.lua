-- workhooks benchmark — the same request again and again: the ceilings
-- (nginx "return 200", the no-op FastCGI responder) and the read-only
-- endpoints.  BENCH_METHOD (GET or POST), BENCH_BODY_FILE (optional: the
-- body, sent as application/json), path from wrk's URL.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local req

function init(args)
	local method = common.env("BENCH_METHOD")
	local path = os.getenv("BENCH_BODY_FILE")
	local body, headers = nil, {}
	if path ~= nil and path ~= "" then
		local f = assert(io.open(path, "rb"))
		body = f:read("*a")
		f:close()
		headers["Content-Type"] = "application/json"
	end
	req = wrk.format(method, nil, headers, body)
end

function request()
	return req
end
