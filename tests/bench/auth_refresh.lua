-- tests/bench/auth_refresh.lua — wrk script of tests/bench/auth: refresh
-- grants, POST /auth/v1/token?grant_type=refresh_token. Every grant rotates
-- the refresh token, and a rotated token used again later than
-- REFRESH_TOKEN_REUSE_INTERVAL revokes its session; so no token is ever
-- sent twice: each thread keeps a pool of live tokens (sessions signed in
-- beforehand, listed one per line in BENCH_TOKENS_FILE, shared out among
-- the threads), a request takes one out, and its response puts back the
-- rotated token it carries. The pool holds more tokens than the thread has
-- connections, so it never runs dry while every grant succeeds; a failed
-- grant loses its session (and shows as non-2xx). Each request names
-- another client address (X-Forwarded-For), like auth_password.lua.
-- Environment: BENCH_TOKENS_FILE, BENCH_THREADS (wrk -t), BENCH_APIKEY.

-- setup() runs in the main script state for one thread after the other,
-- each time just before that thread starts: thread n gets every
-- BENCH_THREADS-th token from n on.
local all_tokens, threads = nil, 0
function setup(thread)
  if not all_tokens then
    all_tokens = {}
    for line in io.lines(os.getenv("BENCH_TOKENS_FILE")) do
      if line ~= "" then table.insert(all_tokens, line) end
    end
  end
  threads = threads + 1
  local share, step = {}, tonumber(os.getenv("BENCH_THREADS"))
  for i = threads, #all_tokens, step do table.insert(share, all_tokens[i]) end
  thread:set("id", threads)
  thread:set("tokens", table.concat(share, ","))
end

local pool, counter, apikey
function init(args)
  pool, counter = {}, 0
  apikey = os.getenv("BENCH_APIKEY")
  for tok in string.gmatch(tokens, "[^,]+") do table.insert(pool, tok) end
end

local function take_token()
  return table.remove(pool, 1) or "pool-ran-dry"
end

local function client_address()
  counter = counter + 1
  return string.format("10.%d.%d.%d", 200 + id, math.floor(counter / 250) % 250, counter % 250 + 1)
end

function request()
  return wrk.format("POST", "/auth/v1/token?grant_type=refresh_token", {
    ["Content-Type"] = "application/json",
    ["apikey"] = apikey,
    ["X-Forwarded-For"] = client_address(),
  }, string.format('{"refresh_token":"%s"}', take_token()))
end

function response(status, headers, body)
  if status == 200 then
    local tok = string.match(body, '"refresh_token":"([^"]+)"')
    if tok then table.insert(pool, tok) end
  end
end
