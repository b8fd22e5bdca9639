#!/usr/bin/env python3
"""The realtime daemon at its edges, with the default settings: CORS for the
REST routes a browser calls (the preflight of POST /realtime/v1/api/broadcast
and of GET /ws/_presence/{channel}, the Access-Control headers on the
answers, a refused Origin), and hostile input realtime_test.py does not
send: frames that stop for longer than the daemon's sweep (an idle socket
gives its framing buffers back only between messages), a fragmented message
spread over seconds, reserved opcodes, an oversized ping, a continuation
without a start, an absurd declared length, a message built of thousands of
tiny fragments, malformed JSON, thousands of topics joined on one socket.
Every case ends in an answer or a clean close, and the daemon lives on.
Standard library only."""
import json
import os
import struct
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, BASE, ROOT, check, run_suite  # noqa: E402
from realtime_ws import OP_CONT, OP_TEXT, WS  # noqa: E402

PID_FILE = os.path.join(ROOT, ".dev", "run", "realtime.pid")
ALLOWED = "http://allowed.example"  # in the dev stack's ALLOWED_ORIGINS
STATE = {}


def setup():
    with open(PID_FILE) as f:
        STATE["pid"] = int(f.read().strip())


def teardown():
    pass


def request(method, path, headers=None, body=None):
    req = urllib.request.Request(BASE + path, data=body, method=method)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_cors():
    pre = {"Origin": ALLOWED, "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "apikey, authorization, content-type, x-client-info"}
    st, h, _ = request("OPTIONS", "/realtime/v1/api/broadcast", pre)
    allow = h.get("Access-Control-Allow-Headers", "")
    check("CORS: preflight of POST /realtime/v1/api/broadcast -> 204 with the origin, POST and "
          "the headers supabase-js sends",
          st == 204 and h.get("Access-Control-Allow-Origin") == ALLOWED
          and "POST" in h.get("Access-Control-Allow-Methods", "")
          and all(x in allow for x in ("apikey", "authorization", "content-type", "x-client-info")),
          (st, h))
    st, h, _ = request("OPTIONS", "/realtime/v1/api/broadcast/room/events/e?private=true", pre)
    check("CORS: preflight of the per-topic endpoint (httpSend) -> 204",
          st == 204 and h.get("Access-Control-Allow-Origin") == ALLOWED, (st, h))
    st, h, body = request("OPTIONS", "/realtime/v1/api/broadcast",
                          dict(pre, Origin="http://evil.example"))
    check("CORS: preflight from an origin not allowed -> 403 JSON, no Allow-Origin",
          st == 403 and "Access-Control-Allow-Origin" not in h and b"error" in body, (st, h, body))
    msg = json.dumps({"messages": [{"topic": "cors", "event": "e", "payload": {}}]}).encode()
    st, h, _ = request("POST", "/realtime/v1/api/broadcast",
                       {"Origin": ALLOWED, "apikey": ANON, "Content-Type": "application/json"}, msg)
    check("CORS: the POST's 202 carries Access-Control-Allow-Origin and Vary: Origin",
          st == 202 and h.get("Access-Control-Allow-Origin") == ALLOWED and "Origin" in h.get("Vary", ""),
          (st, h))
    st, h, _ = request("POST", "/realtime/v1/api/broadcast",
                       {"Origin": ALLOWED, "Content-Type": "application/json"}, msg)
    check("CORS: a 401 (no credentials) is readable by the page (Allow-Origin on errors too)",
          st == 401 and h.get("Access-Control-Allow-Origin") == ALLOWED, (st, h))
    st, h, _ = request("GET", "/ws/_presence/_channel_cors?apikey=" + ANON, {"Origin": ALLOWED})
    check("CORS: GET /ws/_presence/{channel} carries Access-Control-Allow-Origin",
          st == 200 and h.get("Access-Control-Allow-Origin") == ALLOWED, (st, h))
    st, h, _ = request("OPTIONS", "/ws/_presence/_channel_cors",
                       {"Origin": ALLOWED, "Access-Control-Request-Method": "GET"})
    check("CORS: preflight of GET /ws/_presence/{channel} -> 204", st == 204, (st, h))


def phx(vsn="1.0.0"):
    return WS(BASE, "/realtime/v1/websocket?apikey=%s&vsn=%s" % (ANON, vsn))


def heartbeat(ref):
    return json.dumps({"topic": "phoenix", "event": "heartbeat", "payload": {}, "ref": ref})


def reply_to(c, ref, timeout=5):
    return c.wait_for(lambda m: isinstance(m, dict) and m.get("ref") == ref, timeout)


def test_pauses_inside_messages():
    c = phx()
    whole = c.frame(heartbeat("slow"))
    c.sock.sendall(whole[:5])  # inside the header and mask
    time.sleep(2.5)  # two sweeps: a socket in the middle of a frame keeps its buffers
    c.sock.sendall(whole[5:12])
    time.sleep(1.2)
    c.sock.sendall(whole[12:])
    r = reply_to(c, "slow")
    check("a frame sent in pieces over 3.7 s is answered (framing state kept inside a frame)",
          r["payload"]["status"] == "ok", r)
    text = heartbeat("frag")
    c.send(text[:20], OP_TEXT, fin=False)
    time.sleep(2.5)  # between the fragments of one message
    c.send(text[20:], OP_CONT, fin=True)
    r = reply_to(c, "frag")
    check("a fragmented message with 2.5 s between its fragments is reassembled",
          r["payload"]["status"] == "ok", r)
    time.sleep(2.5)  # quiet at a boundary: buffers given back, then made again
    c.send(heartbeat("again"))
    check("a socket quiet between messages still answers afterwards",
          reply_to(c, "again")["payload"]["status"] == "ok")
    c.close()


def closes_with(frame_bytes, codes, label):
    c = phx()
    try:
        c.sock.sendall(frame_bytes(c))
    except OSError:
        pass
    code = c.wait_close()[0]
    check(label, code in codes, (code, c.closed))


def test_malformed_frames():
    closes_with(lambda c: c.frame(b"x", opcode=3), (1002,),
                "hostile: a reserved (non-control) opcode -> close 1002")
    # libwslay answers a malformed control frame with a close frame without
    # a status code (None here): still a clean close
    closes_with(lambda c: c.frame(b"p" * 200, opcode=9), (1002, None),
                "hostile: a ping with 200 bytes of payload (over 125) -> close frame")
    closes_with(lambda c: c.frame(b"p", opcode=9, fin=False), (1002, None),
                "hostile: a fragmented ping -> close frame")
    closes_with(lambda c: c.frame(b"lonely", opcode=OP_CONT), (1002,),
                "hostile: a continuation frame without a first fragment -> close 1002")
    closes_with(lambda c: struct.pack("!BBQ", 0x81, 0x80 | 127, 1 << 62) + b"\0\0\0\0" + b"x" * 10,
                (1009, 1002), "hostile: a declared length of 2^62 -> close 1009")
    closes_with(lambda c: c.frame(b"{{{ not json"), (1003,),
                "hostile: a text frame that is not JSON -> close 1003")
    closes_with(lambda c: c.frame(struct.pack("!H", 999)[:2], opcode=8), (1002, "eof"),
                "hostile: a close frame with an invalid code -> close 1002")

    def many_fragments(c):
        piece = b"y" * 1000
        out = c.frame(piece, OP_TEXT, fin=False)
        for _ in range(300):  # 300 KB in tiny fragments, over the 256 KiB default
            out += c.frame(piece, OP_CONT, fin=False)
        return out
    closes_with(many_fragments, (1009,),
                "hostile: a message of 300 fragments over REALTIME_MAX_MESSAGE -> close 1009")


def test_thousands_of_topics():
    c = phx("2.0.0")
    n = 3000
    batch = b"".join(c.frame(json.dumps([str(i), str(i), "realtime:t%d" % i, "phx_join",
                                         {"config": {}}])) for i in range(n))
    c.sock.sendall(batch)
    oks = errors = 0
    reasons = set()
    try:
        while oks + errors < n:
            m = c.recv_json(10)
            if isinstance(m, list) and m[3] == "phx_reply":
                if m[4]["status"] == "ok":
                    oks += 1
                else:
                    errors += 1
                    reasons.add(m[4]["response"]["reason"])
    except Exception as e:
        reasons.add("stopped: %r" % e)
    check("3000 joins on one socket: each answered, ok up to the channel cap, then "
          "ChannelRateLimitReached", oks + errors == n and oks > 0
          and reasons == {"ChannelRateLimitReached: Too many channels"}, (oks, errors, reasons))
    c.send_json([None, "hb", "phoenix", "heartbeat", {}])
    r = c.wait_for(lambda m: isinstance(m, list) and m[1] == "hb")
    check("... and the socket still answers a heartbeat", r[4]["status"] == "ok", r)
    c.close()


def test_daemon_alive():
    alive = os.path.exists("/proc/%d" % STATE["pid"])
    c = phx()
    c.send(heartbeat("last"))
    ok = reply_to(c, "last")["payload"]["status"] == "ok"
    c.close()
    check("the daemon survived all of it (same process, answers)", alive and ok)


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_cors, test_pauses_inside_messages, test_malformed_frames,
                               test_thousands_of_topics, test_daemon_alive], teardown))
