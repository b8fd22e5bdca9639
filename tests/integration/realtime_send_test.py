#!/usr/bin/env python3
"""Broadcast from the database (sql/0018_realtime_send.sql): Phoenix
subscribers on raw sockets through the web server's WebSocket proxy, in
vsn 1.0.0 (text) and 2.0.0 (kind-4 binary frames), receive what
`select realtime.send(payload, event, topic, private)` sends, with the
payload's "id" and meta {id} as Supabase delivers them; only on commit;
private messages only to members whose join was granted broadcast reads by
the RLS policies of realtime.messages, public ones only to the public
channel; a sender refused by the INSERT policies gets Supabase's WARNING
and nobody a message; a message too large for NOTIFY is an SQL error; no
row is kept. Standard library only."""
import json
import os
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, BASE, ENV, check, psql, run_suite, user_token  # noqa: E402
from realtime_ws import WS  # noqa: E402

RUN = uuid.uuid4().hex[:8]
READER, PRESENCE_ONLY, WRITER = (str(uuid.uuid4()) for _ in range(3))


def topic(name):
    return "dbsend-%s-%s" % (RUN, name)


def setup():
    psql("""
      drop policy if exists rt_send_read on realtime.messages;
      drop policy if exists rt_send_write on realtime.messages;
      create policy rt_send_read on realtime.messages for select to authenticated using (
        realtime.topic() like 'dbsend-%%' and (
          (extension = 'broadcast' and auth.uid() = '%s') or
          (extension = 'presence' and auth.uid() = '%s')));
      create policy rt_send_write on realtime.messages for insert to authenticated with check (
        realtime.topic() like 'dbsend-%%' and auth.uid() = '%s');
    """ % (READER, PRESENCE_ONLY, WRITER))


def teardown():
    psql("""
      drop policy if exists rt_send_read on realtime.messages;
      drop policy if exists rt_send_write on realtime.messages;
    """)


class Sub:
    """One Phoenix socket joined to one channel."""

    def __init__(self, name, vsn="1.0.0", private=False, token=None):
        self.vsn, self.topic = vsn, "realtime:" + topic(name)
        self.c = WS(BASE, "/realtime/v1/websocket?apikey=%s&vsn=%s" % (ANON, vsn))
        payload = {"config": {"broadcast": {"self": False}, "presence": {"key": ""},
                              "private": private}}
        if token:
            payload["access_token"] = token
        if vsn == "2.0.0":
            self.c.send_json(["1", "1", self.topic, "phx_join", payload])
        else:
            self.c.send_json({"topic": self.topic, "event": "phx_join", "payload": payload,
                              "ref": "1", "join_ref": "1"})
        reply = self.c.wait_for(lambda m: self.event(m) == "phx_reply", 10)
        self.status = (reply[4] if isinstance(reply, list) else reply["payload"])["status"]

    @staticmethod
    def event(m):
        if isinstance(m, tuple):
            return "binary"
        return m[3] if isinstance(m, list) else m.get("event")

    def broadcasts(self, wait=1.5):
        """Every broadcast received within wait seconds, as
        {event, payload, meta} (kind-4 frames decoded)."""
        out, deadline = [], time.time() + wait
        while time.time() < deadline:
            try:
                m = self.c.recv_json(max(0.05, deadline - time.time()))
            except (OSError, EOFError):
                break
            if isinstance(m, tuple) and m[1][:1] == b"\x04":
                b = m[1]
                tl, el, ml = b[1], b[2], b[3]
                ev = b[5 + tl:5 + tl + el].decode()
                meta = json.loads(b[5 + tl + el:5 + tl + el + ml]) if ml else None
                out.append({"event": ev, "meta": meta,
                            "payload": json.loads(b[5 + tl + el + ml:]), "kind": 4})
            elif self.event(m) == "broadcast":
                p = m[4] if isinstance(m, list) else m["payload"]
                out.append({"event": p.get("event"), "payload": p.get("payload"),
                            "meta": p.get("meta"), "type": p.get("type")})
        return out

    def close(self):
        self.c.close()


def send_sql(payload, event, name, private=None):
    args = "'%s'::jsonb, '%s', '%s'" % (json.dumps(payload), event, topic(name))
    if private is not None:
        args += ", %s" % ("true" if private else "false")
    return "select realtime.send(%s);" % args


def psql_as(sql, sub):
    """sql in one transaction as the authenticated user sub: (rc, stderr)."""
    claims = json.dumps({"sub": sub, "role": "authenticated"})
    script = ("begin; set local role authenticated; "
              "select set_config('request.jwt.claims', '%s', true), "
              "set_config('request.jwt.claim.sub', '%s', true); %s commit;" % (claims, sub, sql))
    out = subprocess.run(["psql", ENV["DATABASE_URL"], "-v", "ON_ERROR_STOP=1", "-qAtc", script],
                         capture_output=True, text=True)
    return out.returncode, out.stderr


