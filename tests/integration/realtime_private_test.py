#!/usr/bin/env python3
"""Private channels (Realtime Authorization) on raw sockets through the web
server's WebSocket proxy, in vsn 1.0.0 and 2.0.0: RLS policies on
realtime.messages written as Supabase users write them (membership table,
realtime.topic(), auth.uid(), the extension column), three users (a member
who may write, a member who may only read, a stranger) and the anon key.
Joins are allowed by SELECT, broadcast and presence track need INSERT, the
answer is kept per join (not asked per message) and asked again on a fresh
access_token, refusals are error
replies with Supabase's reasons, a private channel is apart from the
public channel of the same name, and the REST broadcast to private topics
checks the caller the same way. Standard library only."""
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, BASE, ENV, ROOT, check, psql, run_suite, user_token  # noqa: E402
from realtime_ws import WS  # noqa: E402

RUN = uuid.uuid4().hex[:8]
WRITER, READER, STRANGER = (str(uuid.uuid4()) for _ in range(3))
TOKENS = {}
PID_FILE = os.path.join(ROOT, ".dev", "run", "realtime.pid")


def room(name):
    return "priv-%s-%s" % (RUN, name)


def setup():
    psql("""
      create table if not exists public.rt_private_members (
        user_id uuid not null, room text not null, can_write boolean not null default false);
      grant select on public.rt_private_members to authenticated;
      drop policy if exists rt_private_read on realtime.messages;
      drop policy if exists rt_private_write on realtime.messages;
      create policy rt_private_read on realtime.messages for select to authenticated using (
        exists (select 1 from public.rt_private_members m
                where m.user_id = auth.uid() and m.room = realtime.topic()));
      create policy rt_private_write on realtime.messages for insert to authenticated with check (
        exists (select 1 from public.rt_private_members m
                where m.user_id = auth.uid() and m.room = realtime.topic() and m.can_write));
    """)
    for vsn in ("1.0.0", "2.0.0"):
        for name in ("a-" + vsn, "cache-" + vsn, "refresh-" + vsn, "rest"):
            psql("insert into public.rt_private_members values ('%s', '%s', true), ('%s', '%s', false)"
                 % (WRITER, room(name), READER, room(name)))
    for who, sub in (("writer", WRITER), ("reader", READER), ("stranger", STRANGER)):
        TOKENS[who] = user_token(sub)


def teardown():
    psql("""
      drop policy if exists rt_private_read on realtime.messages;
      drop policy if exists rt_private_write on realtime.messages;
      drop table if exists public.rt_private_members;
    """)


class Phx:
    """One Phoenix socket (anon apikey) in one serializer."""

    def __init__(self, vsn):
        self.vsn, self.ref = vsn, 0
        self.c = WS(BASE, "/realtime/v1/websocket?apikey=%s&vsn=%s" % (ANON, vsn))

    def push(self, topic, event, payload, join_ref=None):
        self.ref += 1
        ref = str(self.ref)
        if self.vsn == "2.0.0":
            self.c.send_json([join_ref, ref, topic, event, payload])
        else:
            self.c.send_json({"topic": topic, "event": event, "payload": payload, "ref": ref,
                              "join_ref": join_ref})
        return ref

    @staticmethod
    def fields(msg):
        if isinstance(msg, list):
            return tuple(msg)
        if isinstance(msg, tuple):
            return (None, None, None, "binary", msg[1])
        return msg.get("join_ref"), msg.get("ref"), msg["topic"], msg["event"], msg["payload"]

    def reply(self, ref, timeout=5):
        return self.fields(self.c.wait_for(
            lambda m: self.fields(m)[1] == ref and self.fields(m)[3] == "phx_reply", timeout))[4]

    def join(self, name, token=None, private=True):
        payload = {"config": {"broadcast": {"self": False, "ack": True}, "presence": {"key": ""},
                              "private": private}}
        if token:
            payload["access_token"] = token
        topic = "realtime:" + name
        ref = self.push(topic, "phx_join", payload, join_ref=str(self.ref + 1))
        self.join_ref = ref
        return self.reply(ref)

    def broadcast(self, name, event, payload):
        return self.reply(self.push("realtime:" + name, "broadcast",
                                    {"type": "broadcast", "event": event, "payload": payload},
                                    self.join_ref))

    def track(self, name, state):
        return self.reply(self.push("realtime:" + name, "presence",
                                    {"type": "presence", "event": "track", "payload": state},
                                    self.join_ref))

    def got_broadcast(self, event, timeout=2):
        """True when a broadcast of event arrives (text in 1.0.0, kind 4 in 2.0.0)."""
        def match(m):
            f = self.fields(m)
            if f[3] == "binary":
                return f[4][:1] == b"\x04" and event.encode() in f[4]
            return f[3] == "broadcast" and f[4].get("event") == event
        try:
            self.c.wait_for(match, timeout)
            return True
        except Exception:
            return False

    def got_event(self, event, timeout=2):
        try:
            return self.fields(self.c.wait_for(lambda m: self.fields(m)[3] == event, timeout))[4]
        except Exception:
            return None

    def close(self):
        self.c.close()


