#!/usr/bin/env python3
"""The realtime daemon on raw sockets, through the web server's WebSocket
proxy (PGSTACK_URL) and, for malformed frames, directly on REALTIME_ADDR:
errors before the upgrade (401 / 403 / 404 / 426 / 429 / 503 as JSON),
the /ws/_channel_{name} protocol (subscribed, broadcast with a server-set
`from`, presence join/state/leave, GET /ws/_presence/{channel}), Phoenix
frames (heartbeat, join errors, channel cap, token expiry, idle timeout),
hostile input (unmasked, invalid UTF-8, oversized, fragmented, truncated
binary, garbage HTTP), the slow-consumer drop, and that the daemon process
survives all of it. tests/integration/suites.conf gives it low caps and a
5 s idle timeout. Standard library only."""
import json
import os
import struct
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, BASE, ENV, ROOT, check, run_suite, sign, user_token  # noqa: E402
from realtime_ws import OP_BINARY, OP_CONT, OP_TEXT, WS, Refused, http_raw  # noqa: E402

DIRECT = ENV.get("REALTIME_ADDR", "127.0.0.1:4000")
CONF = {}
STATE = {}
PID_FILE = os.path.join(ROOT, ".dev", "run", "realtime.pid")


def setting(key, default):
    return int(CONF.get(key, default))


def refused(path, headers=None, addr=None):
    """The HTTP refusal of an upgrade (Refused) or None when it opened."""
    try:
        WS(addr or BASE, path, headers).close()
        return None
    except Refused as e:
        return e


def ws(path, headers=None, addr=None, **kw):
    return WS(addr or BASE, path, headers, **kw)


def phx(vsn="1.0.0", token=None, addr=None, headers=None):
    return ws("/realtime/v1/websocket?apikey=%s&vsn=%s" % (token or ANON, vsn), headers, addr)


def phx_send(c, vsn, topic, event, payload, ref, join_ref=None):
    if vsn == "2.0.0":
        c.send_json([join_ref, ref, topic, event, payload])
    else:
        c.send_json({"topic": topic, "event": event, "payload": payload, "ref": ref,
                     "join_ref": join_ref})


def phx_fields(msg):
    """(join_ref, ref, topic, event, payload) of a vsn 1 or 2 frame."""
    if isinstance(msg, list):
        return tuple(msg)
    return msg.get("join_ref"), msg.get("ref"), msg["topic"], msg["event"], msg["payload"]


def phx_reply(c, ref, timeout=5):
    return phx_fields(c.wait_for(lambda m: not isinstance(m, tuple) and phx_fields(m)[1] == ref
                                 and phx_fields(m)[3] == "phx_reply", timeout))[4]


