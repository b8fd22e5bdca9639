"""tests/load/loadgen.py — the client load the fault and soak runs drive
against the running dev stack (.dev/env): raw HTTP/1.1 requests that never
raise (status 0 for no answer), a recorder of every reply, and load threads
for REST reads, REST writes (their acknowledged ids kept), RPC calls, batches
and auth token refreshes. The fixture table is public.fl_items (FIXTURE).
Python 3 standard library only."""
import json
import os
import random
import socket
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402

URL = urllib.parse.urlsplit(harness.BASE)

FIXTURE = """
drop table if exists public.fl_items;
create table public.fl_items (id uuid primary key, n int not null);
alter table public.fl_items enable row level security;
create policy fl_read on public.fl_items for select to anon, authenticated using (true);
grant select on public.fl_items to anon, authenticated;
grant all on public.fl_items to service_role;
create or replace function public.fl_sleep(s float8) returns int language sql
  as $$ select 1 from pg_sleep(s) $$;
grant execute on function public.fl_sleep(float8) to anon;
create or replace function public.fl_count(min_n int) returns bigint language sql stable
  as $$ select count(*) from public.fl_items where n >= min_n $$;
grant execute on function public.fl_count(int) to anon;
"""
TEARDOWN = "drop table public.fl_items; drop function public.fl_sleep(float8); " \
           "drop function public.fl_count(int)"


# ------------------------------------------------------------------ HTTP

def http(method, path, body=None, headers=None, timeout=15):
    """(status, body text); status 0 for a connection error or timeout."""
    conn = socket.create_connection((URL.hostname, URL.port or 80), timeout=timeout)
    data = json.dumps(body).encode() if body is not None else b""
    head = {"Host": URL.netloc, "Connection": "close", "apikey": harness.ANON,
            "Content-Length": str(len(data))}
    if body is not None:
        head["Content-Type"] = "application/json"
    head.update(headers or {})
    try:
        conn.sendall(("%s %s HTTP/1.1\r\n" % (method, path)).encode() +
                     "".join("%s: %s\r\n" % kv for kv in head.items()).encode() + b"\r\n" + data)
        raw = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            raw += chunk
    except OSError:
        return 0, ""
    finally:
        conn.close()
    try:
        status = int(raw.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0, ""
    return status, raw.partition(b"\r\n\r\n")[2].decode("utf-8", "replace")


def service(extra=None):
    h = {"apikey": harness.SERVICE, "Authorization": "Bearer " + harness.SERVICE}
    h.update(extra or {})
    return h


# ------------------------------------------------------------------- load

class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.replies = []          # (t_start, t_end, kind, status, body)
        self.acked = []            # ids of writes answered 2xx

    def add(self, t0, kind, status, body, acked_id=None):
        with self.lock:
            self.replies.append((t0, time.monotonic(), kind, status, body[:200]))
            if acked_id and 200 <= status < 300:
                self.acked.append(acked_id)


def load_reads(rec, stop):
    while not stop.is_set():
        t0 = time.monotonic()
        st, body = http("GET", "/rest/v1/fl_items?select=id,n&order=n.desc&limit=5")
        rec.add(t0, "read", st, body)


def load_writes(rec, stop):
    while not stop.is_set():
        t0 = time.monotonic()
        item = str(uuid.uuid4())
        st, body = http("POST", "/rest/v1/fl_items", {"id": item, "n": random.randint(1, 1 << 30)},
                        service({"Prefer": "return=minimal"}))
        rec.add(t0, "write", st, body, item)


def client_address():
    """A simulated client of its own (the dev stack trusts X-Forwarded-For
    from loopback), so that the load stays under the per-address limits."""
    return {"X-Forwarded-For": "10.77.%d.%d" % (random.randint(0, 255), random.randint(1, 254))}


def sign_in(email):
    st, body = http("POST", "/auth/v1/token?grant_type=password",
                    {"email": email, "password": "fault-load-1"}, client_address())
    return json.loads(body).get("refresh_token") if st == 200 else None


def load_refreshes(rec, stop, email):
    token = None
    while not stop.is_set():
        if token is None:
            token = sign_in(email)
            if token is None:
                time.sleep(0.2)
                continue
        t0 = time.monotonic()
        st, body = http("POST", "/auth/v1/token?grant_type=refresh_token", {"refresh_token": token},
                        client_address())
        rec.add(t0, "refresh", st, body)
        token = json.loads(body).get("refresh_token") if st == 200 else None
        time.sleep(0.05)


def sign_up(email):
    st, body = http("POST", "/auth/v1/signup", {"email": email, "password": "fault-load-1"},
                    {"X-Forwarded-For": "10.78.0.1"})
    return 200 <= st < 300


def failed(status):
    """Every load request expects a 2xx; anything else (0: no answer) failed."""
    return not 200 <= status < 300


def load_rpc(rec, stop):
    while not stop.is_set():
        t0 = time.monotonic()
        st, body = http("POST", "/rest/v1/rpc/fl_count", {"min_n": random.randint(1, 1 << 30)})
        rec.add(t0, "rpc", st, body)


def load_batches(rec, stop):
    while not stop.is_set():
        t0 = time.monotonic()
        item = str(uuid.uuid4())
        ops = [{"id": "w", "method": "POST", "path": "/fl_items",
                "body": {"id": item, "n": random.randint(1, 1 << 30)}},
               {"id": "r", "method": "GET", "path": "/fl_items?select=id&id=eq.{{w.id}}"}]
        st, body = http("POST", "/rest/v1/batch", {"operations": ops}, service())
        rec.add(t0, "batch", st, body, item)
