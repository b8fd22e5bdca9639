#!/usr/bin/env python3
"""postgres_changes through the realtime daemon (sql/0012_realtime_changes.sql,
src/realtime/pgchanges*.c), on raw Phoenix sockets in vsn 1.0.0 and 2.0.0:
the join reply echoes the bindings with ids, a system message per binding
(subscribed, or why not: table not in the publication, no SELECT privilege,
bad filter), the payload's shape (columns, record, old_record, errors,
commit_timestamp), every event (INSERT, UPDATE, DELETE, *) and filter (eq,
neq, lt, lte, gt, gte, in; like, not. and two conditions ANDed) with `ids`
naming only the matching bindings, row-level security per subscriber (two
users and anon; column privileges; DELETE checked on the old row; a binding
asked about again after an access_token push), REPLICA IDENTITY FULL, the
publication kept in sync by the event trigger (a partitioned table too),
a binding's `select` list (key columns always kept, one message per
distinct list), regular expressions refused before glibc's regcomp could
blow up, a row over 1 MB cut to its short values with `Error 413:
Payload Too Large`, commit order across concurrent transactions, 1200 rows in several read
batches, two daemons reading the same changes, and a PostgreSQL restart (a
system message, then changes flow again). Standard library only."""
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, BASE, ENV, ROOT, SERVICE, check, psql, run_suite, user_token  # noqa: E402
from realtime_ws import WS, start_daemon, stop_daemon  # noqa: E402

VSNS = ("1.0.0", "2.0.0")
REF = [0]


def fields(msg):
    """(join_ref, ref, topic, event, payload) of a vsn 1 or 2 frame."""
    if isinstance(msg, list):
        return tuple(msg)
    return msg.get("join_ref"), msg.get("ref"), msg["topic"], msg["event"], msg["payload"]


class Phx:
    """One Phoenix socket with helpers for joins and postgres_changes."""

    def __init__(self, vsn="1.0.0", key=ANON, addr=None):
        self.vsn = vsn
        self.ws = WS(addr or BASE, "/realtime/v1/websocket?apikey=%s&vsn=%s" % (key, vsn))
        self.pending = []

    def send(self, topic, event, payload, join_ref=None):
        REF[0] += 1
        ref = str(REF[0])
        if self.vsn == "2.0.0":
            self.ws.send_json([join_ref, ref, topic, event, payload])
        else:
            self.ws.send_json({"topic": topic, "event": event, "payload": payload, "ref": ref,
                               "join_ref": join_ref})
        return ref

    def next(self, pred, timeout=5):
        for i, m in enumerate(self.pending):
            if pred(m):
                return self.pending.pop(i)
        deadline = time.time() + timeout
        while True:
            m = fields(self.ws.recv_json(max(0.05, deadline - time.time())))
            if pred(m):
                return m
            self.pending.append(m)

    def join(self, topic, bindings, token=None):
        """The join reply's payload and the system messages (one per binding)."""
        payload = {"config": {"broadcast": {"self": False}, "presence": {"key": ""},
                              "postgres_changes": bindings}}
        if token:
            payload["access_token"] = token
        ref = self.send("realtime:" + topic, "phx_join", payload, join_ref=None)
        reply = self.next(lambda m: m[1] == ref and m[3] == "phx_reply")[4]
        systems = [self.next(lambda m: m[3] == "system" and m[2] == "realtime:" + topic)[4]
                   for _ in bindings]
        return reply, systems

    def change(self, timeout=5):
        return self.next(lambda m: m[3] == "postgres_changes", timeout)[4]

    def changes(self, n, timeout=5):
        return [self.change(timeout) for _ in range(n)]

    def silent(self, timeout=0.8):
        try:
            return self.change(timeout)
        except (socket.timeout, TimeoutError):
            return None

    def close(self):
        self.ws.close()


PUBLICATION = """
do $$ begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end $$;
"""


