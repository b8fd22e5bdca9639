-- tests/bench/rest.lua — wrk script of tests/bench/rest. BENCH_MODE picks
-- the request: "pk" (GET one row by primary key, a random id), "list" (GET
-- 20 rows of a random category, ordered by score) or "insert" (POST one
-- row, Prefer: return=minimal as supabase-js sends it without .select()).
-- Every request carries the apikey and the bench user's JWT (BENCH_APIKEY,
-- BENCH_JWT); BENCH_TABLE names the table, BENCH_ROWS its row count.

local mode, table_name, rows, apikey, bearer

function init(args)
  mode = os.getenv("BENCH_MODE")
  table_name = os.getenv("BENCH_TABLE")
  rows = tonumber(os.getenv("BENCH_ROWS"))
  apikey = os.getenv("BENCH_APIKEY")
  bearer = "Bearer " .. os.getenv("BENCH_JWT")
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local headers = { ["apikey"] = apikey, ["Authorization"] = bearer }
  if mode == "pk" then
    return wrk.format("GET", string.format("/rest/v1/%s?select=*&id=eq.%d", table_name,
      math.random(1, rows)), headers)
  elseif mode == "list" then
    return wrk.format("GET", string.format(
      "/rest/v1/%s?select=id,title,score&category=eq.%d&order=score.desc&limit=20",
      table_name, math.random(0, 99)), headers)
  end
  headers["Content-Type"] = "application/json"
  headers["Prefer"] = "return=minimal"
  return wrk.format("POST", "/rest/v1/" .. table_name, headers, string.format(
    '{"category":%d,"score":%d,"title":"posted"}', math.random(0, 99), math.random(0, 99999)))
end