def reason(r):
    return r.get("response", {}).get("reason", "") if r.get("status") == "error" else ""


def test_joins_and_messages():
    for vsn in ("1.0.0", "2.0.0"):
        name = room("a-" + vsn)
        w, r, s, anon = Phx(vsn), Phx(vsn), Phx(vsn), Phx(vsn)
        try:
            jw = w.join(name, TOKENS["writer"])
            check("%s: a member joins a private channel (SELECT allowed by RLS)" % vsn,
                  jw.get("status") == "ok", jw)
            check("%s: presence_state follows the private join" % vsn,
                  w.got_event("presence_state") is not None)
            jr = r.join(name, TOKENS["reader"])
            check("%s: a read-only member joins too" % vsn, jr.get("status") == "ok", jr)
            js = s.join(name, TOKENS["stranger"])
            check("%s: a stranger is refused: error reply with Supabase's reason" % vsn,
                  reason(js) == "Unauthorized: You do not have permissions to read from this "
                  "Channel topic: " + name, js)
            ja = anon.join(name)
            check("%s: the anon key (no access_token) is refused" % vsn,
                  reason(ja).startswith("Unauthorized:"), ja)
            b = w.broadcast(name, "hello", {"n": 1})
            check("%s: the writer's broadcast is acked (INSERT allowed)" % vsn, b.get("status") == "ok", b)
            check("%s: the read-only member receives it" % vsn, r.got_broadcast("hello"))
            b = r.broadcast(name, "sneaky", {"n": 2})
            check("%s: the read-only member's broadcast is refused with a reason" % vsn,
                  reason(b).startswith("Unauthorized: You do not have permissions to write"), b)
            check("%s: ... and nobody receives it" % vsn, not w.got_broadcast("sneaky", 1))
            t = r.track(name, {"who": "reader"})
            check("%s: presence track without INSERT permission is refused" % vsn,
                  reason(t).startswith("Unauthorized:"), t)
            t = w.track(name, {"who": "writer"})
            check("%s: the writer tracks presence" % vsn, t.get("status") == "ok", t)
            diff = r.got_event("presence_diff")
            check("%s: the reader sees the writer's presence_diff" % vsn,
                  diff is not None and "writer" in json.dumps(diff), diff)
            # the public channel of the same name is another channel
            jp = s.join(name, TOKENS["stranger"], private=False)
            check("%s: the public channel of the same name may be joined" % vsn,
                  jp.get("status") == "ok", jp)
            w.broadcast(name, "secret", {"n": 3})
            check("%s: a private broadcast does not reach the public channel of the same name" % vsn,
                  not s.got_broadcast("secret", 1))
            check("%s: ... while private members get it" % vsn, r.got_broadcast("secret"))
        finally:
            for p in (w, r, s, anon):
                p.close()