def setup():
    psql(PUBLICATION)
    psql("""
drop table if exists public.rtc_items, public.rtc_full, public.rtc_hidden, public.rtc_private,
  public.rtc_late, public.rtc_members cascade;
create table public.rtc_items (id int primary key, owner text not null, n int, title text,
                               secret text);
alter table public.rtc_items enable row level security;
create policy rtc_own on public.rtc_items for select to authenticated
  using (owner = auth.jwt() ->> 'sub');
create policy rtc_pub on public.rtc_items for select to anon using (owner = 'pub');
revoke select on public.rtc_items from anon;
grant select (id, owner, n, title) on public.rtc_items to anon;
create table public.rtc_full (id int primary key, title text, n int);
alter table public.rtc_full replica identity full;
create table public.rtc_hidden (id int primary key);
create table public.rtc_private (id int primary key);
revoke all on public.rtc_private from anon, authenticated;
create table public.rtc_members (id int primary key);
revoke all on public.rtc_members from anon;
create table public.rtc_late (id int primary key);
alter publication supabase_realtime add table public.rtc_items, public.rtc_full,
  public.rtc_private, public.rtc_members;
""")


def teardown():
    psql("""
alter publication supabase_realtime drop table public.rtc_items, public.rtc_full,
  public.rtc_private, public.rtc_members;
drop table if exists public.rtc_items, public.rtc_full, public.rtc_hidden, public.rtc_private,
  public.rtc_late, public.rtc_members cascade;
""")


def clear_items():
    """Empties rtc_items and lets the daemon read those DELETEs before the
    next join (a change committed before a join but read after it reaches
    the new channel too)."""
    psql("delete from public.rtc_items")
    time.sleep(0.5)


def b(event, table="rtc_items", filt=None, schema="public"):
    out = {"event": event, "schema": schema, "table": table}
    if filt:
        out["filter"] = filt
    return out


def test_join_and_status():
    for vsn in VSNS:
        c = Phx(vsn, SERVICE)
        bindings = [b("*"), b("INSERT", filt="id=eq.3"), b("*", "rtc_hidden"),
                    b("INSERT", filt="id=foo.3"), b("*", "rtc_nope")]
        reply, systems = c.join("status", bindings)
        echoed = reply["response"]["postgres_changes"]
        check("%s: the ok reply echoes the bindings in order, each with an id" % vsn,
              reply["status"] == "ok" and len(echoed) == 5
              and all({k: e[k] for k in bindings[i]} == bindings[i] and "id" in e
                      for i, e in enumerate(echoed))
              and len({e["id"] for e in echoed}) == 5, reply)
        by_id = {s.get("id"): s for s in systems}
        ids = [e["id"] for e in echoed]
        ok = [by_id.get(i, {}) for i in ids]
        check("%s: a system message per binding: two subscribed" % vsn,
              all(s.get("status") == "ok" and s.get("extension") == "postgres_changes"
                  and s.get("message") == "Subscribed to PostgreSQL" and s.get("channel") == "status"
                  for s in ok[:2]), systems)
        check("%s: a table not in the publication is named in an error" % vsn,
              ok[2].get("status") == "error" and "publication supabase_realtime" in ok[2]["message"],
              ok[2])
        check("%s: a bad filter operator is an error (Error parsing `filter` params)" % vsn,
              ok[3].get("status") == "error" and "Error parsing `filter` params" in ok[3]["message"],
              ok[3])
        check("%s: a missing table is an error" % vsn,
              ok[4].get("status") == "error" and "does not exist" in ok[4]["message"], ok[4])
        c.close()
    c = Phx("1.0.0", ANON)
    _, systems = c.join("priv", [b("*", "rtc_private")])
    check("no SELECT privilege -> an error naming it",
          systems[0]["status"] == "error" and "no SELECT privilege" in systems[0]["message"], systems)
    c.close()