def setup():
    with open(os.path.join(ROOT, ".dev", "pgstack.conf")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.strip().split("=", 1)
                CONF[k] = v.strip("'")
    with open(PID_FILE) as f:
        STATE["pid"] = int(f.read().strip())


def teardown():
    pass


# ------------------------------------------------------ before the upgrade

def test_refusals():
    e = refused("/ws/_channel_lobby")
    check("no credentials: 401 with a JSON error", e and e.status == 401 and "error" in (e.json or {}),
          e)
    bad = sign({"role": "anon", "exp": int(time.time()) + 60}, secret="x" * 40)
    e = refused("/ws/_channel_lobby?apikey=" + bad)
    check("bad signature: 401", e and e.status == 401 and "signature" in e.json["error"], e)
    old = sign({"role": "authenticated", "sub": "u1", "exp": int(time.time()) - 10})
    e = refused("/ws/_channel_lobby?token=" + old)
    check("expired ?token=: 401", e and e.status == 401 and "expired" in e.json["error"], e)
    e = refused("/ws/_channel_lobby", {"Authorization": "Bearer " + old})
    check("expired Authorization bearer: 401", e and e.status == 401, e)
    e = refused("/realtime/v1/websocket?vsn=2.0.0")
    check("Phoenix socket without apikey: 401", e and e.status == 401, e)
    check("?token= with a user JWT opens /ws/_channel_lobby",
          refused("/ws/_channel_lobby?token=" + user_token("u1")) is None)
    e = refused("/ws/_channel_lobby?apikey=" + ANON, {"Origin": "http://refused.example"})
    check("Origin not in ALLOWED_ORIGINS: 403", e and e.status == 403 and "origin" in e.json["error"],
          e)
    check("Origin in ALLOWED_ORIGINS is served",
          refused("/ws/_channel_lobby?apikey=" + ANON, {"Origin": "http://allowed.example"}) is None)
    e = refused("/ws/no_such_query?apikey=" + ANON)
    check("unknown query_id: 404 before the upgrade", e and e.status == 404 and "error" in e.json, e)
    e = refused("/realtime/v1/nothing?apikey=" + ANON)
    check("unknown realtime path: 404", e and e.status == 404, e)
    status, _, body = http_raw(BASE, ("GET /realtime/v1/websocket?apikey=%s HTTP/1.1\r\nHost: x\r\n"
                                      "Connection: close\r\n\r\n" % ANON).encode())
    check("plain GET on the socket path: 426 JSON", status == 426 and "error" in json.loads(body),
          (status, body))


def test_caps_per_address():
    cap = setting("REALTIME_MAX_CONNECTIONS_PER_IP", 1000)
    if cap > 50:
        check("per-address cap is set low for this suite (suites.conf)", False, cap)
        return
    hdr = {"X-Forwarded-For": "10.77.0.1"}
    opened = [ws("/ws/_channel_cap?apikey=" + ANON, hdr) for _ in range(cap)]
    try:
        e = refused("/ws/_channel_cap?apikey=" + ANON, hdr)
        check("REALTIME_MAX_CONNECTIONS_PER_IP + 1 from one address: 429",
              e and e.status == 429 and "error" in e.json, e)
        check("another address is still served",
              refused("/ws/_channel_cap?apikey=" + ANON, {"X-Forwarded-For": "10.77.0.2"}) is None)
    finally:
        for c in opened:
            c.close()
    time.sleep(0.3)
    check("the address is served again after its sockets closed",
          refused("/ws/_channel_cap?apikey=" + ANON, hdr) is None)


def test_caps_total():
    total, per = setting("REALTIME_MAX_CONNECTIONS", 10000), setting("REALTIME_MAX_CONNECTIONS_PER_IP", 1000)
    if total > 200:
        check("connection cap is set low for this suite (suites.conf)", False, total)
        return
    opened = []
    try:
        i = 0
        while len(opened) < total:
            hdr = {"X-Forwarded-For": "10.78.%d.1" % (len(opened) // per)}
            try:
                opened.append(ws("/ws/_channel_total?apikey=" + ANON, hdr))
            except Refused as e:  # sockets of earlier checks still closing
                i += 1
                if i > 50:
                    raise
                time.sleep(0.1)
        e = refused("/ws/_channel_total?apikey=" + ANON, {"X-Forwarded-For": "10.79.0.1"})
        check("REALTIME_MAX_CONNECTIONS + 1: 503 with a JSON error",
              e and e.status == 503 and "error" in e.json, e)
    finally:
        for c in opened:
            c.close()
    time.sleep(0.3)


# ----------------------------------------------------- /ws/_channel_{name}

def test_channel_protocol():
    a = ws("/ws/_channel_lobby?apikey=" + ANON)
    hello_a = a.recv_json()
    check("/ws: subscribed first, with the channel and a client id",
          hello_a.get("type") == "subscribed" and hello_a.get("query_id") == "_channel_lobby"
          and len(hello_a.get("client_id", "")) == 32, hello_a)
    b = ws("/ws/_channel_lobby?token=" + user_token("u2"))
    hello_b = b.recv_json()
    joined = a.wait_for(lambda m: m.get("type") == "presence_join"
                        and m.get("client_id") != hello_a["client_id"])
    check("/ws: peers get presence_join with the newcomer's id",
          joined.get("client_id") == hello_b["client_id"] and joined.get("channel") == "_channel_lobby",
          joined)
    b.send_json({"type": "broadcast", "from": "spoofed", "payload": {"n": 1}})
    got = a.wait_for(lambda m: m.get("type") == "broadcast")
    check("/ws: broadcast reaches peers with the server-set from (a client's from is ignored)",
          got == {"type": "broadcast", "from": hello_b["client_id"], "payload": {"n": 1}}, got)
    a.send_json({"type": "presence", "state": {"username": "jane"}})
    st = b.wait_for(lambda m: m.get("type") == "presence_state")
    check("/ws: presence updates reach peers as presence_state",
          st.get("client_id") == hello_a["client_id"] and st.get("state") == {"username": "jane"}, st)
    with urllib.request.urlopen(BASE + "/ws/_presence/_channel_lobby?apikey=" + ANON, timeout=5) as r:
        state = json.loads(r.read())
    check("GET /ws/_presence/{channel}: client id -> last state",
          state.get(hello_a["client_id"]) == {"username": "jane"} and hello_b["client_id"] in state,
          state)
    b.send("{not json")
    err = b.wait_for(lambda m: m.get("type") == "error")
    check("/ws: a message that is not JSON gets an error message, the socket stays", "error" in err, err)
    b.close()
    left = a.wait_for(lambda m: m.get("type") == "presence_leave")
    check("/ws: disconnect -> presence_leave to peers", left.get("client_id") == hello_b["client_id"],
          left)
    with urllib.request.urlopen(BASE + "/ws/_presence/_channel_lobby?apikey=" + ANON, timeout=5) as r:
        state = json.loads(r.read())
    check("GET /ws/_presence: the departed client is gone", hello_b["client_id"] not in state, state)
    a.close()
    status, _, body = http_raw(BASE, b"GET /ws/_presence/_channel_lobby HTTP/1.1\r\nHost: x\r\n"
                                     b"Connection: close\r\n\r\n")
    check("GET /ws/_presence without credentials: 401", status == 401, (status, body))


# ------------------------------------------------------------- Phoenix

def test_phoenix_basics():
    for vsn in ("1.0.0", "2.0.0"):
        c = phx(vsn)
        phx_send(c, vsn, "phoenix", "heartbeat", {}, "1")
        check("Phoenix %s: heartbeat answered ok" % vsn, phx_reply(c, "1")["status"] == "ok")
        phx_send(c, vsn, "room:x", "phx_join", {}, "2", "2")
        r = phx_reply(c, "2")
        check("Phoenix %s: a topic outside realtime: -> unmatched topic" % vsn,
              r == {"status": "error", "response": {"reason": "unmatched topic"}}, r)
        phx_send(c, vsn, "realtime:", "phx_join", {}, "3", "3")
        r = phx_reply(c, "3")
        check("Phoenix %s: realtime: without a name -> TopicNameRequired" % vsn,
              r["status"] == "error" and r["response"]["reason"].startswith("TopicNameRequired"), r)
        bad = sign({"role": "authenticated", "sub": "u", "exp": int(time.time()) + 60}, "y" * 40)
        phx_send(c, vsn, "realtime:r", "phx_join", {"config": {}, "access_token": bad}, "4", "4")
        r = phx_reply(c, "4")
        check("Phoenix %s: a join with a badly signed access_token -> JwtSignatureError" % vsn,
              r["status"] == "error" and r["response"]["reason"].startswith("JwtSignatureError"), r)
        phx_send(c, vsn, "realtime:r", "phx_join", {"config": {"private": True}}, "5", "5")
        r = phx_reply(c, "5")
        check("Phoenix %s: a private channel without an RLS policy is refused with a reason" % vsn,
              r["status"] == "error" and r["response"]["reason"].startswith("Unauthorized: "), r)
        phx_send(c, vsn, "realtime:r", "phx_join", {"config": {}}, "6", "6")
        r = phx_reply(c, "6")
        check("Phoenix %s: join ok with postgres_changes []" % vsn,
              r == {"status": "ok", "response": {"postgres_changes": []}}, r)
        phx_send(c, vsn, "realtime:r", "no_such_event", {}, "7", "6")
        r = phx_reply(c, "7")
        check("Phoenix %s: unknown event -> error reply, socket stays" % vsn, r["status"] == "error", r)
        phx_send(c, vsn, "realtime:r", "phx_leave", {}, "8", "6")
        r = phx_reply(c, "8")
        close = c.wait_for(lambda m: not isinstance(m, tuple) and phx_fields(m)[3] == "phx_close")
        check("Phoenix %s: phx_leave -> ok reply, then phx_close" % vsn,
              r["status"] == "ok" and phx_fields(close)[0] == "6", (r, close))
        c.close()


def test_phoenix_channel_cap():
    cap = setting("REALTIME_MAX_CHANNELS_PER_SOCKET", 100)
    c = phx("2.0.0")
    ok = errors = 0
    n = 2000
    for start in range(0, n, 100):
        for i in range(start, start + 100):
            phx_send(c, "2.0.0", "realtime:t%d" % i, "phx_join", {"config": {}}, str(i), str(i))
        for i in range(start, start + 100):
            r = phx_reply(c, str(i))
            if r["status"] == "ok":
                ok += 1
            elif r["response"]["reason"].startswith("ChannelRateLimitReached"):
                errors += 1
    check("Phoenix: %d joins on one socket -> %d ok, the rest ChannelRateLimitReached" % (n, cap),
          ok == cap and errors == n - cap, (ok, errors))
    c.close()


def test_phoenix_token_expiry():
    c = phx("1.0.0")
    short = sign({"role": "authenticated", "sub": "u9", "exp": int(time.time()) + 2})
    phx_send(c, "1.0.0", "realtime:exp", "phx_join", {"config": {}, "access_token": short}, "1", "1")
    r = phx_reply(c, "1")
    sysmsg = c.wait_for(lambda m: m.get("event") == "system", timeout=6)
    close = c.wait_for(lambda m: m.get("event") == "phx_close", timeout=3)
    check("Phoenix: a channel closes when its access_token expires (system error, then phx_close)",
          r["status"] == "ok" and sysmsg["payload"]["status"] == "error"
          and "expired" in sysmsg["payload"]["message"] and close["join_ref"] == "1", (r, sysmsg))
    phx_send(c, "1.0.0", "realtime:exp2", "phx_join", {"config": {}}, "2", "2")
    phx_reply(c, "2")
    phx_send(c, "1.0.0", "realtime:exp2", "access_token", {"access_token": "garbage"}, "3", "2")
    sysmsg = c.wait_for(lambda m: m.get("event") == "system", timeout=3)
    check("Phoenix: an invalid access_token push closes the channel with a reason",
          sysmsg["payload"]["status"] == "error" and sysmsg["topic"] == "realtime:exp2", sysmsg)
    c.close()


def test_idle_timeout():
    idle = setting("REALTIME_IDLE_TIMEOUT", 60)
    c = phx("2.0.0")
    t0 = time.time()
    code = c.wait_close(timeout=idle + 5)
    took = time.time() - t0
    check("a silent socket is closed after REALTIME_IDLE_TIMEOUT (%ds): close 1000 in %.1fs" % (idle, took),
          code[0] == 1000 and idle - 1 <= took <= idle + 3, (code, took))
    c = phx("2.0.0")
    t0 = time.time()
    ok = True
    while time.time() - t0 < idle + 2:
        phx_send(c, "2.0.0", "phoenix", "heartbeat", {}, "hb")
        ok = ok and phx_reply(c, "hb")["status"] == "ok"
        time.sleep(idle / 3.0)
    check("a socket that beats stays open past the idle timeout", ok)
    c.close()


# -------------------------------------------------------- REST broadcast

def post(path, body, ctype="application/json", headers=None, method="POST"):
    h = {"Content-Type": ctype}
    h.update(headers if headers is not None else {"apikey": ANON})
    req = urllib.request.Request(BASE + path, data=body, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_rest_broadcast():
    v1, v2 = phx("1.0.0"), phx("2.0.0")
    phx_send(v1, "1.0.0", "realtime:rest", "phx_join", {"config": {}}, "1", "1")
    phx_send(v2, "2.0.0", "realtime:rest", "phx_join", {"config": {}}, "1", "1")
    phx_reply(v1, "1")
    phx_reply(v2, "1")
    status, body = post("/realtime/v1/api/broadcast?apikey=%s&vsn=2.0.0" % ANON, json.dumps(
        {"messages": [{"topic": "rest", "event": "e1", "payload": {"a": 1}, "private": False}]}).encode())
    got1 = phx_fields(v1.wait_for(lambda m: isinstance(m, dict) and m.get("event") == "broadcast"))
    got2 = v2.wait_for(lambda m: isinstance(m, tuple))
    check("REST broadcast (batch): 202, delivered to 1.0.0 as text and 2.0.0 as kind 4",
          status == 202 and body == b"" and got1[4] == {"type": "broadcast", "event": "e1", "payload": {"a": 1}}
          and got2[0] == "binary" and got2[1][0] == 4 and got2[1].endswith(b'{"a":1}'), (status, got1, got2))
    status, _ = post("/realtime/v1/api/broadcast/rest/events/e2", b'{"b": 2}')
    got1 = phx_fields(v1.wait_for(lambda m: isinstance(m, dict) and m.get("event") == "broadcast"))
    check("REST broadcast (one topic and event, the body is the payload): 202 and delivered",
          status == 202 and got1[4]["event"] == "e2" and got1[4]["payload"] == {"b": 2}, (status, got1))
    status, _ = post("/realtime/v1/api/broadcast/rest/events/bytes", b"\x00\x01\xff",
                     "application/octet-stream")
    got2 = v2.wait_for(lambda m: isinstance(m, tuple) and b"bytes" in m[1])
    check("REST broadcast of raw bytes reaches vsn 2.0.0 sockets as a kind-4 frame with encoding 0",
          status == 202 and got2[1][4] == 0 and got2[1].endswith(b"\x00\x01\xff"), (status, got2))
    status, body = post("/realtime/v1/api/broadcast", b"not json")
    check("REST broadcast: a body that is not JSON -> 422", status == 422 and b"error" in body, (status, body))
    status, body = post("/realtime/v1/api/broadcast", json.dumps({"messages": [{"event": "x"}]}).encode())
    check("REST broadcast: a message without topic -> 422", status == 422, (status, body))
    status, body = post("/realtime/v1/api/broadcast/rest/events/e?private=true", b"{}")
    check("REST broadcast to a private topic without an RLS policy -> 403 with a reason",
          status == 403 and b"Unauthorized" in body, (status, body))
    status, body = post("/realtime/v1/api/broadcast", b"{}", headers={})
    check("REST broadcast without credentials -> 401", status == 401, (status, body))
    status, body = post("/realtime/v1/api/broadcast", None, method="GET")
    check("REST broadcast with GET -> 405", status == 405, (status, body))
    limit = setting("REALTIME_MAX_MESSAGE", 262144)
    status, body = post("/realtime/v1/api/broadcast/rest/events/big",
                        json.dumps({"x": "y" * limit}).encode())
    check("REST broadcast over REALTIME_MAX_MESSAGE -> 413", status == 413, (status, body[:100]))
    v1.close()
    v2.close()


# --------------------------------------------------------------- hostile

def test_hostile_frames():
    c = phx("1.0.0", addr=DIRECT)
    c.send('{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"1"}', mask=False)
    check("hostile: an unmasked client frame -> close 1002", c.wait_close()[0] == 1002, c.closed)
    c = phx("1.0.0", addr=DIRECT)
    c.send(b'{"topic":"\xff\xfe","event":"x","payload":{},"ref":"1"}')
    check("hostile: invalid UTF-8 in a text frame -> close 1007", c.wait_close()[0] == 1007, c.closed)
    limit = setting("REALTIME_MAX_MESSAGE", 262144)
    c = phx("1.0.0", addr=DIRECT)
    try:
        c.send("x" * (limit + 10))
    except OSError:
        pass
    check("hostile: a message over REALTIME_MAX_MESSAGE -> close 1009", c.wait_close()[0] == 1009,
          c.closed)
    c = phx("1.0.0", addr=DIRECT)
    text = '{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"frag"}'
    c.send(text[:10], OP_TEXT, fin=False)
    c.send(text[10:30], OP_CONT, fin=False)
    c.send(b"", 9)  # a ping between fragments
    c.send(text[30:], OP_CONT, fin=True)
    check("hostile: a fragmented message (with a ping inside) is reassembled",
          phx_reply(c, "frag")["status"] == "ok")
    c.close()
    c = phx("1.0.0", addr=DIRECT)
    c.send(b"\x03\x01\x01", OP_BINARY)
    check("hostile: a binary frame on a vsn 1.0.0 socket -> close 1003", c.wait_close()[0] == 1003,
          c.closed)
    c = phx("2.0.0", addr=DIRECT)
    c.send(b"\x03\x05\x05\xff\x01\x00\x01abc", OP_BINARY)
    check("hostile: a kind-3 frame shorter than its header -> close 1003", c.wait_close()[0] == 1003,
          c.closed)
    c = phx("2.0.0", addr=DIRECT)
    c.send("[1,2,3]")
    check("hostile: a vsn 2.0.0 frame that is not [join_ref, ref, topic, event, payload] -> close",
          c.wait_close()[0] == 1003, c.closed)
    c = phx("2.0.0", addr=DIRECT)
    c.send("x", rsv=4)
    check("hostile: reserved bits set -> close 1002", c.wait_close()[0] == 1002, c.closed)
    c = phx("2.0.0", addr=DIRECT)
    c.sock.sendall(c.frame("y" * 1000, length=5000)[:600])  # a frame cut short, then silence
    c.sock.close()
    status, _, body = http_raw(DIRECT, b"\x16\x03\x01garbage that is not HTTP\r\n\r\n")
    check("hostile: bytes that are not HTTP -> 400 JSON", status == 400 and "error" in json.loads(body),
          (status, body))
    status, _, body = http_raw(DIRECT, b"GET /ws/_channel_x HTTP/1.1\r\nX-Big: " + b"a" * 20000 +
                               b"\r\n\r\n")
    check("hostile: a request head over 16 KiB -> 400", status == 400, (status, body))


def test_slow_consumer():
    limit = setting("REALTIME_OUTPUT_LIMIT", 1048576)
    slow = ws("/ws/_channel_flood?apikey=" + ANON, addr=DIRECT, rcvbuf=4096)
    fast = ws("/ws/_channel_flood?apikey=" + ANON, addr=DIRECT)
    fast.recv_json()
    blob = "z" * 4000
    sent = 0
    # more than the limit plus what the kernel buffers of both sockets hold
    for i in range((limit + 16 * 1024 * 1024) // len(blob)):
        fast.send_json({"type": "broadcast", "payload": {"i": i, "blob": blob}})
        sent += 1
    time.sleep(1.0)
    # drain what the daemon managed to send; then the socket must end
    slow.sock.settimeout(5)
    got, ended = 0, False
    try:
        while True:
            chunk = slow.sock.recv(65536)
            if not chunk:
                ended = True
                break
            got += len(chunk)
    except OSError:
        ended = False
    check("slow consumer: dropped after REALTIME_OUTPUT_LIMIT (%d B) instead of buffering %d messages"
          % (limit, sent), ended and got < sent * len(blob), (ended, got))
    fast.send_json({"type": "presence", "state": {"still": "here"}})
    for _ in range(50):
        with urllib.request.urlopen(BASE + "/ws/_presence/_channel_flood?apikey=" + ANON,
                                    timeout=5) as r:
            state = json.loads(r.read())
        if {"still": "here"} in state.values():
            break
        time.sleep(0.1)
    check("slow consumer: the fast client stays connected",
          {"still": "here"} in state.values() and len(state) == 1, state)
    fast.close()


def test_daemon_survived():
    with open(PID_FILE) as f:
        pid = int(f.read().strip())
    alive = os.path.exists("/proc/%d" % pid)
    check("the daemon survived every check (same process, still running)",
          pid == STATE["pid"] and alive, (STATE["pid"], pid, alive))


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_refusals, test_caps_per_address, test_caps_total,
                               test_channel_protocol, test_phoenix_basics, test_phoenix_channel_cap,
                               test_phoenix_token_expiry, test_rest_broadcast, test_hostile_frames, test_slow_consumer,
                               test_idle_timeout, test_daemon_survived], teardown))
