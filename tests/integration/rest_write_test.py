#!/usr/bin/env python3
"""Integration tests of the REST write path (POST, PATCH, PUT, DELETE
/rest/v1/{table}) through the running stack (.dev/env): every Prefer
(return=minimal|representation|headers-only, count, missing=default,
resolution), bulk inserts in one statement, columns=, upserts in both
resolutions with and without on_conflict, PUT, PATCH/DELETE without a
filter, order + limit, one-object replies, row-level security for anon, two
users and service_role, and hostile input (identifiers with quotes,
semicolons and unicode; values with ' \\ % and NUL; malformed JSON, arrays
with mismatched keys, wrong types) that must get a clear 4xx and leave the
database unchanged, checked with psql.

The fixture (tables rw_* in schema public) is created with psql as the
superuser of DATABASE_URL and dropped at the end. User tokens are minted
with JWT_SECRET. Prints one line per check and ends with
"N passed, N failed"; exits non-zero when a check failed. Python 3
standard library only."""
import base64
import hashlib
import hmac
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_env():
    env = {}
    with open(os.path.join(ROOT, ".dev", "env")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


ENV = load_env()
BASE = ENV["PGSTACK_URL"]
ANON = ENV["ANON_KEY"]
SERVICE = ENV["SERVICE_ROLE_KEY"]
USER_A = str(uuid.uuid4())
USER_B = str(uuid.uuid4())
results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    text = "" if ok else "  -- " + str(detail)[:600]
    print(("ok   " if ok else "FAIL ") + name + text, flush=True)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims):
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    sig = hmac.new(ENV["JWT_SECRET"].encode(), (header + "." + payload).encode(),
                   hashlib.sha256).digest()
    return header + "." + payload + "." + b64url(sig)


def user_token(sub):
    return sign({"sub": sub, "role": "authenticated", "aud": "authenticated",
                 "exp": int(time.time()) + 3600})


TOKEN_A = user_token(USER_A)
TOKEN_B = user_token(USER_B)


class Reply:
    def __init__(self, status, text, headers):
        self.status, self.text, self.headers = status, text, headers
        try:
            self.json = json.loads(text) if text else None
        except ValueError:
            self.json = None

    def header(self, name):
        return self.headers.get(name) if self.headers else None

    def code(self):
        return self.json.get("code") if isinstance(self.json, dict) else None

    def __repr__(self):
        return "%s %s" % (self.status, self.text[:400])


def encode_body(body):
    if body is None:
        return None
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def call(method, table, query="", body=None, token=None, prefer=None, headers=None,
         content_type="application/json"):
    url = BASE + "/rest/v1/" + urllib.parse.quote(table, safe="") + ("?" + query if query else "")
    req = urllib.request.Request(url, data=encode_body(body), method=method)
    req.add_header("apikey", ANON)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if content_type:
        req.add_header("Content-Type", content_type)
    if prefer:
        req.add_header("Prefer", prefer)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return Reply(r.status, r.read().decode("utf-8", "replace"), r.headers)
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read().decode("utf-8", "replace"), e.headers)


def post(table, body, query="", **kw):
    return call("POST", table, query, body, **kw)


def patch(table, query, body, **kw):
    return call("PATCH", table, query, body, **kw)


def put(table, query, body, **kw):
    return call("PUT", table, query, body, **kw)


def delete(table, query="", **kw):
    return call("DELETE", table, query, None, **kw)


def post_without_content_type(table, body):
    """urllib always adds a Content-Type to a body; http.client does not."""
    parsed = urllib.parse.urlsplit(BASE)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    data = encode_body(body)
    conn.request("POST", parsed.path + "/rest/v1/" + table, body=data,
                 headers={"apikey": ANON, "Prefer": "return=representation",
                          "Content-Length": str(len(data))})
    r = conn.getresponse()
    reply = Reply(r.status, r.read().decode("utf-8", "replace"), r.headers)
    conn.close()
    return reply


def qs(pairs):
    return "&".join(urllib.parse.quote(k, safe="*(),.:!{}[]\"->") + "=" +
                    urllib.parse.quote(v, safe="*(),.:!{}[]\"->") for k, v in pairs)


