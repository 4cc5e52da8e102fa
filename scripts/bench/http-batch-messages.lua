-- wrk: POST /v2/messages/batch with BATCH (default 10000) message objects, each its own text (scripts/bench-http).
local size = tonumber(os.getenv("BATCH") or "10000")
local entries = {}
for i = 1, size do
    entries[i] = string.format('{"to":"+4477009%05d","body":"Your code is %06d","client_ref":"c%d"}', i % 100000, i, i)
end
wrk.method = "POST"
wrk.path = "/v2/messages/batch"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SHORTWAVE_API_KEY")
wrk.body = '{"from":"Shortwave","messages":[' .. table.concat(entries, ",") .. ']}'
