-- award.lua: the wrk script of the durable-writes benchmark (bench/run.py).
-- Each request records one award (POST /api/v1/villages/{id}/entries) for one
-- household with a fresh Idempotency-Key, as a scorer's phone would. bench/run.py
-- passes the settings as arguments after "--":
--   wrk ... -s bench/award.lua URL -- TOKEN VILLAGE RULE DEED_DATE RUN_ID H1,H2,... [nokey]
-- With "nokey" the requests carry no Idempotency-Key (to see what the key costs).
-- Households are taken round robin, spread over the threads, so no household's
-- monthly cap or row is the only thing every request waits on.

local threads = {}
local counter = 0

function setup(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end

function init(args)
	token, village, rule, deed_date, run_id = args[1], args[2], args[3], args[4], args[5]
	households = {}
	for h in string.gmatch(args[6], "%d+") do
		table.insert(households, h)
	end
	use_key = args[7] ~= "nokey"
	path = "/api/v1/villages/" .. village .. "/entries"
	counter = 0
end

function request()
	counter = counter + 1
	local h = households[((counter * 2 + tid) % #households) + 1]
	local body = '{"rule_id":' .. rule .. ',"household_ids":[' .. h ..
		'],"deed_date":"' .. deed_date .. '","note":"基准测试 bench ' .. run_id .. '"}'
	local headers = {
		["Authorization"] = "Bearer " .. token,
		["Content-Type"] = "application/json",
	}
	if use_key then
		headers["Idempotency-Key"] = "bench-" .. run_id .. "-" .. tid .. "-" .. counter
	end
	return wrk.format("POST", path, headers, body)
end