def test_events_and_filters():
    for vsn in VSNS:
        clear_items()
        c = Phx(vsn, SERVICE)
        names = ["insert", "update", "delete", "all", "eq", "neq", "lt", "lte", "gt", "gte", "in",
                 "other_table", "like_and", "not_eq"]
        bindings = [b("INSERT"), b("UPDATE"), b("DELETE"), b("*"),
                    b("*", filt="n=eq.5"), b("INSERT", filt="n=neq.5"), b("INSERT", filt="n=lt.5"),
                    b("INSERT", filt="n=lte.5"), b("INSERT", filt="n=gt.5"),
                    b("INSERT", filt="n=gte.5"), b("INSERT", filt="title=in.(a,\"b,c\")"),
                    b("*", "rtc_full"), b("INSERT", filt="title=like.b%,n=gte.5"),
                    b("INSERT", filt="n=not.eq.5")]
        reply, systems = c.join("events", bindings)
        ids = {e["id"]: names[i] for i, e in enumerate(reply["response"]["postgres_changes"])}
        check("%s: every binding subscribed" % vsn, all(s["status"] == "ok" for s in systems),
              systems)

        def named(msg):
            return sorted(ids[i] for i in msg["ids"])

        psql("insert into public.rtc_items values (1, 'x', 4, 'a', 's'), (2, 'x', 5, 'b,c', 's'),"
             " (3, 'x', 6, 'z', 's')")
        m1, m2, m3 = c.changes(3)
        check("%s: INSERT n=4: insert, all, neq, lt, lte, in, not.eq" % vsn,
              named(m1) == sorted(["insert", "all", "neq", "lt", "lte", "in", "not_eq"]), m1)
        check("%s: INSERT n=5: insert, all, eq, lte, gte, in (quoted value with a comma), "
          "like and gte ANDed" % vsn,
          named(m2) == sorted(["insert", "all", "eq", "lte", "gte", "in", "like_and"]), m2)
        check("%s: INSERT n=6: insert, all, neq, gt, gte, not.eq" % vsn,
              named(m3) == sorted(["insert", "all", "neq", "gt", "gte", "not_eq"]), m3)
        d = m1["data"]
        check("%s: the INSERT payload as supabase-js maps it" % vsn,
              d["schema"] == "public" and d["table"] == "rtc_items" and d["type"] == "INSERT"
              and d["record"] == {"id": 1, "owner": "x", "n": 4, "title": "a", "secret": "s"}
              and d["errors"] is None and "old_record" not in d
              and d["columns"][:3] == [{"name": "id", "type": "int4"},
                                       {"name": "owner", "type": "text"},
                                       {"name": "n", "type": "int4"}]
              and d["commit_timestamp"].endswith("Z") and "T" in d["commit_timestamp"], d)
        psql("update public.rtc_items set n = 5, title = 'u' where id = 1")
        m = c.change()
        check("%s: UPDATE: update, all, eq (filter on the new row); old_record is the key" % vsn,
              named(m) == ["all", "eq", "update"] and m["data"]["type"] == "UPDATE"
              and m["data"]["record"]["title"] == "u" and m["data"]["old_record"] == {"id": 1}, m)
        psql("delete from public.rtc_items where id = 3")
        m = c.change()
        check("%s: DELETE: delete, all; old_record is the key, no record" % vsn,
              named(m) == ["all", "delete"] and m["data"]["old_record"] == {"id": 3}
              and "record" not in m["data"], m)
        psql("insert into public.rtc_full values (1, 'f', 1); update public.rtc_full set n = 2")
        m1, m2 = c.changes(2)
        check("%s: REPLICA IDENTITY FULL: old_record is the whole old row" % vsn,
              named(m2) == ["other_table"] and m2["data"]["old_record"] == {"id": 1, "title": "f", "n": 1}
              and m2["data"]["record"]["n"] == 2, (m1, m2))
        psql("delete from public.rtc_full; insert into public.rtc_hidden values (1)")
        c.change()
        check("%s: a change to an unpublished table sends nothing" % vsn, c.silent() is None)
        psql("delete from public.rtc_hidden")
        c.close()