def test_cached_per_join():
    for vsn in ("1.0.0", "2.0.0"):
        name = room("cache-" + vsn)
        w, r = Phx(vsn), Phx(vsn)
        try:
            ok = w.join(name, TOKENS["writer"]).get("status") == "ok" and \
                r.join(name, TOKENS["reader"]).get("status") == "ok"
            psql("delete from public.rt_private_members where room = '%s'" % name)
            b = w.broadcast(name, "after-revoke", {})
            check("%s: permissions are kept per join, not asked per message (still allowed "
                  "after the membership row is gone)" % vsn,
                  ok and b.get("status") == "ok" and r.got_broadcast("after-revoke"), b)
            again = Phx(vsn)
            j = again.join(name, TOKENS["writer"])
            check("%s: a new join asks again and is refused" % vsn, reason(j).startswith("Unauthorized"), j)
            again.close()
        finally:
            w.close()
            r.close()


def test_token_refresh():
    """A fresh access_token on a private channel asks again as it."""
    for vsn in ("1.0.0", "2.0.0"):
        name = room("refresh-" + vsn)
        w, r = Phx(vsn), Phx(vsn)
        try:
            ok = w.join(name, TOKENS["writer"]).get("status") == "ok" and \
                r.join(name, TOKENS["reader"]).get("status") == "ok"
            psql("update public.rt_private_members set can_write = true where room = '%s' "
                 "and user_id = '%s'" % (name, READER))
            r.push("realtime:" + name, "access_token", {"access_token": user_token(READER)},
                   r.join_ref)
            time.sleep(0.5)
            b = r.broadcast(name, "now-allowed", {})
            check("%s: a fresh access_token re-runs the check: the reader, now a writer, may send"
                  % vsn, ok and b.get("status") == "ok" and w.got_broadcast("now-allowed"), b)
            psql("delete from public.rt_private_members where room = '%s' and user_id = '%s'"
                 % (name, WRITER))
            w.push("realtime:" + name, "access_token", {"access_token": user_token(WRITER)},
                   w.join_ref)
            sysmsg = w.got_event("system", 5)
            closed = w.got_event("phx_close", 5)
            check("%s: ... and a member removed meanwhile is shut out (system error naming the "
                  "topic, then phx_close)" % vsn,
                  sysmsg is not None and sysmsg.get("status") == "error"
                  and "permissions to read" in sysmsg.get("message", "") and closed is not None,
                  (sysmsg, closed))
        finally:
            w.close()
            r.close()


def post(path, body, token, content_type="application/json"):
    req = urllib.request.Request(BASE + path, data=body, method="POST")
    req.add_header("apikey", ANON)
    req.add_header("Authorization", "Bearer " + token)
    req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_rest_broadcast():
    name = room("rest")
    listener = Phx("1.0.0")
    try:
        j = listener.join(name, TOKENS["reader"])
        batch = lambda ev: json.dumps({"messages": [  # noqa: E731
            {"topic": name, "event": ev, "payload": {"x": 1}, "private": True}]}).encode()
        st, body = post("/realtime/v1/api/broadcast", batch("rest-w"), TOKENS["writer"])
        check("REST batch to a private topic as a writer: 202, delivered",
              j.get("status") == "ok" and st == 202 and listener.got_broadcast("rest-w"), (st, body))
        st, body = post("/realtime/v1/api/broadcast", batch("rest-r"), TOKENS["reader"])
        check("REST batch as a read-only member: 403 naming the topic, nothing sent",
              st == 403 and name.encode() in body and not listener.got_broadcast("rest-r", 1),
              (st, body))
        st, body = post("/realtime/v1/api/broadcast", batch("rest-s"), TOKENS["stranger"])
        check("REST batch as a stranger: 403", st == 403 and b"Unauthorized" in body, (st, body))
        st, body = post("/realtime/v1/api/broadcast/%s/events/rest-one?private=true" % name,
                        b'{"y":2}', TOKENS["writer"])
        check("REST single ?private=true as a writer: 202, delivered",
              st == 202 and listener.got_broadcast("rest-one"), (st, body))
        st, body = post("/realtime/v1/api/broadcast/%s/events/rest-two?private=true" % name,
                        b'{"y":2}', TOKENS["stranger"])
        check("REST single ?private=true as a stranger: 403", st == 403, (st, body))
        many = [{"topic": name, "event": "rest-many", "payload": {"k": i}, "private": True}
                for i in range(50)]
        st, body = post("/realtime/v1/api/broadcast", json.dumps({"messages": many}).encode(),
                        TOKENS["writer"])
        got = 0
        while listener.got_broadcast("rest-many", 2):
            got += 1
            if got == 50:
                break
        check("REST batch of 50 messages to one private topic (checked once): 202, all delivered",
              st == 202 and got == 50, (st, body, got))
        st, body = post("/realtime/v1/api/broadcast", json.dumps({"messages": [
            {"topic": "%s-%d" % (name, i), "event": "e", "payload": {}, "private": True}
            for i in range(101)]}).encode(), TOKENS["writer"])
        check("REST batch naming 101 distinct private topics -> 422", st == 422, (st, body))
        st, body = post("/realtime/v1/api/broadcast", json.dumps({"messages": [
            {"topic": name, "event": "rest-mixed", "payload": {}, "private": False}]}).encode(),
            TOKENS["stranger"])
        check("a public REST broadcast to that name does not reach the private channel",
              st == 202 and not listener.got_broadcast("rest-mixed", 1), (st, body))
    finally:
        listener.close()


