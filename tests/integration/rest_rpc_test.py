#!/usr/bin/env python3
"""Integration tests of /rest/v1/rpc/{function} and of the OpenAPI document
(GET /rest/v1/) through the running stack (.dev/env): scalar, set-returning,
table-returning, single composite and void functions over POST, GET and
HEAD; select, filters, order, limit, Range, counts and object responses on
set results; overloads chosen by argument names, defaults, a single unnamed
json argument, Prefer: params=single-object, variadic and array arguments;
VOLATILE over GET (405), unknown functions and argument sets (404
PGRST202); a SECURITY INVOKER function reading auth.uid() under row-level
security as anon, user A, user B and service_role; a function created,
replaced and dropped without a restart; hostile input (names with quotes
and semicolons, values with ' \\ %, NUL, huge and malformed bodies, wrong
types) that gets a clear 4xx and leaves the database unchanged; and the
OpenAPI document: valid Swagger 2.0 (a structural validator here, and
python3-swagger-spec-validator, which scripts/dev installs), its
definitions, key notes, paths, verbs by privilege and rpc paths.

The fixture (tables and functions rr_* in schema public) is created with
psql as the superuser of DATABASE_URL and dropped at the end. User tokens
are minted with JWT_SECRET. Prints one line per check and ends with
"N passed, N failed"; exits non-zero when a check failed. Python 3
standard library only (the Debian validator runs in a subprocess)."""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from harness import SERVICE, call, check, psql, qs, user_token, run_suite


USER_A = str(uuid.uuid4())
USER_B = str(uuid.uuid4())


TOKEN_A = user_token(USER_A)
TOKEN_B = user_token(USER_B)


def fn_path(name):
    return "/rpc/" + urllib.parse.quote(name, safe="")


def post(name, args=None, raw=None, query="", **kw):
    body = raw if raw is not None else json.dumps(args if args is not None else {})
    return call(fn_path(name), query, method="POST", body=body, **kw)


def get(name, query="", **kw):
    return call(fn_path(name), query, **kw)


# ------------------------------------------------------------------ fixture

DROP = """
do $$ declare f regprocedure; begin
  for f in select p.oid::regprocedure from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname = 'public' and p.proname like 'rr\\_%' loop
    execute 'drop function ' || f::text || ' cascade';
  end loop;
end $$;
drop table if exists rr_item_tags, rr_items, rr_notes, rr_log, rr_private, rr_canary cascade;
"""

