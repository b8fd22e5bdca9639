#!/usr/bin/env python3
"""Several realtime daemons behave as one (broadcast and presence travel
through PostgreSQL NOTIFY realtime_bus): the stack's daemon and a second
one this suite starts on another port, with clients on both. /ws channels
(presence_join, broadcast with the sender's id, GET /ws/_presence listing
both daemons' clients, presence_leave), Phoenix channels (presence_diff and
presence_state across daemons, broadcasts between vsn 1.0.0 and 2.0.0
sockets, raw-byte REST broadcasts), a third daemon started later learns the
presence already tracked elsewhere, and a daemon stopped with SIGTERM
takes its clients' presence with it. Standard library only."""
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, ENV, ROOT, check, run_suite  # noqa: E402
from realtime_ws import WS, start_daemon, stop_daemon  # noqa: E402

MAIN = ENV.get("REALTIME_ADDR", "127.0.0.1:4000")
STATE = {}


def setup():
    STATE["second"], STATE["b"] = start_daemon(ROOT, ENV)


def teardown():
    for key in ("second", "third"):
        if key in STATE and STATE[key].poll() is None:
            stop_daemon(STATE[key])


def presence_map(addr, channel):
    with urllib.request.urlopen("http://%s/ws/_presence/%s?apikey=%s" % (addr, channel, ANON),
                                timeout=5) as r:
        return json.loads(r.read())


def phx(addr, vsn, topic, key):
    c = WS(addr, "/realtime/v1/websocket?apikey=%s&vsn=%s" % (ANON, vsn))
    cfg = {"config": {"presence": {"key": key}, "broadcast": {"self": False}}}
    if vsn == "2.0.0":
        c.send_json(["1", "1", topic, "phx_join", cfg])
    else:
        c.send_json({"topic": topic, "event": "phx_join", "payload": cfg, "ref": "1", "join_ref": "1"})
    c.wait_for(lambda m: event_of(m) == "phx_reply")
    c.vsn = vsn
    return c


def event_of(m):
    if isinstance(m, tuple):
        return "binary"
    return m[3] if isinstance(m, list) else m.get("event")


def payload_of(m):
    return m[4] if isinstance(m, list) else m.get("payload")


def test_ws_channels():
    b_addr = STATE["b"]
    a = WS(MAIN, "/ws/_channel_multi?apikey=" + ANON)
    ha = a.recv_json()
    b = WS(b_addr, "/ws/_channel_multi?apikey=" + ANON)
    hb = b.recv_json()
    j = a.wait_for(lambda m: m.get("type") == "presence_join" and m.get("client_id") == hb["client_id"])
    check("two daemons: a client on the other daemon is a presence_join", j["channel"] == "_channel_multi", j)
    b.send_json({"type": "broadcast", "payload": {"x": 1}})
    got = a.wait_for(lambda m: m.get("type") == "broadcast")
    check("two daemons: /ws broadcast crosses with the sender's id",
          got == {"type": "broadcast", "from": hb["client_id"], "payload": {"x": 1}}, got)
    a.send_json({"type": "presence", "state": {"name": "ann"}})
    st = b.wait_for(lambda m: m.get("type") == "presence_state")
    check("two daemons: presence state crosses", st["client_id"] == ha["client_id"]
          and st["state"] == {"name": "ann"}, st)
    time.sleep(0.2)
    pa, pb = presence_map(MAIN, "_channel_multi"), presence_map(b_addr, "_channel_multi")
    check("two daemons: GET /ws/_presence on either daemon lists both clients",
          pa == pb and pa.get(ha["client_id"]) == {"name": "ann"} and hb["client_id"] in pa, (pa, pb))
    b.close()
    left = a.wait_for(lambda m: m.get("type") == "presence_leave")
    check("two daemons: disconnect on one daemon -> presence_leave on the other",
          left["client_id"] == hb["client_id"], left)
    a.close()