def test_select_and_large_rows():
    clear_items()
    c = Phx("2.0.0", SERVICE)
    names = ["all", "title", "n_title", "upd_title"]
    bindings = [b("INSERT"), dict(b("INSERT"), select=["title"]),
                dict(b("*"), select=["title", "n"]), dict(b("UPDATE"), select=["title"])]
    reply, systems = c.join("select", bindings)
    check("bindings with select subscribed", all(s["status"] == "ok" for s in systems), systems)
    ids = {e["id"]: names[i] for i, e in enumerate(reply["response"]["postgres_changes"])}
    check("the join reply echoes select", reply["response"]["postgres_changes"][1].get("select")
          == ["title"], reply)

    def by_names(msgs):
        return {",".join(sorted(ids[i] for i in m["ids"])): m["data"] for m in msgs}

    psql("insert into public.rtc_items values (50, 'x', 7, 't', 's')")
    got = by_names(c.changes(3))
    check("INSERT: one message per distinct select list, naming its bindings",
          sorted(got) == ["all", "n_title", "title"], got)
    check("no select: every column", got.get("all", {}).get("record")
          == {"id": 50, "owner": "x", "n": 7, "title": "t", "secret": "s"}, got)
    check("select [title]: the key and title, in record and columns",
          got.get("title", {}).get("record") == {"id": 50, "title": "t"}
          and [col["name"] for col in got["title"]["columns"]] == ["id", "title"], got)
    check("select [title, n]: the key, n and title", got.get("n_title", {}).get("record")
          == {"id": 50, "n": 7, "title": "t"}, got)
    check("nothing else was sent", c.silent() is None)
    psql("update public.rtc_items set title = 'u' where id = 50")
    got = by_names(c.changes(2))
    check("UPDATE: one message per select list, old_record narrowed to the key",
          sorted(got) == ["n_title", "upd_title"]
          and got["upd_title"]["record"] == {"id": 50, "title": "u"}
          and got["upd_title"]["old_record"] == {"id": 50}, got)
    _, systems = c.join("select-bad", [dict(b("INSERT"), select="title")])
    check("a select that is not a list of column names is an error naming it",
          systems[0]["status"] == "error" and "select must be" in systems[0]["message"], systems)
    _, systems = c.join("regex-bad", [b("INSERT", filt="title=match.^." + "+" * 60),
                                      b("INSERT", filt="title=match." + "(" * 12 + "x" + ")+" * 12)])
    check("a regular expression that would blow up the daemon's regcomp is refused, not compiled",
          [s["status"] for s in systems] == ["error", "error"]
          and "quantifier operand invalid" in systems[0]["message"]
          and "too complex" in systems[1]["message"], systems)
    c.close()
    clear_items()
    c = Phx("1.0.0", SERVICE)
    c.join("large", [b("INSERT")])
    psql("insert into public.rtc_items values (51, 'x', 8, 'short', repeat('z', 1100000))")
    d = c.change(10)["data"]
    check("a row over 1 MB keeps only its short values and says Error 413",
          d["record"] == {"id": 51, "owner": "x", "n": 8, "title": "short"}
          and d["errors"] == ["Error 413: Payload Too Large"], {k: d[k] for k in d if k != "columns"})
    psql("insert into public.rtc_items values (52, 'x', 9, 'fits', repeat('y', 60000))")
    d = c.change(10)["data"]
    check("a row under 1 MB arrives whole", len(d["record"]["secret"]) == 60000
          and d["errors"] is None, d["errors"])
    c.close()


def test_rls_two_users():
    clear_items()
    u1, u2, anon = Phx("2.0.0"), Phx("1.0.0"), Phx("2.0.0")
    for c, tok in ((u1, user_token("u1")), (u2, user_token("u2")), (anon, None)):
        _, systems = c.join("rls", [b("*")], token=tok)
        check("subscribed (%s)" % (tok and "user" or "anon"), systems[0]["status"] == "ok", systems)
    psql("insert into public.rtc_items values (10, 'u1', 1, 'one', 's1'), (11, 'u2', 2, 'two', 's2'),"
         " (12, 'pub', 3, 'pub', 's3')")
    m = u1.change()
    check("u1 gets its own row only", m["data"]["record"]["id"] == 10 and u1.silent() is None, m)
    m = u2.change()
    check("u2 gets its own row only", m["data"]["record"]["id"] == 11 and u2.silent() is None, m)
    m = anon.change()
    check("anon gets the public row without the column it may not select",
          m["data"]["record"] == {"id": 12, "owner": "pub", "n": 3, "title": "pub"}
          and "secret" not in [col["name"] for col in m["data"]["columns"]]
          and anon.silent() is None, m)
    psql("delete from public.rtc_items where id = 10")
    m = u1.change()
    check("a DELETE reaches the user who could see the row, with its key",
          m["data"]["type"] == "DELETE" and m["data"]["old_record"] == {"id": 10}, m)
    check("... and nobody else (the old row is checked against RLS)",
          u2.silent() is None and anon.silent() is None)
    psql("update public.rtc_items set owner = 'u1' where id = 11")
    m = u1.change()
    check("a row that becomes visible by an UPDATE reaches its new owner",
          m["data"]["type"] == "UPDATE" and m["data"]["record"]["id"] == 11, m)
    check("... and not the old one", u2.silent() is None)
    for c in (u1, u2, anon):
        c.close()