FIXTURE = DROP + """
create table rr_items (id int primary key, name text not null, price numeric default 0,
  tags text[]);
insert into rr_items values (1, 'apple', 1.5, '{fruit}'), (2, 'bread', 3, '{}'),
  (3, 'cheese', 7.25, '{dairy,aged}'), (4, 'dates', 4, null);
create table rr_item_tags (item_id int references rr_items(id), tag varchar(20) not null,
  primary key (item_id, tag));
create table rr_notes (id int primary key, owner uuid, body text);
insert into rr_notes values (1, 'USER_A', 'a1'), (2, 'USER_A', 'a2'), (3, 'USER_B', 'b1'),
  (4, null, 'public');
alter table rr_notes enable row level security;
create policy rr_notes_anon on rr_notes for select to anon using (owner is null);
create policy rr_notes_users on rr_notes for select to authenticated
  using (owner = auth.uid() or owner is null);
create table rr_log (id serial primary key, msg text);
create table rr_private (id int primary key);
create table rr_canary (id int primary key);
insert into rr_canary values (1);
revoke all on rr_items, rr_item_tags, rr_notes, rr_log, rr_private, rr_canary
  from anon, authenticated;
grant select on rr_items, rr_item_tags, rr_notes, rr_canary to anon, authenticated, service_role;
grant select, insert on rr_log to anon, authenticated, service_role;
grant usage on sequence rr_log_id_seq to anon, authenticated, service_role;
revoke all on rr_private from anon, authenticated;
grant all on rr_private to service_role;

create function rr_add(a int, b int default 1) returns int
  language sql immutable as $$ select a + b $$;
create function rr_add(a text, b text, c text) returns text
  language sql immutable as $$ select a || b || c $$;
create function rr_series(n int) returns setof int
  language sql stable as $$ select generate_series(1, n) $$;
create function rr_items_from(min_id int default 1) returns setof rr_items
  language sql stable as $$ select * from rr_items where id >= min_id order by id $$;
create function rr_tab(n int) returns table (x int, y text)
  language sql stable as $$ select i, 'v' || i from generate_series(1, n) as i $$;
create function rr_one_item(item_id int) returns rr_items
  language sql stable as $$ select * from rr_items where id = item_id $$;
create function rr_void_log(msg text) returns void
  language sql volatile as $$ insert into rr_log (msg) values (msg) $$;
create function rr_touch() returns int
  language sql volatile as $$ select 1 $$;
create function rr_echo(json) returns json
  language sql stable as $$ select $1 $$;
create function rr_keys(payload jsonb) returns text[]
  language sql stable as $$ select array(select jsonb_object_keys(payload) order by 1) $$;
create function rr_my_notes() returns setof rr_notes
  language sql stable security invoker as $$ select * from rr_notes order by id $$;
create function rr_whoami() returns json
  language sql stable as $$ select json_build_object('uid', auth.uid(), 'role', current_user) $$;
create function rr_text(t text) returns text
  language sql immutable as $$ select t $$;
create function rr_sum(variadic nums int[]) returns int
  language sql immutable as $$ select sum(x)::int from unnest(nums) as x $$;
create function rr_len(xs int[]) returns int
  language sql immutable as $$ select coalesce(array_length(xs, 1), 0) $$;
create function rr_fail() returns int
  language plpgsql stable as $$ begin raise exception 'rr_fail was called'; end $$;
create function rr_private_count() returns bigint
  language sql stable as $$ select count(*) from rr_private $$;
create function "rr_we""ird; fn"("x""y" text) returns text
  language sql immutable as $$ select 'odd:' || "x""y" $$;
""".replace("USER_A", USER_A).replace("USER_B", USER_B)

TABLES = ["rr_items", "rr_item_tags", "rr_notes", "rr_log", "rr_private", "rr_canary"]


def wait_until(predicate, attempts=50, pause=0.2):
    for _ in range(attempts):
        if predicate():
            return True
        time.sleep(pause)
    return False


def setup():
    psql(FIXTURE)
    # the event trigger makes every worker reload its catalog; wait until
    # the functions answer on every worker
    wait_until(lambda: all(get("rr_series", "n=1").status == 200 for _ in range(6)))


def teardown():
    psql(DROP)


def table_counts():
    return psql("select " + ", ".join("(select count(*) from %s)" % t for t in TABLES))


# ------------------------------------------------------------------ RPC

def test_scalar():
    r = post("rr_add", {"a": 2, "b": 3})
    check("POST scalar: bare value", r.status == 200 and r.json == 5 and r.text.strip() == "5", r)
    check("scalar: application/json", (r.header("Content-Type") or "").startswith(
        "application/json"), r.header("Content-Type"))
    r = post("rr_add", {"a": 2})
    check("POST: an argument with a default may be omitted", r.status == 200 and r.json == 3, r)
    r = get("rr_add", "a=40&b=2")
    check("GET scalar with query arguments", r.status == 200 and r.json == 42, r)
    r = post("rr_add", {"a": "x", "b": "y", "c": "z"})
    check("overload chosen by argument names", r.status == 200 and r.json == "xyz", r)
    r = post("rr_add", {"a": "7"})
    check("a JSON string converts to the argument's type", r.status == 200 and r.json == 8, r)
    r = get("rr_whoami", token=TOKEN_A)
    check("json result as is", r.status == 200 and r.json == {"uid": USER_A,
                                                              "role": "authenticated"}, r)
    r = post("rr_add", raw="", headers={"Content-Type": "application/json"})
    check("empty body is no arguments (404 here: a is required)", r.status == 404
          and r.code() == "PGRST202", r)
    r = post("rr_text", {"t": None})
    check("JSON null argument: SQL NULL, null result", r.status == 200 and r.text.strip() == "null",
          r)


