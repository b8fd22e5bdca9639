#!/usr/bin/env python3
"""Live queries (pgr, sql/0008_realtime.sql) through the realtime daemon:
pgr.subscribe and /ws/{query_id} (subscribed with seq, presence_join),
deltas with gapless seq, each subscriber's rows narrowed by its own
row-level security (two users, anon, service_role), deletions
(service_role gets the rows; subscribers checked by RLS get an overflow
with fetch: true), a statement that does not change the result sends
nothing, mode 'notify' (invalidated), overflow over the NOTIFY limit and on
a changed column layout, the audience gate (WebSocket and GET
/ws/_presence), unsubscribe, REQUIRE_AUTHENTICATED_WS (on a second daemon
this suite starts), and a PostgreSQL restart: the daemon reconnects and
every subscriber gets an overflow instead of silence. Standard library
only."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, BASE, ENV, ROOT, SERVICE, check, psql, run_suite, sign  # noqa: E402
from realtime_ws import WS, Refused  # noqa: E402

USERS = {"u1": None, "u2": None}


def token(sub, extra=None):
    claims = {"sub": sub, "role": "authenticated", "aud": "authenticated",
              "exp": int(time.time()) + 3600}
    claims.update(extra or {})
    return sign(claims)


def live(query_id, cred="token", value=None, addr=None):
    c = WS(addr or BASE, "/ws/%s?%s=%s" % (query_id, cred, value))
    c.hello = c.recv_json()
    return c


def next_data(c, timeout=5):
    """The next delta / invalidated / overflow message (presence skipped)."""
    return c.wait_for(lambda m: isinstance(m, dict) and "seq" in m and m.get("type") != "subscribed",
                      timeout)


def silent(c, timeout=0.7):
    try:
        m = next_data(c, timeout)
        return m
    except (socket.timeout, TimeoutError):
        return None


def rows(msg, key="inserted"):
    return sorted((r["id"], r["owner"]) for r in msg.get(key, []))


def setup():
    psql("""
drop table if exists public.rt_items cascade;
create table public.rt_items (id int primary key, owner text not null, title text not null);
alter table public.rt_items enable row level security;
create policy rt_items_own on public.rt_items for select to authenticated
  using (owner = auth.jwt() ->> 'sub');
insert into public.rt_items values (1, 'u1', 'first');
select pgr.subscribe('rt_items_live', 'select id, owner, title from public.rt_items where title <> ''hidden''');
select pgr.subscribe('rt_items_notify', 'select id from public.rt_items', 'notify');
select pgr.subscribe('rt_items_red', 'select id, owner from public.rt_items', 'delta',
                     '{"app_metadata": {"team": "red"}}');