def test_public_v1():
    s = Sub("pub1")
    psql(send_sql({"n": 1}, "db-event", "pub1", private=False))
    got = s.broadcasts()
    ok = (len(got) == 1 and got[0]["type"] == "broadcast" and got[0]["event"] == "db-event"
          and got[0]["payload"].get("n") == 1 and got[0]["meta"]
          and got[0]["payload"].get("id") == got[0]["meta"].get("id")
          and uuid.UUID(got[0]["meta"]["id"]))
    check("realtime.send(..., false) reaches a public vsn 1.0.0 subscriber as {type: broadcast, "
          "event, payload with its id, meta: {id}}", ok, got)
    psql(send_sql({"id": "mine", "n": 2}, "db-event", "pub1", private=False))
    got = s.broadcasts()
    check("a payload that has an id keeps it", len(got) == 1 and got[0]["payload"] ==
          {"id": "mine", "n": 2} and got[0]["meta"]["id"] != "mine", got)
    s.close()


def test_public_v2():
    s = Sub("pub2", vsn="2.0.0")
    psql(send_sql({"n": 3}, "db-event", "pub2", private=False))
    got = s.broadcasts()
    ok = (len(got) == 1 and got[0].get("kind") == 4 and got[0]["event"] == "db-event"
          and got[0]["payload"].get("n") == 3 and got[0]["meta"]
          and got[0]["meta"]["id"] == got[0]["payload"]["id"])
    check("... and a vsn 2.0.0 subscriber as a kind-4 frame with the meta {id}", ok, got)
    s.close()


def test_commit_only():
    s = Sub("tx")
    psql("begin; %s rollback;" % send_sql({"rolled": True}, "e", "tx", private=False))
    psql("begin; %s select pg_sleep(0.5); commit;" % send_sql({"kept": True}, "e", "tx",
                                                               private=False))
    got = [b["payload"] for b in s.broadcasts()]
    check("only a committed realtime.send is delivered (a rolled-back one never)",
          len(got) == 1 and got[0].get("kept") is True, got)
    left = psql("select count(*) from realtime.messages where topic like 'dbsend-%s-%%'" % RUN)
    check("realtime.messages keeps no row of the sent messages", left == "0", left)
    s.close()


def test_private():
    reader = Sub("priv", private=True, token=user_token(READER))
    presence_only = Sub("priv", vsn="2.0.0", private=True, token=user_token(PRESENCE_ONLY))
    public = Sub("priv")
    check("private joins: broadcast reader and presence-only member are let in",
          reader.status == "ok" and presence_only.status == "ok",
          (reader.status, presence_only.status))
    psql(send_sql({"secret": 1}, "db-private", "priv"))  # private is the default
    got_r, got_p, got_pub = reader.broadcasts(), presence_only.broadcasts(0.5), public.broadcasts(0.5)
    check("realtime.send(payload, event, topic) (private by default) reaches the member RLS "
          "lets read broadcasts", len(got_r) == 1 and got_r[0]["payload"].get("secret") == 1, got_r)
    check("... not a member allowed presence only, nor the public channel of the same name",
          not got_p and not got_pub, (got_p, got_pub))
    psql(send_sql({"open": 1}, "db-public", "priv", private=False))
    got_r, got_pub = reader.broadcasts(0.5), public.broadcasts()
    check("realtime.send(..., false) reaches the public channel, not the private one",
          len(got_pub) == 1 and got_pub[0]["payload"].get("open") == 1 and not got_r,
          (got_pub, got_r))
    for s in (reader, presence_only, public):
        s.close()


def test_sender_policies():
    s = Sub("senders")
    rc, err = psql_as(send_sql({"by": "stranger"}, "e", "senders", private=False), PRESENCE_ONLY)
    got = s.broadcasts(0.7)
    check("a sender the INSERT policies refuse: Supabase's WARNING ErrorSendingBroadcastMessage, "
          "no message", rc == 0 and "ErrorSendingBroadcastMessage" in err and not got, (rc, err, got))
    rc, err = psql_as(send_sql({"by": "writer"}, "e", "senders", private=False), WRITER)
    got = s.broadcasts()
    check("a sender the INSERT policies allow: delivered",
          rc == 0 and len(got) == 1 and got[0]["payload"].get("by") == "writer", (rc, err, got))
    s.close()


def test_bad_arguments():
    for sql in ("select realtime.send('{}', '', '%s', false)" % topic("bad"),
                "select realtime.send('{}', 'e', '%s', false)" % ("t" * 201),
                "select realtime.send('{}', null, '%s', false)" % topic("bad")):
        out = subprocess.run(["psql", ENV["DATABASE_URL"], "-qAtc", sql], capture_output=True,
                             text=True)
        check("no message an app cannot receive: %s -> WARNING naming the limits" % sql[:60],
              out.returncode == 0 and "ErrorSendingBroadcastMessage: realtime.send needs an event"
              in out.stderr, out.stderr)


def test_too_large():
    out = subprocess.run(["psql", ENV["DATABASE_URL"], "-v", "VERBOSITY=verbose", "-qAtc",
                          "select realtime.send(jsonb_build_object('blob', repeat('x', 9000)), "
                          "'e', '%s', false)" % topic("big")], capture_output=True, text=True)
    check("a message over NOTIFY's limit is an SQL error 54000 naming the limit, not silence",
          out.returncode != 0 and "54000" in out.stderr and "more than a NOTIFY carries"
          in out.stderr, out.stderr)


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_public_v1, test_public_v2, test_commit_only, test_private,
                               test_sender_policies, test_bad_arguments, test_too_large], teardown))