def psql(sql):
    out = subprocess.run(["psql", ENV["DATABASE_URL"], "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("psql failed: " + out.stderr)
    return out.stdout.strip()


def names(reply):
    if not isinstance(reply.json, list):
        return None
    return [row.get("name") for row in reply.json]


# ------------------------------------------------------------------ fixture

TABLES = ["rw_owners", "rw_items", "rw_tags", "rw_lines", "rw_nokey", "rw_notes", "rw_private",
          "rw_gen", "rw_canary"]

FIXTURE = """
drop view if exists rw_item_view;
drop table if exists %(tables)s cascade;
create table rw_owners (id int primary key, name text not null);
create table rw_items (id int generated by default as identity (start 1000) primary key,
  name text not null, qty int not null default 1 check (qty >= 0), note text, tags text[],
  data jsonb, owner_id int references rw_owners(id), created text default 'made',
  code text unique);
create table rw_tags (id serial primary key,
  item_id int references rw_items(id) on delete cascade, tag text);
create table rw_lines (item_id int, n int, label text, primary key (item_id, n));
create table rw_nokey (a int, b text default 'x');
create table rw_notes (id int primary key, owner uuid default auth.uid(), body text);
alter table rw_notes enable row level security;
create policy rw_notes_read_anon on rw_notes for select to anon using (owner is null);
create policy rw_notes_read on rw_notes for select to authenticated
  using (owner = auth.uid() or owner is null);
create policy rw_notes_insert on rw_notes for insert to authenticated
  with check (owner = auth.uid());
create policy rw_notes_update on rw_notes for update to authenticated
  using (owner = auth.uid()) with check (owner = auth.uid());
create policy rw_notes_delete on rw_notes for delete to authenticated
  using (owner = auth.uid());
create table rw_private (id int primary key, secret text);
create table rw_gen (id int primary key, a int, doubled int generated always as (a * 2) stored);
create table rw_canary (id int primary key);
insert into rw_canary values (1);
create view rw_item_view as select id, name, qty from rw_items;
insert into rw_owners values (1, 'Ann'), (2, 'Bob');
grant select, insert, update, delete on %(tables)s, rw_item_view
  to anon, authenticated, service_role;
grant usage on all sequences in schema public to anon, authenticated, service_role;
revoke all on rw_private from anon, authenticated;
""" % {"tables": ", ".join(TABLES)}


def setup():
    psql(FIXTURE)
    # the event trigger makes every worker reload its catalog; wait until
    # the new tables answer
    deadline = time.time() + 10
    while time.time() < deadline:
        if call("GET", "rw_canary", "select=id").status == 200:
            break
        time.sleep(0.2)


def teardown():
    psql("drop view if exists rw_item_view; drop table if exists %s cascade" % ", ".join(TABLES))


def snapshot():
    """Every fixture table's rows, to show that a refused request changed nothing."""
    return psql("select " + ", ".join(
        "(select coalesce(md5(string_agg(t::text, ',' order by t::text)), '-') from %s t)" % t
        for t in TABLES))


def item(id_):
    text = psql("select row_to_json(t) from rw_items t where id = %d" % id_)
    return json.loads(text) if text else None


# ------------------------------------------------------------------ checks

def test_post_and_prefers():
    r = post("rw_items", {"name": "plain"})
    check("POST without Prefer: 201, no body, Content-Range */*",
          r.status == 201 and r.text == "" and r.header("Content-Range") == "*/*"
          and psql("select count(*) from rw_items where name = 'plain'") == "1", r)
    r = post("rw_items", {"name": "minimal"}, prefer="return=minimal")
    check("return=minimal: 201, no body, Preference-Applied",
          r.status == 201 and r.text == "" and r.header("Preference-Applied") == "return=minimal",
          r)
    r = post("rw_items", {"name": "rep", "qty": 3, "tags": ["a", "b"], "data": {"k": [1]}},
             prefer="return=representation")
    row = r.json[0] if isinstance(r.json, list) and r.json else {}
    check("return=representation: 201 with the row as the database has it",
          r.status == 201 and r.header("Content-Type").startswith("application/json")
          and row.get("name") == "rep" and row.get("qty") == 3 and row.get("tags") == ["a", "b"]
          and row.get("data") == {"k": [1]} and row.get("created") == "made"
          and isinstance(row.get("id"), int) and row["id"] >= 1000, r)
    r = post("rw_items", {"name": "owned", "owner_id": 1}, "select=name,owner:rw_owners(name)",
             prefer="return=representation")
    check("representation honours select= with an embedding",
          r.status == 201 and r.json == [{"name": "owned", "owner": {"name": "Ann"}}], r)
    r = post("rw_items", {"name": "located"}, prefer="return=headers-only")
    new_id = psql("select id from rw_items where name = 'located'")
    check("return=headers-only: 201, Location /rw_items?id=eq.N, no body",
          r.status == 201 and r.text == ""
          and r.header("Location") == "/rw_items?id=eq." + new_id, (r, r.header("Location")))
    r = post("rw_items", {"name": "counted"}, prefer="count=exact")
    check("count=exact on POST: Content-Range */1", r.status == 201
          and r.header("Content-Range") == "*/1"
          and r.header("Preference-Applied") == "count=exact", r)
    r = post("rw_items", {"name": "one"}, "select=name", prefer="return=representation",
             headers={"Accept": "application/vnd.pgrst.object+json"})
    check("object Accept: the row as one object", r.status == 201
          and r.json == {"name": "one"}, r)
    r = post("rw_items", {"name": "csv, row"}, "select=name,qty", prefer="return=representation",
             headers={"Accept": "text/csv"})
    check("text/csv representation", r.status == 201
          and r.header("Content-Type").startswith("text/csv")
          and r.text == 'name,qty\n"csv, row",1', r)
    r = post_without_content_type("rw_items", {"name": "no type"})
    check("no Content-Type: the body is taken as JSON", r.status == 201
          and names(r) == ["no type"], r)
    r = call("POST", "rw_items", "select=name,qty,note",
             'name,qty,note\r\n"csv, one",2,NULL\r\ncsv two,3,"say ""hi"""\r\n',
             content_type="text/csv", prefer="return=representation")
    check("a text/csv body: header names the columns, NULL is null", r.status == 201
          and r.json == [{"name": "csv, one", "qty": 2, "note": None},
                         {"name": "csv two", "qty": 3, "note": 'say "hi"'}], r)
    r = post("rw_items", {"name": "x"}, headers={"Prefer": "handling=strict, nope=1"})
    check("handling=strict with an unknown preference: 400 PGRST122",
          r.status == 400 and r.code() == "PGRST122", r)


def test_bulk_insert():
    rows = [{"name": "b%d" % i, "qty": i} for i in range(3)]
    r = post("rw_items", rows, "select=name,qty", prefer="return=representation,count=exact")
    check("bulk insert: rows in order, Content-Range */3", r.status == 201
          and r.json == [{"name": "b0", "qty": 0}, {"name": "b1", "qty": 1},
                         {"name": "b2", "qty": 2}]
          and r.header("Content-Range") == "*/3", r)
    rows = [{"name": "bulk%d" % i} for i in range(2000)]
    r = post("rw_items", rows, prefer="count=exact")
    check("2000 rows in one request", r.status == 201 and r.header("Content-Range") == "*/2000"
          and psql("select count(*) from rw_items where name like 'bulk%'") == "2000", r)
    r = post("rw_items", [], prefer="return=representation,count=exact")
    check("an empty array inserts nothing: [] and */0", r.status == 201 and r.json == []
          and r.header("Content-Range") == "*/0", r)
    r = post("rw_nokey", [{}, {}], prefer="return=representation")
    check("objects without keys insert defaults", r.status == 201
          and r.json == [{"a": None, "b": "x"}, {"a": None, "b": "x"}], r)
    before = snapshot()
    r = post("rw_items", [{"name": "k1"}, {"name": "k2", "qty": 2}])
    check("mismatched keys without columns=: 400 PGRST102", r.status == 400
          and r.code() == "PGRST102" and r.json.get("message") == "All object keys must match", r)
    r = post("rw_items", [{"name": "ok1"}, {"name": None}])
    check("one bad row fails the whole bulk insert (23502, 400)",
          r.status == 400 and r.code() == "23502", r)
    check("refused bulk inserts wrote nothing", snapshot() == before)


def test_columns_and_missing():
    before = snapshot()
    r = post("rw_items", [{"name": "c1", "qty": 2, "ignored": 1}, {"name": "c2"}],
             "columns=name,qty")
    check("columns=: a missing key is NULL (not-null qty: 400 23502)",
          r.status == 400 and r.code() == "23502", r)
    check("... and nothing was written", snapshot() == before)
    r = post("rw_items", [{"name": "c1", "qty": 2, "created": "given", "ignored": 1},
                          {"name": "c2"}],
             "columns=name,qty,created&select=name,qty,created,note",
             prefer="missing=default,return=representation")
    check("missing=default: column defaults for the missing keys, other keys ignored",
          r.status == 201 and r.json == [
              {"name": "c1", "qty": 2, "created": "given", "note": None},
              {"name": "c2", "qty": 1, "created": "made", "note": None}]
          and "missing=default" in (r.header("Preference-Applied") or ""), r)
    r = post("rw_items", [{"name": "d1"}, {"name": "d2"}], "columns=name,qty,created",
             prefer="missing=default,return=representation")
    check("missing=default for keys in no row: the table's default",
          r.status == 201 and [(x["qty"], x["created"]) for x in r.json] == [(1, "made")] * 2, r)
    r = post("rw_items", {"name": "n1", "note": "kept?"}, "columns=name")
    check("columns= restricts the inserted keys", r.status == 201
          and psql("select coalesce(note, 'NULL') from rw_items where name = 'n1'") == "NULL", r)
    r = post("rw_items", {"name": "u"}, "columns=name,nope")
    check("columns= with an unknown column: 400 PGRST204", r.status == 400
          and r.code() == "PGRST204" and "'nope'" in r.json.get("message", ""), r)
    r = post("rw_items", {"name": "u", "nope": 1})
    check("an unknown key: 400 PGRST204", r.status == 400 and r.code() == "PGRST204", r)
    id_ = int(psql("select id from rw_items where name = 'c1'"))
    r = patch("rw_items", "id=eq.%d&columns=name,created" % id_, {"name": "c1b"},
              prefer="missing=default,return=representation")
    check("PATCH with missing=default sets a listed missing column to its default",
          r.status == 200 and r.json[0]["created"] == "made" and r.json[0]["name"] == "c1b", r)


def test_upserts():
    psql("insert into rw_items (id, name, code) overriding system value values "
         "(1, 'first', 'c-1'), (2, 'second', 'c-2')")
    r = post("rw_items", [{"id": 1, "name": "merged"}, {"id": 3, "name": "third"}],
             "select=id,name", prefer="resolution=merge-duplicates,return=representation")
    check("merge-duplicates on the primary key: update and insert",
          r.status == 201 and r.json == [{"id": 1, "name": "merged"}, {"id": 3, "name": "third"}]
          and item(1)["name"] == "merged" and item(1)["code"] == "c-1"
          and r.header("Preference-Applied")
          == "resolution=merge-duplicates, return=representation", r)
    r = post("rw_items", [{"id": 2, "name": "ignored"}, {"id": 4, "name": "fourth"}],
             "select=id,name", prefer="resolution=ignore-duplicates,return=representation")
    check("ignore-duplicates: existing rows untouched, new ones inserted",
          r.status == 201 and r.json == [{"id": 4, "name": "fourth"}]
          and item(2)["name"] == "second", r)
    r = post("rw_items", {"code": "c-2", "name": "by code"}, "on_conflict=code&select=id,name",
             prefer="resolution=merge-duplicates,return=representation")
    check("merge-duplicates with on_conflict on a unique column",
          r.status == 201 and r.json == [{"id": 2, "name": "by code"}], r)
    r = post("rw_items", {"code": "c-1", "name": "skip"}, "on_conflict=code",
             prefer="resolution=ignore-duplicates,count=exact")
    check("ignore-duplicates with on_conflict: nothing written, */0",
          r.status == 201 and r.header("Content-Range") == "*/0"
          and item(1)["name"] == "merged", r)
    before = snapshot()
    r = post("rw_items", {"name": "x", "qty": 5}, "on_conflict=name",
             prefer="resolution=merge-duplicates")
    check("on_conflict without a unique constraint: 400 (42P10)",
          r.status == 400 and r.code() == "42P10", r)
    r = post("rw_items", {"name": "x"}, "on_conflict=nope",
             prefer="resolution=merge-duplicates")
    check("on_conflict with an unknown column: 400 PGRST204",
          r.status == 400 and r.code() == "PGRST204", r)
    r = post("rw_items", {"id": 1, "name": "dup"})
    check("a duplicate key without resolution: 409 23505",
          r.status == 409 and r.code() == "23505", r)
    r = post("rw_items", {"name": "fk", "owner_id": 99})
    check("a foreign-key violation: 409 23503", r.status == 409 and r.code() == "23503", r)
    check("refused upserts wrote nothing", snapshot() == before)
    r = post("rw_items", [{"id": 5, "name": "five", "qty": 5}], "columns=id,name,qty",
             prefer="resolution=merge-duplicates")
    r2 = post("rw_items", [{"id": 5, "name": "five again"}], "columns=id,name,qty",
              prefer="resolution=merge-duplicates,missing=default")
    check("merge with missing=default resets the missing column to its default",
          r.status == 201 and r2.status == 201 and item(5)["qty"] == 1
          and item(5)["name"] == "five again", (r, r2))


def test_put():
    r = put("rw_lines", "item_id=eq.1&n=eq.1", {"item_id": 1, "n": 1, "label": "a"})
    check("PUT inserts a missing row: 204", r.status == 204
          and psql("select label from rw_lines where item_id = 1 and n = 1") == "a", r)
    r = put("rw_lines", "item_id=eq.1&n=eq.1", {"item_id": 1, "n": 1, "label": "b"},
            prefer="return=representation")
    check("PUT replaces an existing row: 200 with it", r.status == 200
          and r.json == [{"item_id": 1, "n": 1, "label": "b"}]
          and psql("select count(*) from rw_lines") == "1", r)
    before = snapshot()
    r = put("rw_lines", "item_id=eq.1&n=eq.2", {"item_id": 1, "n": 1, "label": "c"})
    check("PUT with a body key that differs from the URL: 400 PGRST115",
          r.status == 400 and r.code() == "PGRST115", r)
    r = put("rw_lines", "item_id=eq.1", {"item_id": 1, "n": 1, "label": "c"})
    check("PUT without every key column: 405 PGRST105",
          r.status == 405 and r.code() == "PGRST105", r)
    r = put("rw_lines", "item_id=eq.1&n=gte.1", {"item_id": 1, "n": 1})
    check("PUT with another operator than eq: 405 PGRST105",
          r.status == 405 and r.code() == "PGRST105", r)
    r = put("rw_lines", "item_id=eq.1&n=eq.1&limit=1", {"item_id": 1, "n": 1})
    check("PUT with limit: 400 PGRST114", r.status == 400 and r.code() == "PGRST114", r)
    r = put("rw_lines", "item_id=eq.1&n=eq.1", [{"item_id": 1, "n": 1}, {"item_id": 1, "n": 1}])
    check("PUT with two rows: 400 PGRST102", r.status == 400 and r.code() == "PGRST102", r)
    r = put("rw_lines", "item_id=eq.1&n=eq.1", {"label": "no key"})
    check("PUT without the key in the body: 400 PGRST115",
          r.status == 400 and r.code() == "PGRST115", r)
    check("refused PUTs wrote nothing", snapshot() == before)


def test_patch_and_delete():
    psql("insert into rw_items (id, name, qty) overriding system value values "
         "(101, 'p1', 1), (102, 'p2', 2), (103, 'p3', 3), (104, 'p4', 4), (105, 'p5', 5)")
    before = snapshot()
    r = patch("rw_items", "", {"note": "all"})
    check("PATCH without a filter: 400 21000, JSON with error",
          r.status == 400 and r.code() == "21000" and "error" in r.json
          and "WHERE" in r.json.get("message", ""), r)
    r = delete("rw_items")
    check("DELETE without a filter: 400 21000", r.status == 400 and r.code() == "21000", r)
    r = delete("rw_items", "order=id&limit=1")
    check("DELETE with only limit: still 400", r.status == 400, r)
    r = patch("rw_items", "rw_tags.tag=eq.x&select=id,rw_tags(tag)", {"note": "all"})
    check("a filter on an embedding is no filter on the rows: 400", r.status == 400, r)
    check("refused PATCH/DELETE changed nothing", snapshot() == before)
    r = patch("rw_items", "id=eq.101", {"note": "one"}, prefer="return=representation")
    check("PATCH return=representation: 200 with the rows, Content-Range 0-0/*",
          r.status == 200 and len(r.json) == 1 and r.json[0]["note"] == "one"
          and r.header("Content-Range") == "0-0/*", r)
    r = patch("rw_items", "id=in.(102,103)", {"note": "two"}, prefer="count=exact")
    check("PATCH return=minimal: 204, Content-Range 0-1/2", r.status == 204
          and r.text == "" and r.header("Content-Range") == "0-1/2"
          and psql("select count(*) from rw_items where note = 'two'") == "2", r)
    r = patch("rw_items", "id=eq.999999", {"note": "none"}, prefer="count=exact")
    check("PATCH matching nothing: 204, */0", r.status == 204
          and r.header("Content-Range") == "*/0", r)
    r = patch("rw_items", qs([("or", "(id.eq.104,name.eq.p5)")]), {"qty": 40})
    check("PATCH with a logic tree", r.status == 204
          and psql("select string_agg(id::text, ',' order by id) from rw_items where qty = 40")
          == "104,105", r)
    r = patch("rw_items", "note=eq.two&select=id,note", {"note": "changed"},
              prefer="return=representation")
    check("PATCH returns rows that no longer match its filter",
          r.status == 200 and sorted(x["id"] for x in r.json) == [102, 103], r)
    r = patch("rw_items", "id=gte.101&id=lte.105&order=id.desc&limit=2&select=id", {"note": "top"},
              prefer="return=representation")
    check("PATCH with order + limit changes exactly those rows",
          r.status == 200 and sorted(x["id"] for x in r.json) == [104, 105]
          and psql("select count(*) from rw_items where note = 'top'") == "2", r)
    r = patch("rw_items", "id=gte.101&id=lte.105&select=id", {"note": "x"},
              prefer="return=representation",
              headers={"Accept": "application/vnd.pgrst.object+json"})
    check("object Accept with several rows: 406 PGRST116", r.status == 406
          and r.code() == "PGRST116" and "5 rows" in (r.json.get("details") or ""), r)
    check("... and the change was rolled back",
          psql("select count(*) from rw_items where note = 'x'") == "0")
    r = patch("rw_items", "id=eq.101", {}, prefer="return=representation")
    check("PATCH with {} changes nothing", r.status == 200 and r.json == []
          and item(101)["note"] == "one", r)
    r = delete("rw_items", "id=gte.101&id=lte.105&order=qty.desc&limit=1&select=id,qty",
               prefer="return=representation")
    check("DELETE with order + limit removes exactly that row", r.status == 200
          and r.json == [{"id": 104, "qty": 40}] and item(104) is None
          and item(105) is not None, r)
    r = delete("rw_items", "id=in.(101,102)", prefer="count=exact")
    check("DELETE return=minimal: 204, Content-Range */2", r.status == 204
          and r.header("Content-Range") == "*/2"
          and psql("select count(*) from rw_items where id in (101, 102)") == "0", r)
    r = delete("rw_items", "id=eq.103", prefer="return=representation")
    check("DELETE return=representation: 200 with the row",
          r.status == 200 and [x["id"] for x in r.json] == [103], r)
    r = delete("rw_nokey", "a=is.null&limit=1", prefer="count=exact")
    check("DELETE with limit on a table without a key (ctid)", r.status == 204
          and r.header("Content-Range") == "*/1"
          and psql("select count(*) from rw_nokey") == "1", r)


def test_views_and_generated():
    r = post("rw_item_view", {"name": "through view", "qty": 7}, prefer="return=representation")
    check("POST through an updatable view", r.status == 201 and r.json[0]["name"]
          == "through view" and psql("select qty from rw_items where name = 'through view'")
          == "7", r)
    r = patch("rw_item_view", qs([("name", "eq.through view"), ("order", "id"), ("limit", "1")]),
              {"qty": 8})
    check("limited PATCH through a view uses its base table's key", r.status == 204
          and psql("select qty from rw_items where name = 'through view'") == "8", r)
    r = post("rw_gen", {"id": 1, "a": 2}, prefer="return=representation")
    check("a generated column is computed", r.status == 201
          and r.json == [{"id": 1, "a": 2, "doubled": 4}], r)
    r = post("rw_gen", {"id": 2, "a": 2, "doubled": 5})
    check("writing a generated column: 400", r.status == 400, r)


def test_catalog_refresh():
    psql("alter table rw_nokey add column c int default 5")
    ok, r = False, None
    for _ in range(25):  # several requests reach several workers
        rs = [post("rw_nokey", {"a": 7, "c": 8}, "select=a,c", prefer="return=representation")
              for _ in range(4)]
        if all(x.status == 201 and x.json == [{"a": 7, "c": 8}] for x in rs):
            ok, r = True, rs[-1]
            break
        r = rs[-1]
        time.sleep(0.2)
    check("a column added by ALTER TABLE is written without a restart", ok, r)
    psql("delete from rw_nokey where a = 7")


def test_row_level_security():
    psql("insert into rw_notes (id, owner, body) values (1, '%s', 'a1'), (2, '%s', 'b1'), "
         "(3, null, 'public')" % (USER_A, USER_B))
    before = snapshot()
    r = post("rw_notes", {"id": 10, "body": "anon"})
    check("anon cannot insert (no policy): 401 42501", r.status == 401 and r.code() == "42501",
          r)
    r = post("rw_notes", {"id": 11, "body": "forged", "owner": USER_B}, token=TOKEN_A)
    check("user A cannot insert a note owned by B: 403 42501",
          r.status == 403 and r.code() == "42501", r)
    r = patch("rw_notes", "id=eq.2", {"body": "hacked"}, token=TOKEN_A, prefer="count=exact")
    check("user A's PATCH of B's note changes nothing (*/0)", r.status == 204
          and r.header("Content-Range") == "*/0", r)
    r = delete("rw_notes", "id=eq.1", token=TOKEN_B, prefer="count=exact")
    check("user B's DELETE of A's note deletes nothing", r.status == 204
          and r.header("Content-Range") == "*/0", r)
    r = patch("rw_notes", "id=eq.3", {"body": "mine now"}, token=TOKEN_A, prefer="count=exact")
    check("nobody may change the public note", r.status == 204
          and r.header("Content-Range") == "*/0", r)
    r = post("rw_notes", {"id": 2, "body": "takeover"}, token=TOKEN_A,
             prefer="resolution=merge-duplicates")
    check("user A's upsert onto B's note: 403 42501", r.status == 403 and r.code() == "42501",
          r)
    r = put("rw_notes", "id=eq.3", {"id": 3, "body": "put"})
    check("anon PUT: 401", r.status == 401, r)
    r = patch("rw_notes", "id=eq.1", {"owner": USER_B}, token=TOKEN_A)
    check("user A cannot give her note to B (with check): 403",
          r.status == 403 and r.code() == "42501", r)
    r = post("rw_private", {"id": 1, "secret": "s"})
    check("no privilege as anon: 401 42501", r.status == 401 and r.code() == "42501", r)
    r = post("rw_private", {"id": 1, "secret": "s"}, token=TOKEN_A)
    check("no privilege as a user: 403 42501", r.status == 403 and r.code() == "42501", r)
    check("refused writes under RLS changed nothing", snapshot() == before)
    r = post("rw_notes", {"id": 12, "body": "by A"}, token=TOKEN_A, prefer="return=representation")
    check("user A inserts her note (owner defaults to auth.uid())", r.status == 201
          and r.json == [{"id": 12, "owner": USER_A, "body": "by A"}], r)
    r = patch("rw_notes", "id=in.(1,2,3,12)", {"body": "edited"}, token=TOKEN_A,
              prefer="count=exact,return=representation")
    check("user A's PATCH reaches exactly her notes", r.status == 200
          and sorted(x["id"] for x in r.json) == [1, 12], r)
    r = put("rw_notes", "id=eq.13", {"id": 13, "body": "put by B"}, token=TOKEN_B)
    check("user B PUTs a note of his own", r.status == 204
          and psql("select owner from rw_notes where id = 13") == USER_B, r)
    r = delete("rw_notes", "id=gt.0", token=TOKEN_B, prefer="count=exact")
    check("user B's DELETE removes exactly his notes", r.status == 204
          and r.header("Content-Range") == "*/2"
          and psql("select string_agg(id::text, ',' order by id) from rw_notes") == "1,3,12", r)
    r = patch("rw_notes", "id=gt.0", {"body": "service"}, token=SERVICE, prefer="count=exact")
    check("service_role changes every note", r.status == 204
          and r.header("Content-Range") == "0-2/3", (r, r.header("Content-Range")))
    r = post("rw_private", {"id": 1, "secret": "s"}, token=SERVICE)
    check("service_role writes the private table", r.status == 201, r)


def test_hostile_input():
    before = snapshot()
    cases = [
        ("quote and semicolon in a table name", "POST", 'rw_items"; drop table rw_canary; --',
         "", {"name": "x"}, None),
        ("unicode table name", "POST", "tâblé", "", {"name": "x"}, None),
        ("quote in a body key", "POST", "rw_items", "", {'na"me': "x"}, None),
        ("semicolon in a body key", "POST", "rw_items", "",
         {"name; drop table rw_canary": "x"}, None),
        ("unicode body key", "POST", "rw_items", "", {"nämé": "x"}, None),
        ("injection in columns=", "POST", "rw_items",
         qs([("columns", 'name,"x); drop table rw_canary; --"')]), {"name": "x"}, None),
        ("injection in on_conflict=", "POST", "rw_items",
         qs([("on_conflict", "id) do nothing; drop table rw_canary; --")]), {"name": "x"},
         "resolution=merge-duplicates"),
        ("injection in a PATCH filter column", "PATCH", "rw_items",
         qs([('"id; drop table rw_canary"', "eq.1")]), {"name": "x"}, None),
        ("injection in a DELETE filter value", "DELETE", "rw_items",
         qs([("id", "eq.1 or 1=1")]), None, None),
        ("injection in order", "DELETE", "rw_items",
         qs([("id", "gt.0"), ("order", "id;drop table rw_canary"), ("limit", "1")]), None, None),
        ("NUL in a value", "POST", "rw_items", "", '{"name": "a\\u0000b"}', None),
        ("NUL in a key", "POST", "rw_items", "", '{"na\\u0000me": "a"}', None),
        ("empty body", "POST", "rw_items", "", "", None),
        ("truncated JSON", "POST", "rw_items", "", '{"name": "a"', None),
        ("single quotes", "POST", "rw_items", "", "{'name': 'a'}", None),
        ("NaN", "POST", "rw_items", "", '{"name": "a", "qty": NaN}', None),
        ("trailing garbage", "POST", "rw_items", "", '{"name": "a"} ; drop table rw_canary', None),
        ("a scalar body", "POST", "rw_items", "", "42", None),
        ("an array of scalars", "POST", "rw_items", "", "[1, 2]", None),
        ("an array with an array", "POST", "rw_items", "", '[{"name": "a"}, ["b"]]', None),
        ("mismatched keys", "POST", "rw_items", "", '[{"name": "a"}, {"note": "b"}]', None),
        ("invalid UTF-8", "POST", "rw_items", "", b'{"name": "\xc3\x28"}', None),
        ("deeply nested JSON", "POST", "rw_items", "",
         '{"name": "a", "data": ' + "[" * 5000 + "]" * 5000 + "}", None),
        ("text for an integer", "POST", "rw_items", "", {"name": "a", "qty": "abc"}, None),
        ("a fraction for an integer", "POST", "rw_items", "", {"name": "a", "qty": 1.5}, None),
        ("a string for an array", "POST", "rw_items", "", {"name": "a", "tags": "nope"}, None),
        ("an object for text[]", "POST", "rw_items", "", {"name": "a", "tags": {"x": 1}}, None),
        ("a check violation", "POST", "rw_items", "", {"name": "a", "qty": -1}, None),
        ("a not-null violation", "POST", "rw_items", "", {"qty": 1}, None),
        ("a PATCH with the wrong type", "PATCH", "rw_items", "id=gt.0", {"qty": "many"}, None),
        ("a PATCH with an array of two", "PATCH", "rw_items", "id=gt.0",
         [{"qty": 1}, {"qty": 2}], None),
        ("PATCH filter value of the wrong type", "PATCH", "rw_items", "id=eq.abc",
         {"qty": 1}, None),
    ]
    for name, method, table, query, body, prefer in cases:
        r = call(method, table, query, body, prefer=prefer)
        check("hostile: %s -> 4xx JSON" % name, 400 <= r.status < 500
              and isinstance(r.json, dict) and "error" in r.json and "code" in r.json, r)
    r = call("POST", "rw_items", "", "name=x", content_type="application/x-www-form-urlencoded")
    check("hostile: form-encoded body -> 400 PGRST102", r.status == 400
          and r.code() == "PGRST102", r)
    r = call("POST", "rw_items", "", "name\nx", content_type="text/plain")
    check("hostile: text/plain body -> 400 PGRST102", r.status == 400
          and r.code() == "PGRST102", r)
    r = call("POST", "rw_items", "", 'name,qty\n"a",1\nb\n', content_type="text/csv")
    check("hostile: CSV lines of different lengths -> 400 PGRST102", r.status == 400
          and r.code() == "PGRST102", r)
    r = post("rw_items", {"name": "a\u0000b"})
    check("NUL is refused with a clear message", r.status == 400 and r.code() == "PGRST102"
          and "u0000" in r.json.get("message", ""), r)
    big = b'{"name": "' + b"x" * (10 * 1024 * 1024 + 10) + b'"}'
    r = post("rw_items", big)
    check("hostile: a body over REST_MAX_BODY -> 413", r.status == 413, r)
    check("hostile input left the database unchanged", snapshot() == before)
    value = "it's 50% \\ off; drop table rw_canary; -- \" ' \u00e9\u4e2d"
    r = post("rw_items", {"name": value, "note": "%_\\"}, "select=name,note",
             prefer="return=representation")
    check("quote, backslash, percent, unicode are stored as given", r.status == 201
          and r.json == [{"name": value, "note": "%_\\"}]
          and psql("select note from rw_items where name = $$%s$$" % value) == "%_\\", r)
    r = patch("rw_items", qs([("name", "eq." + value)]), {"note": "found"},
              prefer="count=exact")
    check("... and match exactly in a filter", r.status == 204
          and r.header("Content-Range") == "0-0/1", r)
    r = call("GET", "rw_canary", "select=id")
    check("the canary table is still there", r.status == 200 and r.json == [{"id": 1}], r)


def main():
    try:
        setup()
    except Exception as e:  # no fixture, no checks
        check("fixture created", False, e)
        print("%d passed, %d failed" % (results["passed"], results["failed"]))
        return 1
    tests = [test_post_and_prefers, test_bulk_insert, test_columns_and_missing, test_upserts,
             test_put, test_patch_and_delete, test_views_and_generated, test_catalog_refresh,
             test_row_level_security, test_hostile_input]
    try:
        for t in tests:
            try:
                t()
            except Exception as e:  # a crash in a test is a failed check
                check(t.__name__ + " ran to the end", False, "%s: %s" % (type(e).__name__, e))
    finally:
        try:
            teardown()
        except Exception as e:
            print("# teardown failed: %s" % e)
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 0 if results["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