""")
    time.sleep(0.5)  # the daemon reloads the registry on NOTIFY pgr_meta


def teardown():
    psql("select pgr.unsubscribe(q) from unnest(array['rt_items_live', 'rt_items_notify', "
         "'rt_items_red', 'rt_items_star']) q; drop table if exists public.rt_items cascade;")


def test_deltas_and_rls():
    u1 = live("rt_items_live", "token", token("u1"))
    u2 = live("rt_items_live", "token", token("u2"))
    an = live("rt_items_live", "apikey", ANON)
    sv = live("rt_items_live", "apikey", SERVICE)
    check("live: subscribed with the query id and its seq",
          u1.hello.get("type") == "subscribed" and u1.hello.get("query_id") == "rt_items_live"
          and isinstance(u1.hello.get("seq"), int), u1.hello)
    seq0 = u1.hello["seq"]
    psql("insert into public.rt_items values (2, 'u2', 'b'), (3, 'u1', 'c')")
    m1, m2, ma, ms = next_data(u1), next_data(u2), next_data(an), next_data(sv)
    check("live: one change -> seq + 1 for every subscriber",
          [m["seq"] for m in (m1, m2, ma, ms)] == [seq0 + 1] * 4, (m1, m2, ma, ms))
    check("live: each user gets only the rows its RLS lets it see",
          rows(m1) == [(3, "u1")] and rows(m2) == [(2, "u2")] and m1["deleted"] == [], (m1, m2))
    check("live: anon (no policy) gets the delta with no rows", rows(ma) == [] and "inserted" in ma, ma)
    check("live: service_role gets every row", rows(ms) == [(2, "u2"), (3, "u1")], ms)
    psql("update public.rt_items set title = 'still hidden' where id = 999")
    check("live: a statement that does not change the result sends nothing",
          silent(u1) is None and silent(sv, 0.3) is None)
    psql("update public.rt_items set title = 'c2' where id = 3")
    ms, m1 = next_data(sv), next_data(u1)
    check("live: UPDATE -> service_role gets the old row deleted and the new one inserted",
          ms["seq"] == seq0 + 2 and rows(ms) == [(3, "u1")] and rows(ms, "deleted") == [(3, "u1")]
          and ms["inserted"][0]["title"] == "c2", ms)
    check("live: a subscriber checked by RLS gets an overflow with fetch: true when rows were removed",
          m1 == {"type": "overflow", "query_id": "rt_items_live", "seq": seq0 + 2, "fetch": True}, m1)
    psql("update public.rt_items set title = 'hidden' where id = 2")
    ms = next_data(sv)
    check("live: a row leaving the result is a deletion", rows(ms, "deleted") == [(2, "u2")]
          and ms["inserted"] == [] and ms["seq"] == seq0 + 3, ms)
    for c in (u1, u2, an, sv):
        c.close()


def test_presence_on_query_channel():
    a = live("rt_items_live", "token", token("u1"))
    b = live("rt_items_live", "token", token("u2"))
    j = a.wait_for(lambda m: m.get("type") == "presence_join" and m.get("client_id") == b.hello["client_id"])
    check("live: joining a query's channel is a presence_join with the server-made id",
          j["channel"] == "rt_items_live", j)
    b.send_json({"type": "broadcast", "payload": {"hi": 1}})
    got = a.wait_for(lambda m: m.get("type") == "broadcast")
    check("live: broadcast on a query channel carries the sender's id",
          got["from"] == b.hello["client_id"], got)
    a.close()
    b.close()


def test_notify_mode():
    c = live("rt_items_notify", "apikey", SERVICE)
    psql("insert into public.rt_items values (10, 'u1', 'n')")
    m = next_data(c)
    check("live: mode notify -> invalidated with seq",
          m == {"type": "invalidated", "query_id": "rt_items_notify", "seq": c.hello["seq"] + 1}, m)
    c.close()


def test_overflow():
    c = live("rt_items_live", "apikey", SERVICE)
    psql("insert into public.rt_items select g, 'u1', repeat('x', 100) from generate_series(100, 199) g")
    m = next_data(c)
    check("live: a delta over the NOTIFY limit (7897 bytes) becomes an overflow with fetch: true",
          m.get("type") == "overflow" and m.get("fetch") is True and m["seq"] == c.hello["seq"] + 1, m)
    psql("select pgr.subscribe('rt_items_star', 'select * from public.rt_items where id < 5')")
    time.sleep(0.5)
    s = live("rt_items_star", "apikey", SERVICE)
    psql("alter table public.rt_items add column extra int; insert into public.rt_items values (4, 'u1', 'd', 1)")
    m = next_data(s)
    check("live: a changed column layout is an overflow with fetch: true",
          m.get("type") == "overflow" and m.get("fetch") is True, m)
    c.close()
    s.close()


def refusal(path, headers=None):
    try:
        WS(BASE, path, headers).close()
        return None
    except Refused as e:
        return e


def test_audience():
    red = token("r1", {"app_metadata": {"team": "red", "level": 3}})
    blue = token("b1", {"app_metadata": {"team": "blue"}})
    check("audience: claims containing it open the socket",
          refusal("/ws/rt_items_red?token=" + red) is None)
    e = refusal("/ws/rt_items_red?token=" + blue)
    check("audience: other claims -> 403 before the upgrade", e and e.status == 403 and "error" in e.json, e)
    e = refusal("/ws/rt_items_red?apikey=" + ANON)
    check("audience: the anon key -> 403", e and e.status == 403, e)
    for tok, want in ((red, 200), (blue, 403)):
        req = urllib.request.Request(BASE + "/ws/_presence/rt_items_red",
                                     headers={"Authorization": "Bearer " + tok})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                status = r.status
        except urllib.error.HTTPError as err:
            status = err.code
        check("audience: GET /ws/_presence/{query} with %s claims -> %d" % ("matching" if want == 200 else "other", want),
              status == want, status)


def test_unsubscribe():
    psql("select pgr.unsubscribe('rt_items_notify')")
    time.sleep(0.5)
    e = refusal("/ws/rt_items_notify?apikey=" + ANON)
    check("live: after pgr.unsubscribe the id is a 404", e and e.status == 404, e)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_require_authenticated():
    port = free_port()
    env = dict(os.environ, PGSTACK_CONFIG=os.path.join(ROOT, ".dev", "pgstack.conf"),
               REALTIME_ADDR="127.0.0.1:%d" % port, REQUIRE_AUTHENTICATED_WS="true")
    log = open(os.path.join(ROOT, ".dev", "logs", "realtime-second.log"), "a")
    build = ENV.get("PGSTACK_BUILD_DIR", os.path.join(ROOT, ".dev", "build"))
    p = subprocess.Popen([os.path.join(build, "pgstack-realtime")], env=env, stdout=log, stderr=log)
    try:
        addr = "127.0.0.1:%d" % port
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        try:
            WS(addr, "/ws/_channel_x?apikey=" + ANON).close()
            e = None
        except Refused as err:
            e = err
        check("REQUIRE_AUTHENTICATED_WS=true: the anon key -> 401", e and e.status == 401, e)
        try:
            WS(addr, "/ws/_channel_x?token=" + token("u1")).close()
            ok = True
        except Refused as err:
            ok = err
        check("REQUIRE_AUTHENTICATED_WS=true: a user JWT is served", ok is True, ok)
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = "killed"
        log.close()
    check("the second daemon stops cleanly on SIGTERM", rc == 0, rc)


def test_postgres_restart():
    c = live("rt_items_live", "apikey", SERVICE)
    u = live("rt_items_live", "token", token("u1"))
    res = subprocess.run([os.path.join(ROOT, "scripts", "dev"), "pg", "restart"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    if res.returncode != 0:
        check("PostgreSQL restarted (scripts/dev pg restart)", False, res.stdout[-500:])
        return
    m, mu = next_data(c, 15), next_data(u, 15)
    check("after a PostgreSQL restart every subscriber gets an overflow with fetch: true",
          m.get("type") == "overflow" and m.get("fetch") is True and mu.get("type") == "overflow", (m, mu))
    for _ in range(50):
        try:
            psql("insert into public.rt_items values (50, 'u1', 'after')")
            break
        except Exception:
            time.sleep(0.2)
    m, mu = next_data(c, 10), next_data(u, 10)
    check("after the reconnect deltas flow again (seq continues, RLS still applied)",
          (50, "u1") in rows(m) and rows(mu) == [(50, "u1")] and mu["seq"] == m["seq"], (m, mu))
    c.close()
    u.close()
    for _ in range(100):  # leave the stack healthy for the suites that follow
        try:
            with urllib.request.urlopen(BASE + "/health", timeout=2) as r:
                if r.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_deltas_and_rls, test_presence_on_query_channel, test_notify_mode,
                               test_overflow, test_audience, test_unsubscribe,
                               test_require_authenticated, test_postgres_restart], teardown))