def test_sets():
    r = get("rr_series", "n=3")
    check("set of values: JSON array", r.status == 200 and r.json == [1, 2, 3], r)
    r = get("rr_series", "n=1")
    check("set of one value is still an array", r.status == 200 and r.json == [1], r)
    r = get("rr_series", "n=0")
    check("empty set: []", r.status == 200 and r.json == [], r)
    r = get("rr_series", "n=6&rr_series=gt.2&order=rr_series.desc&limit=2")
    check("filter, order and limit on a set of values", r.status == 200 and r.json == [6, 5], r)
    r = post("rr_items_from", {"min_id": 2}, query="select=id,name&price=gt.3&order=id.desc")
    check("select, filter, order on a set of rows",
          r.status == 200 and r.json == [{"id": 4, "name": "dates"}, {"id": 3, "name": "cheese"}], r)
    r = get("rr_items_from", "select=id&limit=2&offset=1")
    check("limit/offset on a set of rows (defaults omitted)",
          r.status == 200 and r.json == [{"id": 2}, {"id": 3}], r)
    r = get("rr_items_from", "select=id", headers={"Range": "0-1", "Prefer": "count=exact"})
    check("Range header and count=exact: 206, Content-Range 0-1/4",
          r.status == 206 and r.json == [{"id": 1}, {"id": 2}]
          and r.header("Content-Range") == "0-1/4", (r, r.header("Content-Range")))
    r = post("rr_items_from", {}, query="select=id,name,tags&tags=cs.{dairy}")
    check("array operators on a set result",
          r.status == 200 and [x["id"] for x in r.json] == [3], r)
    r = get("rr_items_from", "select=id,rr_item_tags(tag)&id=eq.1")
    check("embedding from a function returning a table's rows",
          r.status == 200 and r.json == [{"id": 1, "rr_item_tags": [{"tag": "red"}]}], r)
    r = get("rr_tab", "n=3&x=gte.2")
    check("RETURNS TABLE: rows with its columns, filtered",
          r.status == 200 and r.json == [{"x": 2, "y": "v2"}, {"x": 3, "y": "v3"}], r)
    r = get("rr_tab", "n=3&nope=eq.1")
    check("unknown column on a set result: 400 42703", r.status == 400 and r.code() == "42703", r)
    r = get("rr_tab", "n=2", headers={"Accept": "text/csv"})
    check("CSV of a set result", r.status == 200 and r.text == "x,y\n1,v1\n2,v2", r)


def test_objects():
    r = get("rr_one_item", "item_id=2")
    check("single composite: an object", r.status == 200 and isinstance(r.json, dict)
          and r.json["name"] == "bread", r)
    r = get("rr_one_item", "item_id=2&select=name")
    check("select on a single composite", r.status == 200 and r.json == {"name": "bread"}, r)
    obj = {"Accept": "application/vnd.pgrst.object+json"}
    r = get("rr_items_from", "id=eq.3&select=id,name", headers=obj)
    check("object accept on a set of one row",
          r.status == 200 and r.json == {"id": 3, "name": "cheese"}, r)
    r = get("rr_items_from", "select=id", headers=obj)
    check("object accept on several rows: 406 PGRST116",
          r.status == 406 and r.code() == "PGRST116", r)
    r = get("rr_add", "a=1", headers=obj)
    check("object accept on a scalar: the value", r.status == 200 and r.json == 2, r)


def test_void_and_volatile():
    before = psql("select count(*) from rr_log")
    r = post("rr_void_log", {"msg": "hello"})
    check("void function: 204 without body", r.status == 204 and r.text == "", r)
    check("void function ran (one row logged)",
          int(psql("select count(*) from rr_log")) == int(before) + 1, before)
    r = get("rr_touch")
    check("VOLATILE over GET: 405 JSON PGRST101 with Allow: POST",
          r.status == 405 and r.code() == "PGRST101" and "error" in r.json
          and r.header("Allow") == "POST", (r, r.header("Allow")))
    r = call(fn_path("rr_touch"), method="HEAD")
    check("VOLATILE over HEAD: 405", r.status == 405, r)
    r = get("rr_void_log", "msg=x")
    check("VOLATILE void over GET: 405, nothing logged",
          r.status == 405 and int(psql("select count(*) from rr_log")) == int(before) + 1, r)
    r = post("rr_touch")
    check("VOLATILE over POST: 200", r.status == 200 and r.json == 1, r)
    r = call(fn_path("rr_series"), "n=3", method="HEAD", headers={"Prefer": "count=exact"})
    check("HEAD on a STABLE set: 200, no body, Content-Range 0-2/3",
          r.status == 200 and r.text == "" and r.header("Content-Range") == "0-2/3",
          (r, r.header("Content-Range")))
    r = call(fn_path("rr_add"), method="PATCH", body="{}")
    check("PATCH on /rpc: 405", r.status == 405, r)