def test_pending_joins_capped():
    """Joins waiting for their check count toward the channel cap."""
    p = Phx("2.0.0")
    try:
        n = 150  # the default cap is 100 channels per socket
        frames = b"".join(p.c.frame(json.dumps([str(i), str(i), "realtime:%s-%d" % (room("cap"), i),
                                                "phx_join", {"config": {"private": True},
                                                             "access_token": TOKENS["stranger"]}]))
                          for i in range(n))
        p.c.sock.sendall(frames)
        reasons = {}
        while sum(reasons.values()) < n:
            m = p.c.recv_json(10)
            if isinstance(m, list) and m[3] == "phx_reply":
                r = m[4]["response"].get("reason", "ok").split(":")[0]
                reasons[r] = reasons.get(r, 0) + 1
        check("150 private joins sent at once: the checks waiting count toward the channel cap "
              "(the rest get ChannelRateLimitReached)",
              reasons.get("ChannelRateLimitReached", 0) > 0 and reasons.get("Unauthorized", 0) > 0,
              reasons)
    finally:
        p.close()


def test_abandoned_checks():
    """Sockets and requests that go away while their check runs."""
    for _ in range(20):
        p = Phx("2.0.0")
        p.push("realtime:" + room("a-2.0.0"), "phx_join",
               {"config": {"private": True}, "access_token": TOKENS["writer"]}, "1")
        p.c.sock.close()
    host, port = ENV.get("REALTIME_ADDR", "127.0.0.1:4000").rsplit(":", 1)
    body = json.dumps({"messages": [{"topic": room("rest"), "event": "gone", "payload": {},
                                     "private": True}]}).encode()
    for _ in range(20):  # REST requests whose client leaves while the check runs
        s = socket.create_connection((host, int(port)))
        s.sendall(b"POST /realtime/v1/api/broadcast HTTP/1.1\r\nHost: x\r\napikey: " + ANON.encode() +
                  b"\r\nAuthorization: Bearer " + TOKENS["writer"].encode() +
                  b"\r\nContent-Type: application/json\r\nContent-Length: " +
                  str(len(body)).encode() + b"\r\n\r\n" + body)
        s.close()
    with open(PID_FILE) as f:
        pid = int(f.read().strip())
    time.sleep(0.5)
    p = Phx("1.0.0")
    j = p.join(room("a-1.0.0"), TOKENS["writer"])
    p.close()
    alive = os.path.exists("/proc/%d" % pid)
    check("sockets and REST requests closed while their private check runs: the daemon lives on",
          alive and j.get("status") == "ok", j)


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_joins_and_messages, test_cached_per_join, test_token_refresh,
                               test_rest_broadcast, test_pending_joins_capped,
                               test_abandoned_checks], teardown))
