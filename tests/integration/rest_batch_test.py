#!/usr/bin/env python3
"""Integration tests of POST /rest/v1/batch through the running stack
(.dev/env): atomic success (200 with every result), atomic failure (422
with error and failed_operation; nothing written, checked with psql),
partial mode (207 with a status per operation, the failed one rolled back
to its savepoint), {{op.field}} references in bodies and filters (also as
values that look like SQL), BATCH_MAX_OPERATIONS, row-level security (a
user cannot touch another's rows in a batch) and hostile or malformed
operations, which get a clear 4xx before anything runs and leave the
database unchanged.

The fixture (tables rb_* in schema public) is created with psql as the
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



def batch(operations, atomic=True, token=None, raw=None):
    body = raw if raw is not None else {"atomic": atomic, "operations": operations}
    return call("POST", "batch", "", body, token=token or SERVICE)


def psql(sql):
    out = subprocess.run(["psql", ENV["DATABASE_URL"], "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("psql failed: " + out.stderr)
    return out.stdout.strip()


def statuses(reply):
    if not isinstance(reply.json, dict) or not isinstance(reply.json.get("results"), list):
        return None
    return [r.get("status") for r in reply.json["results"]]


def result(reply, i):
    return reply.json["results"][i] if statuses(reply) and len(statuses(reply)) > i else {}


# ------------------------------------------------------------------ fixture

TABLES = ["rb_orders", "rb_items", "rb_notes", "rb_canary"]

FIXTURE = """
drop table if exists %(tables)s cascade;
create table rb_orders (id int generated by default as identity (start 100) primary key,
  total numeric not null check (total >= 0), label text);
create table rb_items (id int generated by default as identity primary key,
  order_id int not null references rb_orders(id), product_id int not null, note text);
create table rb_notes (id int primary key, owner uuid default auth.uid(), body text);
alter table rb_notes enable row level security;
create policy rb_notes_read on rb_notes for select to authenticated using (owner = auth.uid());
create policy rb_notes_insert on rb_notes for insert to authenticated
  with check (owner = auth.uid());
create policy rb_notes_update on rb_notes for update to authenticated
  using (owner = auth.uid()) with check (owner = auth.uid());
create policy rb_notes_delete on rb_notes for delete to authenticated
  using (owner = auth.uid());