def test_json_arguments():
    r = post("rr_echo", raw='[1, {"a": [true, null]}]')
    check("single unnamed json argument takes the whole body (array)",
          r.status == 200 and r.json == [1, {"a": [True, None]}], r)
    r = post("rr_echo", {"any": "keys", "n": 1})
    check("single unnamed json argument takes the whole body (object)",
          r.status == 200 and r.json == {"any": "keys", "n": 1}, r)
    r = post("rr_keys", {"b": 1, "a": 2}, headers={"Prefer": "params=single-object"})
    check("Prefer: params=single-object passes the body to the jsonb argument",
          r.status == 200 and r.json == ["a", "b"], r)
    r = post("rr_keys", {"b": 1, "a": 2})
    check("without params=single-object the keys are argument names: 404",
          r.status == 404 and r.code() == "PGRST202", r)
    r = post("rr_sum", {"nums": [1, 2, 3]})
    check("variadic argument from a JSON array", r.status == 200 and r.json == 6, r)
    r = get("rr_sum", "nums=1&nums=2")
    check("variadic argument repeated in the query", r.status == 200 and r.json == 3, r)
    r = post("rr_len", {"xs": [5, 6, 7]})
    check("array argument from a JSON array", r.status == 200 and r.json == 3, r)
    r = get("rr_len", "xs={5,6}")
    check("array argument from an array literal in the query", r.status == 200 and r.json == 2, r)


def test_errors():
    r = post("rr_nope", {"x": 1})
    check("unknown function: 404 PGRST202 naming it",
          r.status == 404 and r.code() == "PGRST202" and "public.rr_nope(x)" in r.json["message"]
          and "error" in r.json, r)
    r = post("rr_ad", {"a": 1})
    check("unknown function: hint names a close one",
          r.status == 404 and r.json.get("hint") == "Perhaps you meant to call the function "
          "public.rr_add", r)
    r = post("rr_add", {"a": 1, "z": 2})
    check("unknown argument set: 404 with the overload as hint",
          r.status == 404 and r.code() == "PGRST202" and "rr_add(a, b)" in (r.json["hint"] or ""),
          r)
    r = post("rr_add", {"b": 1})
    check("missing required argument: 404", r.status == 404 and r.code() == "PGRST202", r)
    r = post("rr_add", {"a": "abc"})
    check("wrong type: 400 22P02", r.status == 400 and r.code() == "22P02", r)
    r = get("rr_add", "a=1.5")
    check("wrong type over GET: 400 22P02", r.status == 400 and r.code() == "22P02", r)
    r = post("rr_len", {"xs": "nope"})
    check("wrong array literal: 400", r.status == 400, r)
    r = post("rr_add", raw="[1, 2]")
    check("array body for named arguments: 400 PGRST102",
          r.status == 400 and r.code() == "PGRST102", r)
    r = post("rr_add", raw='{"a": 1,')
    check("malformed JSON: 400 PGRST102", r.status == 400 and r.code() == "PGRST102", r)
    r = post("rr_add", raw="a=1", headers={"Content-Type": "text/plain"})
    check("non-JSON Content-Type: 415 PGRST107", r.status == 415 and r.code() == "PGRST107", r)
    r = get("rr_fail")
    check("exception raised in the function: 400 P0001 with its message",
          r.status == 400 and r.code() == "P0001" and r.json["message"] == "rr_fail was called", r)
    r = get("rr_series", "n=1", headers={"Accept-Profile": "nope"})
    check("unknown profile: 406", r.status == 406, r)


