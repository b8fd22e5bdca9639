-- tests/bench/auth_password.lua — wrk script of tests/bench/auth: password
-- sign-ins, POST /auth/v1/token?grant_type=password for one user created
-- beforehand. Every request names another client address in
-- X-Forwarded-For (the dev stack trusts 127.0.0.1 as a proxy), as
-- different users signing in would: the per-address rate limit
-- (AUTH_RATE_LIMIT) is counted as usual but never reached.
-- Environment: BENCH_EMAIL, BENCH_PASSWORD, BENCH_APIKEY.

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local body, counter
function init(args)
  body = string.format('{"email":"%s","password":"%s"}', os.getenv("BENCH_EMAIL"),
                       os.getenv("BENCH_PASSWORD"))
  counter = 0
end

-- 10.<thread>.x.y: another address for each request
local function client_address()
  counter = counter + 1
  return string.format("10.%d.%d.%d", 100 + id, math.floor(counter / 250) % 250, counter % 250 + 1)
end

function request()
  return wrk.format("POST", "/auth/v1/token?grant_type=password", {
    ["Content-Type"] = "application/json",
    ["apikey"] = os.getenv("BENCH_APIKEY"),
    ["X-Forwarded-For"] = client_address(),
  }, body)
end
