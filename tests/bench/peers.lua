-- tests/bench/peers.lua — wrk script of tests/bench/peers: the GraphQL
-- requests PostGraphile answers, equivalent to tests/bench/rest.lua's.
-- BENCH_MODE picks the request: "pk" (one row by primary key, a random id,
-- every column), "list" (20 rows of a random category, ordered by score,
-- three columns) or "insert" (create one row and select nothing of it, as
-- Prefer: return=minimal). Every request carries the bench user's JWT
-- (BENCH_JWT); BENCH_ROWS is the table's row count.

local mode, rows, bearer

local PK = 'query($id: BigInt!) { benchRestItemByRowId(rowId: $id) '
  .. '{ rowId owner category score title createdAt } }'
local LIST = 'query($c: Int!) { allBenchRestItems(condition: {category: $c}, '
  .. 'orderBy: SCORE_DESC, first: 20) { nodes { rowId title score } } }'
local INSERT = 'mutation($i: BenchRestItemInput!) { '
  .. 'createBenchRestItem(input: {benchRestItem: $i}) { clientMutationId } }'

function init(args)
  mode = os.getenv("BENCH_MODE")
  rows = tonumber(os.getenv("BENCH_ROWS"))
  bearer = "Bearer " .. os.getenv("BENCH_JWT")
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local headers = { ["Authorization"] = bearer, ["Content-Type"] = "application/json" }
  local body
  if mode == "pk" then
    body = string.format('{"query":"%s","variables":{"id":"%d"}}', PK, math.random(1, rows))
  elseif mode == "list" then
    body = string.format('{"query":"%s","variables":{"c":%d}}', LIST, math.random(0, 99))
  else
    body = string.format('{"query":"%s","variables":{"i":{"category":%d,"score":%d,"title":"posted"}}}',
      INSERT, math.random(0, 99), math.random(0, 99999))
  end
  return wrk.format("POST", "/graphql", headers, body)
end