def test_row_level_security():
    def note_ids(token=None):
        r = get("rr_my_notes", "select=id", token=token)
        return r.status, [x["id"] for x in r.json] if isinstance(r.json, list) else r
    check("SECURITY INVOKER under RLS: anon sees the public note", note_ids() == (200, [4]),
          note_ids())
    check("user A sees hers and the public one", note_ids(TOKEN_A) == (200, [1, 2, 4]),
          note_ids(TOKEN_A))
    check("user B sees his and the public one", note_ids(TOKEN_B) == (200, [3, 4]),
          note_ids(TOKEN_B))
    check("service_role sees every note", note_ids(SERVICE) == (200, [1, 2, 3, 4]),
          note_ids(SERVICE))
    r = get("rr_whoami", token=TOKEN_B)
    check("auth.uid() inside the function is the caller's",
          r.status == 200 and r.json == {"uid": USER_B, "role": "authenticated"}, r)
    r = get("rr_whoami")
    check("anon: no uid, role anon", r.status == 200 and r.json == {"uid": None, "role": "anon"}, r)
    r = get("rr_private_count")
    check("no privilege on what the function reads, as anon: 401 42501",
          r.status == 401 and r.code() == "42501", r)
    r = get("rr_private_count", token=TOKEN_A)
    check("... as a user: 403 42501", r.status == 403 and r.code() == "42501", r)
    r = get("rr_private_count", token=SERVICE)
    check("... as service_role: 200", r.status == 200 and r.json == 0, r)
    psql("revoke execute on function rr_touch() from public, anon, authenticated")
    r = post("rr_touch", token=TOKEN_A)
    check("no EXECUTE privilege: 403 42501", r.status == 403 and r.code() == "42501", r)
    r = post("rr_touch", token=SERVICE)
    check("service_role may still execute it", r.status == 200, r)


def test_catalog_refresh():
    psql("create function rr_fresh() returns text language sql stable as $$ select 'one' $$")
    ok = wait_until(lambda: all(get("rr_fresh").json == "one" for _ in range(6)), 25)
    check("CREATE FUNCTION is served without a restart", ok, get("rr_fresh"))
    psql("create function rr_fresh(n int) returns text language sql stable "
         "as $$ select 'two:' || n $$")
    ok = wait_until(lambda: all(get("rr_fresh", "n=2").json == "two:2" for _ in range(6)), 25)
    check("a new overload is served without a restart", ok, get("rr_fresh", "n=2"))
    psql("drop function rr_fresh(); drop function rr_fresh(int)")
    ok = wait_until(lambda: all(get("rr_fresh").status == 404 for _ in range(6)), 25)
    check("DROP FUNCTION is noticed: 404", ok, get("rr_fresh"))


