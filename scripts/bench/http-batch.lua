-- wrk: POST /v2/messages/batch with BATCH (default 10000) recipients of one body (scripts/bench-http).
local size = tonumber(os.getenv("BATCH") or "10000")
local recipients = {}
for i = 1, size do recipients[i] = string.format('"+4477009%05d"', i % 100000) end
wrk.method = "POST"
wrk.path = "/v2/messages/batch"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SHORTWAVE_API_KEY")
wrk.body = '{"from":"Shortwave","body":"Your code is 123456. It expires in 10 minutes.","to":[' .. table.concat(recipients, ",") .. ']}'
