#!/usr/bin/env python3
"""The realtime daemon's threaded write pass (REALTIME_IO_THREADS=3 from
tests/integration/suites.conf): a broadcast to a few hundred sockets is
written by the I/O threads (their CPU time grows), and every subscriber
gets every message whole and in order — small ones in a burst, one larger
than a pass writes at once (64 KiB), and while a hundred subscribers reset
their connections just before it is written. The daemon lives on. Raw
sockets straight on REALTIME_ADDR; standard library only."""
import json
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, ENV, ROOT, check, run_suite  # noqa: E402
from realtime_ws import WS  # noqa: E402

DIRECT = ENV.get("REALTIME_ADDR", "127.0.0.1:4000")
PID_FILE = os.path.join(ROOT, ".dev", "run", "realtime.pid")
TOPIC = "realtime:iothreads-%d" % os.getpid()
N = 300  # above the 256 connections from which a pass is threaded
STATE = {"socks": []}


def helpers():
    """{tid: comm} of the daemon's I/O threads."""
    task = "/proc/%d/task" % STATE["pid"]
    out = {}
    for tid in os.listdir(task):
        with open(os.path.join(task, tid, "comm")) as f:
            name = f.read().strip()
        if name.startswith("rt-io-"):
            out[tid] = name
    return out


def helper_ns():
    """Nanoseconds the I/O threads have run (schedstat)."""
    total = 0
    for tid in helpers():
        with open("/proc/%d/task/%s/schedstat" % (STATE["pid"], tid)) as f:
            total += int(f.read().split()[0])
    return total


def join(c, ref="1"):
    c.send_json({"topic": TOPIC, "event": "phx_join", "ref": ref, "join_ref": ref,
                 "payload": {"config": {"broadcast": {"self": False}}}})


def joined(c):
    m = c.wait_for(lambda m: isinstance(m, dict) and m.get("event") == "phx_reply", 10)
    return m["payload"].get("status") == "ok"


def open_joined(n):
    socks = [WS(DIRECT, "/realtime/v1/websocket?apikey=%s&vsn=1.0.0" % ANON, timeout=10)
             for _ in range(n)]
    for c in socks:
        join(c)
    return socks, sum(1 for c in socks if joined(c))


def broadcast(c, payload):
    c.send_json({"topic": TOPIC, "event": "broadcast", "ref": None, "join_ref": "1",
                 "payload": {"type": "broadcast", "event": "e", "payload": payload}})


def received(c, count, timeout=20):
    """The payloads of the next count broadcasts on c (fewer on a timeout)."""
    out = []
    try:
        while len(out) < count:
            m = c.wait_for(lambda m: isinstance(m, dict) and m.get("event") == "broadcast", timeout)
            out.append(m["payload"]["payload"])
    except (OSError, EOFError):
        pass
    return out


def setup():
    with open(PID_FILE) as f:
        STATE["pid"] = int(f.read().strip())
    STATE["socks"], STATE["joined"] = open_joined(N)


def teardown():
    for c in STATE["socks"]:
        c.sock.close()


def test_threads():
    names = sorted(helpers().values())
    check("the daemon runs 2 I/O threads beside its loop (REALTIME_IO_THREADS=3)",
          names == ["rt-io-1", "rt-io-2"], names)
    check("%d sockets joined %s" % (N, TOPIC), STATE["joined"] == N, STATE["joined"])


def test_burst():
    sender, rest = STATE["socks"][0], STATE["socks"][1:]
    before = helper_ns()
    for i in range(20):
        broadcast(sender, {"i": i, "pad": "x" * (i * 10)})
    bad = [k for k, c in enumerate(rest)
           if received(c, 20) != [{"i": i, "pad": "x" * (i * 10)} for i in range(20)]]
    check("20 broadcasts in a burst: each of %d subscribers got all 20, whole and in order"
          % len(rest), not bad, "%d subscribers differ, e.g. #%s" % (len(bad), bad[:5]))
    ran = helper_ns() - before
    check("the I/O threads wrote part of it (their run time grew: %.2f ms)" % (ran / 1e6), ran > 0,
          ran)


def test_large():
    sender, rest = STATE["socks"][0], STATE["socks"][1:]
    big = {"blob": "".join(chr(ord("a") + k % 26) for k in range(100000))}
    broadcast(sender, big)
    bad = sum(1 for c in rest if received(c, 1) != [big])
    check("a 100 KB broadcast (more than one pass writes at once) reaches all %d whole"
          % len(rest), bad == 0, "%d did not" % bad)


def test_resets_during_pass():
    extra, ok = open_joined(100)
    check("100 more sockets joined", ok == 100, ok)
    for c in extra:  # a reset, not a close handshake: the next write fails
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.sock.close()
    sender, rest = STATE["socks"][0], STATE["socks"][1:]
    for i in range(5):
        broadcast(sender, {"after_reset": i})
    bad = sum(1 for c in rest if received(c, 5) != [{"after_reset": i} for i in range(5)])
    check("100 subscribers reset just before 5 broadcasts go out: the other %d get all 5" % len(rest),
          bad == 0, "%d did not" % bad)
    late = WS(DIRECT, "/realtime/v1/websocket?apikey=%s&vsn=1.0.0" % ANON, timeout=10)
    join(late, "9")
    check("the daemon still accepts and joins", joined(late))
    late.close()
    with open(PID_FILE) as f:
        pid = int(f.read().strip())
    alive = os.path.exists("/proc/%d" % pid)
    check("the daemon survived (same process, still running)", pid == STATE["pid"] and alive,
          (pid, STATE["pid"], alive))


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_threads, test_burst, test_large, test_resets_during_pass],
                       teardown))