def test_hostile_input():
    before = table_counts()
    for value in ["it's", "back\\slash", "50% off", "'); drop table rr_canary; --", "ünï €",
                  "a\nb\tc", '"quoted"', "{curly}", "semi;colon"]:
        r = post("rr_text", {"t": value})
        g = get("rr_text", qs([("t", value)]))
        check("value %r round-trips over POST and GET" % value,
              r.status == 200 and r.json == value and g.status == 200 and g.json == value, (r, g))
    r = post("rr_we\"ird; fn", {"x\"y": "v"})
    check("function and argument names with quotes and semicolons",
          r.status == 200 and r.json == "odd:v", r)
    for name in ["rr_add\"; drop table rr_canary; --", "rr_add'", "rr_add;", "pg_sleep",
                 "../rr_add", "ñame"]:
        r = post(name, {"a": 1})
        check("hostile function name %r: 404 JSON" % name,
              r.status == 404 and isinstance(r.json, dict) and "error" in r.json, r)
    r = post("rr_text", {"t\"; drop table rr_canary; --": "x"})
    check("hostile argument name: 404 JSON", r.status == 404 and r.code() == "PGRST202", r)
    r = post("rr_text", raw='{"t": "a\\u0000b"}')
    check("NUL escape in a JSON string: 4xx", 400 <= r.status < 500, r)
    r = post("rr_text", raw='{"t": "a\x00b"}')
    check("raw NUL byte in the body: 400", r.status == 400, r)
    r = get("rr_text", "t=a%00b")
    check("NUL in a query argument: 400", r.status == 400, r)
    big = "x" * (2 * 1024 * 1024)
    r = post("rr_text", {"t": big})
    check("2 MiB argument round-trips", r.status == 200 and r.json == big,
          (r.status, len(r.text)))
    r = post("rr_text", raw='{"t": "' + "y" * (11 * 1024 * 1024) + '"}')
    check("body over REST_MAX_BODY: 413", r.status == 413, r)
    r = post("rr_echo", raw="[" * 5000 + "]" * 5000)
    check("deeply nested JSON: 4xx", 400 <= r.status < 500, r)
    many = {"k%d" % i: i for i in range(5000)}
    r = post("rr_add", many)
    check("5,000 unknown arguments: 404", r.status == 404, (r.status, r.text[:200]))
    r = get("rr_add", "&".join("a%d=1" % i for i in range(2000)))
    check("2,000 query arguments: 4xx", 400 <= r.status < 500, (r.status, r.text[:200]))
    check("hostile input left the database unchanged", table_counts() == before,
          (before, table_counts()))
    r = call("/rr_canary", "select=id")
    check("the canary table is still there", r.status == 200 and r.json == [{"id": 1}], r)


# ---------------------------------------------------------------- OpenAPI

HTTP_VERBS = {"get", "put", "post", "delete", "options", "head", "patch"}
PARAM_IN = {"query", "header", "path", "formData", "body"}
SCHEMA_TYPES = {"integer", "number", "boolean", "string", "array", "object", "file"}


def resolve(doc, ref):
    expect_ok = isinstance(ref, str) and ref.startswith("#/")
    if not expect_ok:
        raise ValueError("not a local reference: %r" % ref)
    node = doc
    for part in ref[2:].split("/"):
        part = urllib.parse.unquote(part).replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise ValueError("unresolved reference %r" % ref)
        node = node[part]
    return node


def all_refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from all_refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from all_refs(v)


def validate_schema(doc, schema, where, errors):
    if "$ref" in schema:
        return
    t = schema.get("type")
    if t is not None and t not in SCHEMA_TYPES:
        errors.append("%s: type %r" % (where, t))
    if t == "array" and not isinstance(schema.get("items"), dict):
        errors.append("%s: array without items" % where)
    req = schema.get("required")
    if req is not None:
        props = schema.get("properties", {})
        if not req or len(set(req)) != len(req) or any(r not in props for r in req):
            errors.append("%s: bad required %r" % (where, req))
    for name, prop in schema.get("properties", {}).items():
        validate_schema(doc, prop, "%s.%s" % (where, name), errors)


def validate_parameter(doc, p, where, errors):
    if "$ref" in p:
        p = resolve(doc, p["$ref"])
    if not p.get("name") or p.get("in") not in PARAM_IN:
        errors.append("%s: parameter without name/in: %r" % (where, p))
        return None
    if p["in"] == "body":
        if not isinstance(p.get("schema"), dict):
            errors.append("%s: body parameter without schema" % where)
        else:
            validate_schema(doc, p["schema"], where + " body", errors)
    elif p.get("type") not in SCHEMA_TYPES - {"object"}:
        errors.append("%s: parameter %s without a simple type" % (where, p["name"]))
    elif p["type"] == "array" and "items" not in p:
        errors.append("%s: array parameter without items" % where)
    if "enum" in p and (not p["enum"] or len(set(p["enum"])) != len(p["enum"])):
        errors.append("%s: bad enum" % where)
    return (p["name"], p["in"])