def test_token_change():
    c = Phx("2.0.0")
    _, systems = c.join("signin", [b("INSERT", "rtc_members")])
    check("anon may not select the table: an error", systems[0]["status"] == "error", systems)
    c.send("realtime:signin", "access_token", {"access_token": user_token("u1")})
    m = c.next(lambda m: m[3] == "system")[4]
    check("after an access_token push (sign-in) the binding is asked about again: subscribed",
          m.get("status") == "ok" and m.get("message") == "Subscribed to PostgreSQL", m)
    psql("insert into public.rtc_members values (1)")
    m = c.change()
    check("and the signed-in user gets the changes", m["data"]["record"] == {"id": 1}, m)
    c.close()


def test_publication_sync():
    c = Phx("1.0.0", SERVICE)
    psql("drop publication supabase_realtime")
    try:
        _, systems = c.join("nopub", [b("INSERT", "rtc_items")])
        check("no publication supabase_realtime: an error saying how to create it",
              systems[0]["status"] == "error" and "create publication" in systems[0]["message"],
              systems)
        psql("insert into public.rtc_items values (90, 'x', 1, 'untracked', null)")
        check("its tables lost their capture triggers (DROP PUBLICATION)",
              psql("select count(*) from pgchanges.changes where table_name = 'rtc_items'") == "0")
        psql("create publication supabase_realtime for table public.rtc_late")
        _, systems = c.join("newpub", [b("INSERT", "rtc_late")])
        psql("insert into public.rtc_late values (0)")
        m = c.change()
        check("CREATE PUBLICATION supabase_realtime FOR TABLE (the spec's pitfall page): "
              "subscribed, and changes flow", systems[0]["status"] == "ok"
              and m["data"]["record"] == {"id": 0}, (systems, m))
    finally:
        psql(PUBLICATION + "alter publication supabase_realtime set table public.rtc_items, "
             "public.rtc_full, public.rtc_private, public.rtc_members")
    c.close()
    c = Phx("1.0.0", SERVICE)
    _, systems = c.join("late1", [b("INSERT", "rtc_late")])
    check("before ALTER PUBLICATION: an error", systems[0]["status"] == "error", systems)
    psql("alter publication supabase_realtime add table public.rtc_late")
    trig = psql("select count(*) from pg_trigger where tgname like 'pgchanges_capture%' "
                "and tgrelid = 'public.rtc_late'::regclass")
    check("ALTER PUBLICATION ... ADD TABLE puts the capture triggers on (event trigger)",
          trig == "3", trig)
    _, systems = c.join("late2", [b("INSERT", "rtc_late")])
    check("after it: subscribed", systems[0]["status"] == "ok", systems)
    psql("insert into public.rtc_late values (1)")
    m = c.change()
    check("and changes flow", m["data"]["record"] == {"id": 1}, m)
    psql("drop trigger pgchanges_capture_insert on public.rtc_late")
    _, systems = c.join("late3", [b("INSERT", "rtc_late")])
    check("a published table whose capture triggers are gone: an error saying so",
          systems[0]["status"] == "error" and "not captured" in systems[0]["message"], systems)
    psql("select pgchanges.sync()")
    _, systems = c.join("late4", [b("INSERT", "rtc_late")])
    check("pgchanges.sync() puts them back", systems[0]["status"] == "ok", systems)
    psql("alter publication supabase_realtime drop table public.rtc_late")
    trig = psql("select count(*) from pg_trigger where tgname like 'pgchanges_capture%' "
                "and tgrelid = 'public.rtc_late'::regclass")
    check("DROP TABLE from the publication takes the triggers off", trig == "0", trig)
    psql("insert into public.rtc_late values (2)")
    check("and nothing more is sent", c.silent() is None)
    psql("create table public.rtc_part (id int, k int, primary key (id, k)) partition by list (k);"
         "create table public.rtc_part1 partition of public.rtc_part for values in (1);"
         "alter publication supabase_realtime add table public.rtc_part")
    try:
        _, systems = c.join("part", [b("*", "rtc_part1")])
        psql("insert into public.rtc_part values (1, 1); update public.rtc_part set id = 2")
        m1, m2 = c.changes(2)
        check("a partitioned table: statements on the parent reach the partition's binding",
              systems[0]["status"] == "ok" and m1["data"]["record"] == {"id": 1, "k": 1}
              and m2["data"]["type"] == "UPDATE" and m2["data"]["old_record"] == {"id": 1, "k": 1},
              (systems, m1, m2))
    finally:
        psql("alter publication supabase_realtime drop table public.rtc_part;"
             "drop table public.rtc_part")
    c.close()