def test_phoenix_channels():
    b_addr = STATE["b"]
    a = phx(MAIN, "1.0.0", "realtime:multi", "alice")
    b = phx(b_addr, "2.0.0", "realtime:multi", "bob")
    b.send_json(["1", "2", "realtime:multi", "presence",
                 {"type": "presence", "event": "track", "payload": {"who": "bob"}}])
    diff = a.wait_for(lambda m: event_of(m) == "presence_diff")
    check("two daemons: Phoenix track on one daemon -> presence_diff on the other",
          "bob" in payload_of(diff)["joins"], diff)
    late = phx(MAIN, "1.0.0", "realtime:multi", "carol")
    st = late.wait_for(lambda m: event_of(m) == "presence_state")
    check("two daemons: a later join gets presence_state with the other daemon's entries",
          "bob" in payload_of(st) and payload_of(st)["bob"]["metas"][0]["who"] == "bob", st)
    a.send_json({"topic": "realtime:multi", "event": "broadcast", "ref": "3", "join_ref": "1",
                 "payload": {"type": "broadcast", "event": "hey", "payload": {"n": 5}}})
    got = b.wait_for(lambda m: isinstance(m, tuple))
    check("two daemons: a 1.0.0 broadcast reaches a 2.0.0 socket on the other daemon (kind 4)",
          got[1][0] == 4 and got[1].endswith(b'{"n":5}'), got)
    v2 = phx(MAIN, "2.0.0", "realtime:multi", "dave")
    req = urllib.request.Request("http://%s/realtime/v1/api/broadcast/multi/events/raw" % b_addr,
                                 data=b"\x00\xffbytes", method="POST",
                                 headers={"apikey": ANON, "Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(req, timeout=5) as r:
        status = r.status
    got = v2.wait_for(lambda m: isinstance(m, tuple) and b"raw" in m[1])
    check("two daemons: raw bytes sent by REST to one daemon arrive byte for byte on the other",
          status == 202 and got[1].endswith(b"\x00\xffbytes") and got[1][4] == 0, got)
    b.close()
    diff = a.wait_for(lambda m: event_of(m) == "presence_diff" and payload_of(m)["leaves"])
    check("two daemons: a socket closing on one daemon leaves presence on the other",
          list(payload_of(diff)["leaves"]) == ["bob"], diff)
    for c in (a, late, v2):
        c.close()


def test_third_daemon_learns_presence():
    a = phx(MAIN, "2.0.0", "realtime:later", "early")
    a.send_json(["1", "2", "realtime:later", "presence",
                 {"type": "presence", "event": "track", "payload": {"t": 1}}])
    a.wait_for(lambda m: event_of(m) == "phx_reply" and m[1] == "2")
    STATE["third"], c_addr = start_daemon(ROOT, ENV)
    time.sleep(0.5)  # hello, then the others announce
    c = phx(c_addr, "1.0.0", "realtime:later", "late")
    st = c.wait_for(lambda m: event_of(m) == "presence_state")
    check("a daemon started later learns presence tracked before it started",
          "early" in payload_of(st), st)
    rc = stop_daemon(STATE["third"])
    check("the third daemon stops cleanly on SIGTERM", rc == 0, rc)
    a.close()


def test_stopped_daemon_takes_presence():
    b_addr = STATE["b"]
    a = WS(MAIN, "/ws/_channel_stop?apikey=" + ANON)
    a.recv_json()
    b = WS(b_addr, "/ws/_channel_stop?apikey=" + ANON)
    hb = b.recv_json()
    a.wait_for(lambda m: m.get("type") == "presence_join" and m.get("client_id") == hb["client_id"])
    rc = stop_daemon(STATE["second"])
    left = a.wait_for(lambda m: m.get("type") == "presence_leave", 5)
    check("a daemon stopped with SIGTERM takes its clients' presence with it",
          rc == 0 and left["client_id"] == hb["client_id"], (rc, left))
    a.close()


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_ws_channels, test_phoenix_channels,
                               test_third_daemon_learns_presence, test_stopped_daemon_takes_presence],
                       teardown))