def validate_operation(doc, op, where, errors):
    seen = set()
    bodies = 0
    for p in op.get("parameters", []):
        key = validate_parameter(doc, p, where, errors)
        if key in seen:
            errors.append("%s: duplicate parameter %r" % (where, key))
        seen.add(key)
        bodies += key is not None and key[1] == "body"
    if bodies > 1:
        errors.append("%s: several body parameters" % where)
    responses = op.get("responses")
    if not isinstance(responses, dict) or not responses:
        errors.append("%s: no responses" % where)
        return
    for code, resp in responses.items():
        if not (code == "default" or (code.isdigit() and len(code) == 3)):
            errors.append("%s: response code %r" % (where, code))
        if "$ref" not in resp and not isinstance(resp.get("description"), str):
            errors.append("%s %s: response without description" % (where, code))
    tags = op.get("tags", [])
    if len(set(tags)) != len(tags):
        errors.append("%s: duplicate tags" % where)


def swagger_errors(doc):
    """A structural Swagger 2.0 check: what the schema requires and what
    tools trip over (every $ref resolves, parameters complete and unique)."""
    errors = []
    if doc.get("swagger") != "2.0":
        errors.append("swagger is not \"2.0\"")
    info = doc.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("title"), str) \
            or not isinstance(info.get("version"), str):
        errors.append("info.title / info.version missing")
    if "basePath" in doc and not doc["basePath"].startswith("/"):
        errors.append("basePath does not start with /")
    for k in doc:
        if k not in {"swagger", "info", "host", "basePath", "schemes", "consumes", "produces",
                     "paths", "definitions", "parameters", "responses", "securityDefinitions",
                     "security", "tags", "externalDocs"} and not k.startswith("x-"):
            errors.append("unknown top-level field %r" % k)
    if not isinstance(doc.get("paths"), dict):
        errors.append("paths missing")
        return errors
    for ref in all_refs(doc):
        try:
            resolve(doc, ref)
        except ValueError as e:
            errors.append(str(e))
    for path, item in doc["paths"].items():
        if not path.startswith("/") or "{" in path or "}" in path:
            errors.append("path key %r" % path)
        for verb, op in item.items():
            if verb in HTTP_VERBS:
                validate_operation(doc, op, "%s %s" % (verb, path), errors)
            elif verb != "parameters" and not verb.startswith("x-"):
                errors.append("%s: unknown field %r" % (path, verb))
    for name, schema in doc.get("definitions", {}).items():
        validate_schema(doc, schema, "definitions." + name, errors)
    return errors


DEBIAN_VALIDATOR = """
import json, sys
from swagger_spec_validator.validator20 import validate_spec

validate_spec(json.load(sys.stdin))
print("valid")
"""


def debian_validator(text):
    """python3-swagger-spec-validator in whichever interpreter has it."""
    for python in [sys.executable, "/usr/bin/python3"]:
        if not os.path.exists(python):
            continue
        out = subprocess.run([python, "-c", DEBIAN_VALIDATOR], input=text, capture_output=True,
                             text=True)
        if "No module named" in out.stderr:
            continue
        return out.returncode == 0 and out.stdout.strip() == "valid", out.stderr[-500:]
    return False, "python3-swagger-spec-validator is not installed (scripts/dev installs it)"


def openapi(token=None, headers=None):
    return call("/", token=token, headers=headers)