def test_ddl_of_other_roles():
    try:
        psql("create role rtc_plain; grant create on schema public to rtc_plain;"
             "set role rtc_plain; create table public.rtc_by_plain (id int primary key);"
             "reset role; drop table public.rtc_by_plain;")
        ok = True
    except RuntimeError as e:
        ok = e
    finally:
        psql("drop table if exists public.rtc_by_plain; revoke create on schema public from rtc_plain;"
             "drop role if exists rtc_plain")
    check("a role that is not a superuser still creates tables (the event trigger runs as its owner)",
          ok is True, ok)


def test_commit_order():
    clear_items()
    c = Phx("2.0.0", SERVICE)
    c.join("order", [b("INSERT")])
    slow = threading.Thread(target=psql, args=(
        "begin; insert into public.rtc_items values (20, 'x', 1, 'first in', null); "
        "select pg_sleep(1.2); commit;",))
    slow.start()
    time.sleep(0.4)
    psql("insert into public.rtc_items values (21, 'x', 1, 'second in', null)")
    slow.join()
    got = [m["data"]["record"]["id"] for m in c.changes(2)]
    check("changes arrive in commit order, and the transaction that began first but committed "
          "last (smaller id) is not skipped", got == [21, 20], got)
    psql("insert into public.rtc_items select g, 'x', g, 'bulk', null from generate_series(100, 1299) g")
    got = [m["data"]["record"]["id"] for m in c.changes(1200, timeout=15)]
    check("a 1200-row statement arrives whole and in order (several read batches)",
          got == list(range(100, 1300)), got[:5])
    time.sleep(0.5)
    left = psql("select count(*) from pgchanges.changes")
    check("delivered changes are deleted from the change table", int(left) < 10, left)
    c.close()


def test_two_daemons():
    p, addr = start_daemon(ROOT, ENV)
    try:
        one, two = Phx("1.0.0", SERVICE), Phx("2.0.0", SERVICE, addr)
        for c in (one, two):
            _, systems = c.join("two", [b("INSERT")])
            check("subscribed on %s" % ("the stack's daemon" if c is one else "a second daemon"),
                  systems[0]["status"] == "ok", systems)
        psql("insert into public.rtc_items values (40, 'x', 1, 'both', null)")
        got = [c.change()["data"]["record"]["id"] for c in (one, two)]
        check("two daemons each deliver the change to their own subscribers", got == [40, 40], got)
        readers = psql("select count(*) from pgchanges.readers")
        check("each daemon is a reader with its own cursor", int(readers) >= 2, readers)
        one.close()
        two.close()
    finally:
        check("the second daemon stops cleanly on SIGTERM", stop_daemon(p) == 0)
    psql("delete from pgchanges.readers where reader like '%% %s'" % addr)


def test_postgres_restart():
    c = Phx("1.0.0", SERVICE)
    c.join("restart", [b("INSERT")])
    res = subprocess.run([os.path.join(ROOT, "scripts", "dev"), "pg", "restart"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    if res.returncode != 0:
        check("PostgreSQL restarted (scripts/dev pg restart)", False, res.stdout[-500:])
        return
    m = c.next(lambda m: m[3] == "system", 15)[4]
    check("after a PostgreSQL restart the channel gets a system message",
          m.get("extension") == "postgres_changes" and "Reconnected" in m.get("message", ""), m)
    for _ in range(50):
        try:
            psql("insert into public.rtc_items values (30, 'x', 1, 'after', null)")
            break
        except Exception:
            time.sleep(0.2)
    m = c.change(10)
    check("after the reconnect changes flow again", m["data"]["record"]["id"] == 30, m)
    c.close()
    for _ in range(100):  # leave the stack healthy for the suites that follow
        try:
            with urllib.request.urlopen(BASE + "/health", timeout=2) as r:
                if r.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_join_and_status, test_events_and_filters,
                               test_select_and_large_rows, test_rls_two_users,
                               test_token_change,
                               test_publication_sync, test_ddl_of_other_roles, test_commit_order,
                               test_two_daemons,
                               test_postgres_restart],
                       teardown))
