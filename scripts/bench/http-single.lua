-- wrk: one message per POST /v2/messages (scripts/bench-http).
wrk.method = "POST"
wrk.path = "/v2/messages"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SHORTWAVE_API_KEY")
wrk.body = '{"to":"+447700900123","from":"Shortwave","body":"Your code is 123456. It expires in 10 minutes."}'