def test_openapi():
    psql('create table "rr_odd {x} / ~ ñ" (id int primary key, "select" text, v varchar(8));'
         "grant select on \"rr_odd {x} / ~ ñ\" to anon")
    wait_until(lambda: all(call("/" + urllib.parse.quote("rr_odd {x} / ~ ñ", safe=""),
                                "select=id").status == 200 for _ in range(6)), 25)
    r = openapi()
    check("GET /rest/v1/: 200 application/openapi+json",
          r.status == 200 and (r.header("Content-Type") or "").startswith(
              "application/openapi+json") and isinstance(r.json, dict), r)
    doc = r.json or {}
    errors = swagger_errors(doc)
    check("OpenAPI document is structurally valid Swagger 2.0 (anon)", not errors, errors[:5])
    ok, why = debian_validator(r.text)
    check("python3-swagger-spec-validator accepts it (anon)", ok, why)
    svc = openapi(token=SERVICE)
    ok, why = debian_validator(svc.text)
    check("python3-swagger-spec-validator accepts it (service_role)", ok, why)
    check("structurally valid (service_role)", not swagger_errors(svc.json or {}),
          swagger_errors(svc.json or {})[:5])
    defs = doc.get("definitions", {})
    items = defs.get("rr_items", {})
    props = items.get("properties", {})
    check("definition: columns with types and formats",
          props.get("id", {}).get("type") == "integer"
          and props.get("price", {}).get("type") == "number"
          and props.get("price", {}).get("format") == "numeric"
          and props.get("tags", {}).get("type") == "array"
          and props.get("tags", {}).get("items") == {"type": "string"}
          and props.get("name", {}).get("format") == "text", props)
    check("definition: required = NOT NULL without default",
          sorted(items.get("required", [])) == ["id", "name"], items.get("required"))
    check("definition: primary key note",
          props.get("id", {}).get("description") == "Note:\nThis is a Primary Key.<pk/>", props)
    tag = defs.get("rr_item_tags", {}).get("properties", {})
    check("definition: foreign key and primary key notes",
          tag.get("item_id", {}).get("description") ==
          "Note:\nThis is a Primary Key.<pk/>\nThis is a Foreign Key to `rr_items.id`."
          "<fk table='rr_items' column='id'/>"
          and tag.get("tag", {}).get("maxLength") == 20, tag)
    paths = doc.get("paths", {})
    check("table path: GET with row filters, select, order, range",
          {"$ref": "#/parameters/rowFilter.rr_items.id"} in paths.get("/rr_items", {}).get(
              "get", {}).get("parameters", [])
          and {"$ref": "#/parameters/select"} in paths["/rr_items"]["get"]["parameters"]
          and {"$ref": "#/parameters/range"} in paths["/rr_items"]["get"]["parameters"],
          paths.get("/rr_items"))
    check("verbs follow privileges: anon may only read rr_items",
          set(paths.get("/rr_items", {})) == {"get"}, list(paths.get("/rr_items", {})))
    check("rr_log: anon may read and insert",
          set(paths.get("/rr_log", {})) == {"get", "post"}, list(paths.get("/rr_log", {})))
    check("tables without privilege are left out for anon",
          "/rr_private" not in paths and "rr_private" not in defs, list(paths)[:20])
    spaths = (svc.json or {}).get("paths", {})
    check("service_role sees the private table with every verb",
          set(spaths.get("/rr_private", {})) >= {"get", "post", "patch", "delete"},
          spaths.get("/rr_private"))
    add = paths.get("/rpc/rr_add", {})
    check("rpc path: POST with an args body and GET for a STABLE/IMMUTABLE function",
          "post" in add and "get" in add
          and add["post"]["parameters"][0].get("in") == "body", add)
    check("rpc path: VOLATILE functions have no GET",
          "get" not in paths.get("/rpc/rr_void_log", {}) and "post" in paths.get(
              "/rpc/rr_void_log", {}), paths.get("/rpc/rr_void_log"))
    series = paths.get("/rpc/rr_series", {}).get("get", {}).get("parameters", [])
    check("rpc GET parameters: the arguments, required unless defaulted",
          series == [{"type": "string", "format": "integer", "name": "n", "in": "query",
                      "required": True}], series)
    odd = [p for p in paths if p.startswith("/rr_odd")]
    check("odd table name: path with escaped braces, references resolve",
          odd == ["/rr_odd %7Bx%7D / ~ ñ"] and "rr_odd {x} / ~ ñ" in defs, odd)
    r = openapi(headers={"Accept-Profile": "nope"})
    check("OpenAPI with an unknown profile: 406", r.status == 406, r)
    r = call("/", headers={"apikey": ""})
    check("OpenAPI without credentials: 401", r.status == 401, r)
    psql('drop table "rr_odd {x} / ~ ñ"')


def setup_with_data():
    setup()
    psql("insert into rr_item_tags values (1, 'red')")


def main():
    tests = [test_scalar, test_sets, test_objects, test_void_and_volatile, test_json_arguments,
             test_errors, test_row_level_security, test_catalog_refresh, test_hostile_input,
             test_openapi]
    return run_suite(setup_with_data, tests, teardown)


if __name__ == "__main__":
    sys.exit(main())