create table rb_canary (id int primary key);
insert into rb_canary values (1);
grant select, insert, update, delete on %(tables)s to anon, authenticated, service_role;
grant usage on all sequences in schema public to anon, authenticated, service_role;
""" % {"tables": ", ".join(TABLES)}


def setup():
    psql(FIXTURE)
    deadline = time.time() + 10
    while time.time() < deadline:
        if call("GET", "rb_canary", "select=id").status == 200:
            break
        time.sleep(0.2)


def teardown():
    psql("drop table if exists rb_late; drop table if exists %s cascade" % ", ".join(TABLES))


def snapshot():
    return psql("select " + ", ".join(
        "(select coalesce(md5(string_agg(t::text, ',' order by t::text)), '-') from %s t)" % t
        for t in TABLES))


def count(table, where="true"):
    return int(psql("select count(*) from %s where %s" % (table, where)))


# ------------------------------------------------------------------ checks

def test_atomic_success():
    r = batch([
        {"id": "create", "method": "POST", "path": "/rest/v1/rb_orders",
         "body": {"total": 99.99, "label": "first"}},
        {"id": "item", "method": "POST", "path": "/rb_items",
         "body": {"order_id": "{{create.id}}", "product_id": 7}},
        {"id": "list", "method": "GET", "path": "/rb_items?order_id=eq.{{create.id}}&select=product_id"},
    ])
    order = result(r, 0).get("data") or {}
    check("atomic: 200 with a result per operation, in order",
          r.status == 200 and statuses(r) == [201, 201, 200]
          and [x["id"] for x in r.json["results"]] == ["create", "item", "list"], r)
    check("a POST of one object gives the row object as data",
          isinstance(order, dict) and order.get("label") == "first"
          and float(order.get("total", 0)) == 99.99, r)
    item = result(r, 1).get("data") or {}
    check("{{create.id}} in a body becomes the new order's id (a number)",
          isinstance(item, dict) and item.get("order_id") == order.get("id")
          and isinstance(item.get("order_id"), int), r)
    check("{{create.id}} in a filter value", result(r, 2).get("data") == [{"product_id": 7}], r)
    check("... and both rows are in the database",
          count("rb_items", "order_id = %s" % order.get("id", 0)) == 1
          and count("rb_orders", "label = 'first'") == 1)
    r = batch([{"id": "a", "method": "POST", "path": "/rb_orders", "body": {"total": 1},
                "headers": {"Prefer": "return=minimal"}},
               {"id": "b", "method": "DELETE", "path": "/rb_orders?label=eq.nothing"}])
    check("Prefer per operation: return=minimal gives 201 without data; DELETE returns rows",
          r.status == 200 and statuses(r) == [201, 200] and result(r, 0).get("data") is None
          and result(r, 1).get("data") == [], r)
    r = batch([], atomic=True)
    check("an empty batch: 200 with no results", r.status == 200 and r.json == {"results": []}, r)


def test_atomic_failure():
    before = snapshot()
    r = batch([
        {"id": "ok", "method": "POST", "path": "/rb_orders", "body": {"total": 5, "label": "gone"}},
        {"id": "bad", "method": "POST", "path": "/rb_orders", "body": {"total": -1}},
    ])
    check("atomic failure: 422 with error and failed_operation",
          r.status == 422 and isinstance(r.json, dict) and r.json.get("failed_operation") == "bad"
          and r.json.get("error") and r.json.get("code") == "23514", r)
    check("... and nothing was written", snapshot() == before
          and count("rb_orders", "label = 'gone'") == 0)
    r = batch([
        {"id": "o", "method": "POST", "path": "/rb_orders", "body": {"total": 5, "label": "gone2"}},
        {"id": "i", "method": "POST", "path": "/rb_items",
         "body": {"order_id": "{{o.id}}", "product_id": None}},
    ])
    check("a failure in a later round trip (after a reference) also rolls back everything",
          r.status == 422 and r.json.get("failed_operation") == "i" and snapshot() == before, r)
    r = batch([
        {"id": "o", "method": "POST", "path": "/rb_orders", "body": {"total": 5, "label": "gone3"}},
        {"id": "i", "method": "POST", "path": "/rb_items",
         "body": {"order_id": "{{o.nope}}", "product_id": 1}},
    ])
    check("a reference to a field the result lacks: 422, rolled back",
          r.status == 422 and r.json.get("failed_operation") == "i" and "nope" in r.json.get("error", "")
          and snapshot() == before, r)
    r = batch([
        {"id": "o", "method": "POST", "path": "/rb_orders", "body": {"total": 5, "label": "gone4"}},
        {"id": "one", "method": "GET", "path": "/rb_orders?label=eq.none",
         "headers": {"Accept": "application/vnd.pgrst.object+json"}},
    ])
    check("a read that fails in its reply (406 object) also rolls back the batch",
          r.status == 422 and r.json.get("failed_operation") == "one" and snapshot() == before, r)


def test_partial():
    r = batch([
        {"id": "a", "method": "POST", "path": "/rb_orders", "body": {"total": 1, "label": "p1"}},
        {"id": "b", "method": "POST", "path": "/rb_orders", "body": {"total": -5, "label": "p2"}},
        {"id": "c", "method": "PATCH", "path": "/rb_orders?label=eq.p1", "body": {"label": "p1x"}},
        {"id": "d", "method": "POST", "path": "/rb_items",
         "body": {"order_id": "{{b.id}}", "product_id": 1}},
        {"id": "e", "method": "GET", "path": "/rb_orders?label=like.p*&select=label"},
    ], atomic=False)
    check("atomic false: 207 with a status per operation",
          r.status == 207 and statuses(r) == [201, 400, 200, 400, 200], r)
    check("failed results carry an error, good ones data",
          "error" in result(r, 1) and result(r, 1)["error"].get("code") == "23514"
          and result(r, 2).get("data") and result(r, 2)["data"][0]["label"] == "p1x", r)
    check("a reference to a failed operation fails that operation only",
          "b" in (result(r, 3).get("error") or {}).get("message", ""), r)
    check("the operations after a failure see the earlier writes",
          result(r, 4).get("data") == [{"label": "p1x"}], r)
    check("the database has what succeeded and not what failed",
          count("rb_orders", "label = 'p1x'") == 1 and count("rb_orders", "label = 'p2'") == 0)
    r = batch([{"id": "x", "method": "POST", "path": "/rb_orders", "body": {"total": -1}}],
              atomic=False)
    check("partial mode with only a failure: 207", r.status == 207 and statuses(r) == [400], r)


def test_references():
    hostile = "1; drop table rb_canary; -- ' \\ %"
    r = batch([
        {"id": "a", "method": "POST", "path": "/rb_orders",
         "body": {"total": 2, "label": hostile}},
        {"id": "b", "method": "POST", "path": "/rb_items",
         "body": {"order_id": "{{a.id}}", "product_id": 3, "note": "for {{a.label}} #{{a.id}}"}},
        {"id": "c", "method": "GET",
         "path": "/rb_orders?label=eq.{{a.label}}&select=id,rb_items(note)"},
    ])
    a_id = (result(r, 0).get("data") or {}).get("id")
    check("references resolve in one transaction", r.status == 200
          and statuses(r) == [201, 201, 200], r)
    check("a reference inside text is replaced by the value's text",
          (result(r, 1).get("data") or {}).get("note") == "for %s #%s" % (hostile, a_id), r)
    check("a value that looks like SQL travels as a parameter and matches exactly",
          result(r, 2).get("data") == [{"id": a_id, "rb_items": [
              {"note": "for %s #%s" % (hostile, a_id)}]}]
          and count("rb_canary") == 1, r)
    r = batch([
        {"id": "a", "method": "GET", "path": "/rb_orders?label=eq.nothing-here"},
        {"id": "b", "method": "POST", "path": "/rb_orders", "body": {"total": 1, "label": "{{a.id}}"}},
    ])
    check("a reference to an empty result: 422", r.status == 422
          and r.json.get("failed_operation") == "b", r)


def test_catalog_refresh():
    psql("create table rb_late (id int primary key, name text); "
         "grant select, insert on rb_late to service_role")
    r = batch([{"id": "a", "method": "POST", "path": "/rb_late", "body": {"id": 1, "name": "new"}},
               {"id": "b", "method": "GET", "path": "/rb_late?select=name"}])
    check("a table created just before is known to a batch (catalog reloaded)",
          r.status == 200 and result(r, 1).get("data") == [{"name": "new"}], r)


def test_limit():
    ops = [{"id": "g%d" % i, "method": "GET", "path": "/rb_canary?select=id"} for i in range(101)]
    r = batch(ops)
    check("more than BATCH_MAX_OPERATIONS (100): 400 naming the limit",
          r.status == 400 and "BATCH_MAX_OPERATIONS" in r.json.get("error", ""), r)
    r = batch(ops[:100])
    check("exactly 100 operations: 200", r.status == 200 and len(statuses(r) or []) == 100, r)


def test_row_level_security():
    psql("delete from rb_notes; insert into rb_notes values (1, '%s', 'of A'), (2, '%s', 'of B')"
         % (USER_A, USER_B))
    before = snapshot()
    r = batch([
        {"id": "see", "method": "GET", "path": "/rb_notes?select=id,body"},
        {"id": "edit", "method": "PATCH", "path": "/rb_notes?id=eq.1", "body": {"body": "hacked"}},
        {"id": "drop", "method": "DELETE", "path": "/rb_notes?id=eq.1"},
    ], token=TOKEN_B)
    check("user B in a batch sees only B's rows and changes none of A's",
          r.status == 200 and result(r, 0).get("data") == [{"id": 2, "body": "of B"}]
          and result(r, 1).get("data") == [] and result(r, 2).get("data") == []
          and snapshot() == before, r)
    r = batch([
        {"id": "mine", "method": "PATCH", "path": "/rb_notes?id=eq.2", "body": {"body": "B2"}},
        {"id": "forge", "method": "POST", "path": "/rb_notes",
         "body": {"id": 3, "owner": USER_A, "body": "forged"}},
    ], token=TOKEN_B)
    check("a row for another owner: RLS violation, 422, B's own change rolled back too",
          r.status == 422 and r.json.get("failed_operation") == "forge"
          and r.json.get("code") == "42501" and snapshot() == before, r)
    r = batch([
        {"id": "mine", "method": "PATCH", "path": "/rb_notes?id=eq.2", "body": {"body": "B2"}},
        {"id": "forge", "method": "POST", "path": "/rb_notes",
         "body": {"id": 3, "owner": USER_A, "body": "forged"}},
    ], atomic=False, token=TOKEN_B)
    check("partial mode: B's own change is kept, the forged row refused (403)",
          r.status == 207 and statuses(r) == [200, 403]
          and psql("select string_agg(body, ',' order by id) from rb_notes") == "of A,B2", r)
    r = batch([{"id": "see", "method": "GET", "path": "/rb_notes?select=id"}], token=TOKEN_A)
    check("user A sees only A's row", r.status == 200 and result(r, 0).get("data") == [{"id": 1}], r)
    r = call("POST", "batch", "", {"operations": []}, token=None)
    check("with the anon key only, a batch runs as anon", r.status == 200, r)
    r = batch([{"id": "see", "method": "GET", "path": "/rb_notes?select=id"}], token=ANON)
    check("anon sees no notes (no policy for anon)", r.status == 200
          and result(r, 0).get("data") == [], r)


def hostile_cases():
    ok = {"id": "ok", "method": "POST", "path": "/rb_orders", "body": {"total": 1, "label": "h"}}
    return [
        ("unknown method", [ok, {"id": "x", "method": "PUT", "path": "/rb_orders"}], 400),
        ("method missing", [ok, {"id": "x", "path": "/rb_orders"}], 400),
        ("path without slash", [ok, {"id": "x", "method": "GET", "path": "rb_orders"}], 400),
        ("path with two segments", [ok, {"id": "x", "method": "GET", "path": "/rb_orders/1"}], 400),
        ("rpc path", [ok, {"id": "x", "method": "POST", "path": "/rpc/f", "body": {}}], 400),
        ("unknown table", [ok, {"id": "x", "method": "GET", "path": "/rb_nothing"}], 404),
        ("table with quote and semicolon",
         [ok, {"id": "x", "method": "GET", "path": "/rb_orders%22;drop%20table%20rb_canary"}], 404),
        ("unknown column", [ok, {"id": "x", "method": "GET", "path": "/rb_orders?select=nope"}], 400),
        ("bad filter", [ok, {"id": "x", "method": "GET", "path": "/rb_orders?id=zz.1"}], 400),
        ("PATCH without filter", [ok, {"id": "x", "method": "PATCH", "path": "/rb_orders",
                                       "body": {"label": "all"}}], 400),
        ("GET with a body", [ok, {"id": "x", "method": "GET", "path": "/rb_orders", "body": {}}],
         400),
        ("body of the wrong kind", [ok, {"id": "x", "method": "POST", "path": "/rb_orders",
                                         "body": 5}], 400),
        ("unknown column in a body", [ok, {"id": "x", "method": "POST", "path": "/rb_orders",
                                           "body": {"nope": 1}}], 400),
        ("reference without field", [ok, {"id": "x", "method": "POST", "path": "/rb_items",
                                          "body": {"order_id": "{{ok}}"}}], 400),
        ("unclosed reference", [ok, {"id": "x", "method": "POST", "path": "/rb_items",
                                     "body": {"order_id": "{{ok.id"}}], 400),
        ("reference to a later operation",
         [{"id": "x", "method": "POST", "path": "/rb_items", "body": {"order_id": "{{ok.id}}",
                                                                     "product_id": 1}}, ok], 400),
        ("reference to an unknown operation",
         [ok, {"id": "x", "method": "GET", "path": "/rb_orders?id=eq.{{who.id}}"}], 400),
        ("reference to itself",
         [ok, {"id": "x", "method": "GET", "path": "/rb_orders?id=eq.{{x.id}}"}], 400),
        ("reference in a query key",
         [ok, {"id": "x", "method": "GET", "path": "/rb_orders?{{ok.id}}=eq.1"}], 400),
        ("duplicate id", [ok, dict(ok)], 400),
        ("id with odd characters", [ok, {"id": "a'b", "method": "GET", "path": "/rb_orders"}], 400),
        ("id missing", [ok, {"method": "GET", "path": "/rb_orders"}], 400),
        ("operation not an object", [ok, "GET /rb_orders"], 400),
        ("unsupported header", [ok, {"id": "x", "method": "GET", "path": "/rb_orders",
                                     "headers": {"Authorization": "Bearer x"}}], 400),
        ("bad percent escape", [ok, {"id": "x", "method": "GET", "path": "/rb_orders?id=eq.%zz"}],
         400),
    ]


def test_hostile_input():
    before = snapshot()
    for name, ops, status in hostile_cases():
        r = batch(ops)
        check("%s: %d before anything runs" % (name, status),
              r.status == status and isinstance(r.json, dict) and r.json.get("error")
              and r.json.get("failed_operation") and snapshot() == before, r)
    for name, raw in [("not JSON", b"{nope"), ("an array", [1]),
                      ("operations not an array", {"operations": {}}),
                      ("atomic not a boolean", {"atomic": "yes", "operations": []}),
                      ("NUL in a value", b'{"operations":[{"id":"a","method":"POST",'
                                         b'"path":"/rb_orders","body":{"label":"\\u0000"}}]}')]:
        r = batch(None, raw=raw)
        check("body %s: 400" % name, r.status == 400 and r.json.get("error")
              and snapshot() == before, r)
    check("the canary table is still there", count("rb_canary") == 1)


def main():
    try:
        setup()
    except Exception as e:  # no fixture, no checks
        check("fixture created", False, e)
        print("%d passed, %d failed" % (results["passed"], results["failed"]))
        return 1
    tests = [test_atomic_success, test_atomic_failure, test_partial, test_references, test_catalog_refresh, test_limit,
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
