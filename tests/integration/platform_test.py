#!/usr/bin/env python3
"""tests/integration/platform_test.py — the platform checks: what every area
shares, against the running dev stack (.dev/env). /health, CORS and
preflights, headers and body limits, routing (404/405), credentials and JWT
rules, request ids and the access log, CGI mode and the pgstack command, and
the bad days: PostgreSQL stopped and restarted, a worker killed. Prints one
line per check and ends with "N passed, N failed". The checks that stop
PostgreSQL or kill a worker run last and leave the stack healthy. Run by
tests/integration/run like every *_test.py; Python 3 standard library only.
"""

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

import harness

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEV = os.path.join(ROOT, ".dev")
LOGS = os.path.join(DEV, "logs")
AREAS = ["rest", "auth", "storage", "functions", "api"]

ALLOWED_ORIGIN = "http://allowed.example"
REFUSED_ORIGIN = "http://refused.example"
PREFLIGHT_HEADERS = ["apikey", "authorization", "content-type", "prefer", "range",
                     "accept-profile", "content-profile", "x-client-info", "x-upsert"]
HEALTH_OK = {"status": "ok", "pg_connected": True}
HEALTH_DOWN = {"status": "degraded", "pg_connected": False}


# ------------------------------------------------------------------ setup

def read_kv(path):
    """KEY=VALUE file (optionally quoted values, # comments) -> dict."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, val = line.split("=", 1)
            val = val.strip()
            if len(val) >= 2 and val[0] == val[-1] and val[0] in "'\"":
                val = val[1:-1]
            out[key.strip()] = val
    return out


ENV = read_kv(os.path.join(DEV, "env"))
URL = urllib.parse.urlsplit(ENV["PGSTACK_URL"])
ANON_KEY = ENV["ANON_KEY"]
SERVICE_KEY = ENV["SERVICE_ROLE_KEY"]
JWT_SECRET = ENV["JWT_SECRET"]
BEHIND_PGBOUNCER = ENV.get("PGSTACK_PGBOUNCER", "0") in ("1", "true", "yes")
SERVER = ENV.get("PGSTACK_SERVER", "?")
BUILD = ENV.get("PGSTACK_BUILD_DIR", os.path.join(DEV, "build"))  # the programs (out-of-tree build)
try:
    WORKER_CONF = read_kv(os.path.join(DEV, "pgstack.conf"))
except OSError:
    WORKER_CONF = {}
# the workers' count as they read it: their config file, else the default
REST_WORKERS = int(subprocess.run(
    [os.path.join(BUILD, "pgstack"), "config", "get", "REST_WORKERS"], check=True,
    capture_output=True, text=True,
    env=dict(os.environ, PGSTACK_CONFIG=os.path.join(DEV, "pgstack.conf"))).stdout)

# Processes this runner starts (CLI, CGI) report sanitizer findings to files
# under .dev/logs, where `scripts/dev test` looks for them.
os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=0:halt_on_error=1:"
                      "disable_coredump=1:log_path=%s/asan" % LOGS)
os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:log_path=%s/ubsan" % LOGS)

# ---------------------------------------------------------------- results

PASSED = 0
FAILED = 0


def report(name, ok, detail=""):
    global PASSED, FAILED
    if ok:
        PASSED += 1
        print("ok    %s" % name, flush=True)
    else:
        FAILED += 1
        print("FAIL  %s%s" % (name, (": " + detail) if detail else ""), flush=True)
    return ok


class CheckFailed(Exception):
    pass


def expect(cond, detail):
    if not cond:
        raise CheckFailed(detail)


CHECKS = []


def check(name):
    """Register a check; it passes unless it raises."""
    def wrap(fn):
        CHECKS.append((name, fn))
        return fn
    return wrap


# ------------------------------------------------------------------- HTTP

class Response:
    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = headers          # lower-case name -> value (last one wins)
        self.body = body
        self.elapsed = elapsed

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def describe(self):
        text = self.body[:300].decode("utf-8", "replace")
        return "HTTP %d, Content-Type %r, body %r" % (self.status, self.header("content-type"), text)


def request(method, path, headers=None, body=None, timeout=15):
    """One HTTP request on its own connection; the path is sent as given."""
    conn = http.client.HTTPConnection(URL.hostname, URL.port or 80, timeout=timeout)
    t0 = time.monotonic()
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        hdrs = dict(headers or {})
        if body is not None or method in ("POST", "PUT", "PATCH"):
            hdrs.setdefault("Content-Length", str(len(body or b"")))
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders()
        if body:
            try:
                conn.send(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer (413) before reading it all
        resp = conn.getresponse()
        data = resp.read()
        hdr = {k.lower(): v for k, v in resp.getheaders()}
        return Response(resp.status, hdr, data, time.monotonic() - t0)
    finally:
        conn.close()


def expect_json_error(resp, status, message=None):
    expect(resp.status == status, "expected %d, got %s" % (status, resp.describe()))
    ctype = resp.header("content-type", "")
    expect(ctype.startswith("application/json"), "error is not JSON: %s" % resp.describe())
    doc = resp.json()
    expect(isinstance(doc, dict) and isinstance(doc.get("error"), str) and doc["error"],
           "no \"error\" message: %s" % resp.describe())
    if message is not None:
        expect(doc["error"] == message, "expected error %r, got %r" % (message, doc["error"]))
    return doc


def expect_health(resp, status, doc):
    expect(resp.status == status, "expected %d, got %s" % (status, resp.describe()))
    expect(resp.header("content-type", "").startswith("application/json"),
           "Content-Type is not application/json: %s" % resp.describe())
    expect(resp.json() == doc, "expected %s, got %s" % (json.dumps(doc), resp.describe()))


# -------------------------------------------------------------------- JWT

mint_jwt = harness.sign


def user_claims(sub, **extra):
    now = int(time.time())
    claims = {"sub": sub, "role": "authenticated", "aud": "authenticated",
              "iss": "pgstack", "email": "integration@example.com",
              "iat": now, "exp": now + 600}
    claims.update(extra)
    return claims


USER_ID = str(uuid.uuid4())
USER_JWT = mint_jwt(user_claims(USER_ID))
SECRETS_SENT = {"ANON_KEY": ANON_KEY, "SERVICE_ROLE_KEY": SERVICE_KEY,
                "JWT_SECRET": JWT_SECRET, "minted user JWT": USER_JWT}


def rls_debug(headers=None, query=""):
    return request("GET", "/rest/v1/rls-debug" + query, headers=headers)


def expect_rls(resp, role, db_role, uid):
    expect(resp.status == 200, "expected 200, got %s" % resp.describe())
    doc = resp.json()
    expect(isinstance(doc, dict), "not a JSON object: %s" % resp.describe())
    expect(doc.get("role") == role, "role %r, expected %r" % (doc.get("role"), role))
    expect(doc.get("db_role") == db_role, "db_role %r, expected %r" % (doc.get("db_role"), db_role))
    expect(doc.get("uid") == uid, "uid %r, expected %r" % (doc.get("uid"), uid))
    expect(isinstance(doc.get("claims"), dict), "claims is not an object: %s" % resp.describe())
    return doc


# ---------------------------------------------------------------- helpers

def scripts_dev(*args):
    res = subprocess.run([os.path.join(ROOT, "scripts", "dev")] + list(args),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        raise CheckFailed("scripts/dev %s failed: %s" % (" ".join(args), res.stdout.strip()[-500:]))


def supervisor_pid(area):
    with open(os.path.join(DEV, "run", area + ".pid")) as f:
        return int(f.read().strip())


def worker_pids(area):
    """PIDs of the worker processes: the children of the area's supervisor."""
    sup = supervisor_pid(area)
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == sup and fields[0] != "Z":
            pids.add(int(entry))
    return pids


def wait_for(predicate, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def run_cli(*args):
    res = subprocess.run([os.path.join(BUILD, "pgstack")] + list(args),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    return res.returncode, res.stdout + res.stderr


# ================================================================= checks
# Order matters: read-only checks first, then the log scan, then the checks
# that stop PostgreSQL or kill a worker.

@check("GET /health -> 200 {\"status\":\"ok\",\"pg_connected\":true}, application/json")
def _():
    expect_health(request("GET", "/health"), 200, HEALTH_OK)


@check("X-Request-Id header on responses (200 and error)")
def _():
    for path in ("/health", "/auth/v1/no-such-route"):
        r = request("GET", path)
        expect(r.header("x-request-id"), "no X-Request-Id on GET %s: %s" % (path, r.headers))
    a, b = request("GET", "/health"), request("GET", "/health")
    expect(a.header("x-request-id") != b.header("x-request-id"), "X-Request-Id repeats")


@check("unknown route in an area -> 404 JSON (auth, rest, api)")
def _():
    expect_json_error(request("GET", "/auth/v1/no-such-route"), 404)
    expect_json_error(request("GET", "/rest/v1/rpc", headers={"apikey": ANON_KEY}), 404)
    expect_json_error(request("GET", "/api/no-such-route"), 404)


@check("path outside every area -> 404 JSON from the web server")
def _():
    expect_json_error(request("GET", "/no-such-path/x"), 404)


@check("POST /health -> 405 JSON with Allow: GET")
def _():
    r = request("POST", "/health", body=b"")
    expect_json_error(r, 405)
    allow = [m.strip().upper() for m in (r.header("allow") or "").split(",")]
    expect("GET" in allow, "Allow header %r lacks GET" % r.header("allow"))


@check("CORS preflight from an allowed origin -> 204 with Allow-Origin and Allow-Headers")
def _():
    r = request("OPTIONS", "/rest/v1/rls-debug", headers={
        "Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "apikey, authorization, content-type"})
    expect(r.status == 204, "expected 204, got %s" % r.describe())
    expect(r.header("access-control-allow-origin") == ALLOWED_ORIGIN,
           "Access-Control-Allow-Origin %r" % r.header("access-control-allow-origin"))
    allowed = {h.strip().lower() for h in (r.header("access-control-allow-headers") or "").split(",")}
    missing = [h for h in PREFLIGHT_HEADERS if h not in allowed]
    expect(not missing, "Access-Control-Allow-Headers lacks %s (got %r)"
           % (", ".join(missing), r.header("access-control-allow-headers")))


@check("CORS preflight from another origin -> 403 JSON")
def _():
    r = request("OPTIONS", "/rest/v1/rls-debug", headers={
        "Origin": REFUSED_ORIGIN, "Access-Control-Request-Method": "GET"})
    expect_json_error(r, 403)
    expect(r.header("access-control-allow-origin") is None, "refused preflight carries Allow-Origin")


@check("request with a refused Origin -> 403 JSON; allowed Origin -> 200 with Allow-Origin")
def _():
    expect_json_error(request("GET", "/health", headers={"Origin": REFUSED_ORIGIN}), 403)
    r = request("GET", "/health", headers={"Origin": ALLOWED_ORIGIN})
    expect_health(r, 200, HEALTH_OK)
    expect(r.header("access-control-allow-origin") == ALLOWED_ORIGIN,
           "Access-Control-Allow-Origin %r" % r.header("access-control-allow-origin"))


@check("body over the area limit (70000 bytes to /auth/v1/signup) -> 413 JSON from the worker")
def _():
    body = b'{"email":"big@example.com","password":"' + b"x" * 69950 + b'"}'
    r = request("POST", "/auth/v1/signup", body=body, headers={"Content-Type": "application/json"})
    expect_json_error(r, 413)
    expect(r.header("x-request-id"), "the 413 did not come from the worker (no X-Request-Id): %s"
           % r.describe())


@check("body far over the limit (1 MiB to /auth/v1/signup) -> 413 JSON from the web server")
def _():
    r = request("POST", "/auth/v1/signup", body=b"x" * (1 << 20),
                headers={"Content-Type": "application/json"})
    expect_json_error(r, 413)


@check("malformed percent-encoding ?a=%zz -> 400 JSON")
def _():
    expect_json_error(request("GET", "/rest/v1/x?a=%zz", headers={"apikey": ANON_KEY}), 400)


@check("invalid UTF-8 in the query ?a=%ff -> 400 JSON")
def _():
    expect_json_error(request("GET", "/rest/v1/x?a=%ff", headers={"apikey": ANON_KEY}), 400)


@check("invalid UTF-8 in the path /rest/v1/x%ff -> 400 JSON")
def _():
    expect_json_error(request("GET", "/rest/v1/x%ff", headers={"apikey": ANON_KEY}), 400)


@check("rls-debug with the anon key (apikey header) -> anon / anon / uid null")
def _():
    expect_rls(rls_debug({"apikey": ANON_KEY}), "anon", "anon", None)


@check("rls-debug with the anon key as ?apikey= -> anon")
def _():
    expect_rls(rls_debug(query="?apikey=" + urllib.parse.quote(ANON_KEY)), "anon", "anon", None)


@check("rls-debug with the service key (Authorization: Bearer) -> service_role")
def _():
    expect_rls(rls_debug({"Authorization": "Bearer " + SERVICE_KEY}),
               "service_role", "service_role", None)


@check("rls-debug with a minted user JWT -> authenticated, uid = sub, claims echoed")
def _():
    doc = expect_rls(rls_debug({"Authorization": "Bearer " + USER_JWT, "apikey": ANON_KEY}),
                     "authenticated", "authenticated", USER_ID)
    expect(doc["claims"].get("sub") == USER_ID, "claims.sub %r" % doc["claims"].get("sub"))
    expect(doc["claims"].get("email") == "integration@example.com", "claims lack the email")


@check("rls-debug without credentials -> 401 JSON")
def _():
    expect_json_error(rls_debug(), 401)


@check("rls-debug with 'Authorization: Bearer ' (empty token) -> 401 \"empty bearer token\"")
def _():
    expect_json_error(rls_debug({"Authorization": "Bearer "}), 401, "empty bearer token")


@check("rls-debug with an expired token -> 401 JSON")
def _():
    now = int(time.time())
    token = mint_jwt(user_claims(USER_ID, iat=now - 7200, exp=now - 3600))
    expect_json_error(rls_debug({"Authorization": "Bearer " + token}), 401)


@check("rls-debug with a bad signature -> 401 JSON")
def _():
    token = mint_jwt(user_claims(USER_ID), secret="not-the-secret-" + "x" * 32)
    expect_json_error(rls_debug({"Authorization": "Bearer " + token}), 401)
    head, payload, sig = USER_JWT.split(".")
    tampered = mint_jwt(user_claims(USER_ID, role="service_role")).split(".")[1]
    expect_json_error(rls_debug({"Authorization": "Bearer %s.%s.%s" % (head, tampered, sig)}), 401)


@check("rls-debug with an alg=none token -> 401 JSON")
def _():
    token = mint_jwt(user_claims(USER_ID, role="service_role"), alg="none")
    expect_json_error(rls_debug({"Authorization": "Bearer " + token}), 401)


@check("rls-debug with a garbage token -> 401 JSON")
def _():
    expect_json_error(rls_debug({"Authorization": "Bearer not.a.jwt"}), 401)
    expect_json_error(rls_debug({"apikey": "garbage"}), 401)


@check("CGI mode: ./pgstack-rest with CGI variables prints a Status: 200 health response")
def _():
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "PGSTACK_CONFIG": os.path.join(DEV, "pgstack.conf"),
           "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1",
           "REQUEST_METHOD": "GET", "REQUEST_URI": "/health", "SCRIPT_NAME": "/health",
           "QUERY_STRING": "", "REMOTE_ADDR": "127.0.0.1", "SERVER_NAME": "localhost",
           "SERVER_PORT": "80", "HTTP_HOST": "localhost"}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        env[k] = os.environ[k]
    res = subprocess.run([os.path.join(BUILD, "pgstack-rest")], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    out = res.stdout
    expect(res.returncode == 0, "exit status %d, stderr %r" % (res.returncode, res.stderr[-300:]))
    sep = re.search(rb"\r?\n\r?\n", out)
    expect(sep, "no header/body separator in %r" % out[:300])
    head = out[:sep.start()].decode("latin-1")
    body = out[sep.end():]
    headers = {}
    for line in re.split(r"\r?\n", head):
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    expect(headers.get("status", "").startswith("200"), "Status header %r in %r" % (headers.get("status"), head))
    expect(headers.get("content-type", "").startswith("application/json"), "Content-Type %r" % headers.get("content-type"))
    expect(json.loads(body) == HEALTH_OK, "body %r" % body)


@check("pgstack migrate again is a no-op (exit 0, applies nothing)")
def _():
    rc, out = run_cli("migrate", "--database-url", ENV["DATABASE_URL"], "--dir", os.path.join(ROOT, "sql"))
    expect(rc == 0, "exit %d: %s" % (rc, out.strip()))
    applied = [l for l in out.splitlines() if re.match(r"\s*appl(y|ied|ying)\b.*\.sql", l, re.I)]
    expect(not applied, "applied again: %s" % applied)


@check("pgstack migrate --status lists every migration")
def _():
    rc, out = run_cli("migrate", "--status", "--database-url", ENV["DATABASE_URL"],
                      "--dir", os.path.join(ROOT, "sql"))
    expect(rc == 0, "exit %d: %s" % (rc, out.strip()))
    files = sorted(f for f in os.listdir(os.path.join(ROOT, "sql")) if f.endswith(".sql"))
    missing = [f for f in files if f not in out]
    expect(not missing, "not listed: %s in %r" % (missing, out))


@check("pgstack migrate refuses an edited applied migration (non-zero, names the file)")
def _():
    tmp = tempfile.mkdtemp(prefix="pgstack-sql-")
    try:
        src = os.path.join(ROOT, "sql")
        files = sorted(f for f in os.listdir(src) if f.endswith(".sql"))
        expect(files, "no migrations in sql/")
        for f in files:
            shutil.copy(os.path.join(src, f), tmp)
        with open(os.path.join(tmp, files[0]), "a") as fh:
            fh.write("\n-- edited after it was applied\n")
        rc, out = run_cli("migrate", "--database-url", ENV["DATABASE_URL"], "--dir", tmp)
        expect(rc != 0, "exit 0 for an edited migration: %s" % out.strip())
        expect(files[0] in out, "message does not name %s: %r" % (files[0], out.strip()))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def doctor(*args, config=None, extra_env=None):
    """pgstack doctor against the dev stack: its config, sockets, URL and
    the superuser's database URL (which may read schema_migrations)."""
    env = dict(os.environ, PGSTACK_CONFIG=config or os.path.join(DEV, "pgstack.conf"),
               REALTIME_ADDR=ENV.get("REALTIME_ADDR", "127.0.0.1:4000"))
    env.update(extra_env or {})
    argv = [os.path.join(BUILD, "pgstack"), "doctor", "--run-dir", os.path.join(DEV, "run"),
            "--url", ENV["PGSTACK_URL"], "--dir", os.path.join(ROOT, "sql")]
    if "--database-url" not in args:
        argv += ["--database-url", ENV["DATABASE_URL"]]
    res = subprocess.run(argv + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=60, env=env)
    return res.returncode, res.stdout


@check("pgstack doctor: every check passes on the running stack (exit 0)")
def _():
    rc, out = doctor()
    fails = [l for l in out.splitlines() if l.startswith("FAIL")]
    expect(rc == 0 and not fails, "exit %d: %s" % (rc, out.strip()))
    for what in ("configuration", "database reachable", "migrations applied", "roles",
                 "pgstack-rest answering", "web server routes /health", "pgstack-realtime"):
        expect(("ok   " + what) in out, "no ok line for %s: %r" % (what, out))


@check("pgstack doctor: a bad configuration value is named, exit 1")
def _():
    tmp = tempfile.mkdtemp(prefix="pgstack-doctor-")
    try:
        conf = os.path.join(tmp, "pgstack.conf")
        with open(os.path.join(DEV, "pgstack.conf")) as src, open(conf, "w") as dst:
            dst.write(src.read() + "\nREST_MAX_FILTERS=many\n")
        rc, out = doctor(config=conf)
        expect(rc == 1, "exit %d: %s" % (rc, out.strip()))
        expect(re.search(r"^FAIL configuration: .*REST_MAX_FILTERS", out, re.M),
               "no FAIL naming REST_MAX_FILTERS: %r" % out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@check("pgstack doctor: a database that is down fails its check, exit 1")
def _():
    rc, out = doctor("--database-url", "postgresql://authenticator@127.0.0.1:1/pgstack")
    expect(rc == 1, "exit %d: %s" % (rc, out.strip()))
    expect(re.search(r"^FAIL database reachable: .*fix:", out, re.M), "no FAIL line: %r" % out)


@check("pgstack doctor: an unapplied migration is named, exit 1")
def _():
    tmp = tempfile.mkdtemp(prefix="pgstack-doctor-sql-")
    try:
        src = os.path.join(ROOT, "sql")
        for f in os.listdir(src):
            if f.endswith(".sql"):
                shutil.copy(os.path.join(src, f), tmp)
        with open(os.path.join(tmp, "9999_doctor_probe.sql"), "w") as fh:
            fh.write("select 1;\n")
        rc, out = doctor("--dir", tmp)
        expect(rc == 1, "exit %d: %s" % (rc, out.strip()))
        expect(re.search(r"^FAIL migrations applied: 1 .*9999_doctor_probe\.sql.*pgstack migrate",
                         out, re.M), "no FAIL naming the file: %r" % out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@check("no API key, JWT or secret in any log under .dev/logs")
def _():
    leaks = []
    for name in sorted(os.listdir(LOGS)):
        path = os.path.join(LOGS, name)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        for what, value in SECRETS_SENT.items():
            # the whole value, and the signature part of a token on its own
            needles = [value] + ([value.rsplit(".", 1)[1]] if value.count(".") == 2 else [])
            if any(n and n.encode() in data for n in needles):
                leaks.append("%s in %s" % (what, name))
    expect(not leaks, "; ".join(leaks))


@check("worker log has a line for the request, with its X-Request-Id")
def _():
    r = request("GET", "/health")
    rid = r.header("x-request-id")
    expect(rid, "no X-Request-Id")
    def logged():
        with open(os.path.join(LOGS, "rest.log"), "rb") as f:
            return rid.encode() in f.read()
    expect(wait_for(logged, 3), "request id %s not in .dev/logs/rest.log" % rid)


# ------------------------------------------------- database down and back

@check("PostgreSQL stopped -> /health 503 degraded within 3 s; rls-debug 503 \"database unavailable\"")
def _():
    before = worker_pids("rest")
    STATE["rest_pids"] = before
    scripts_dev("pg", "stop")
    STATE["pg_stopped"] = True
    slow = []
    for _ in range(REST_WORKERS + 1):          # reach every worker
        r = request("GET", "/health", timeout=10)
        expect_health(r, 503, HEALTH_DOWN)
        if r.elapsed > 3.0:
            slow.append("%.2fs" % r.elapsed)
    expect(not slow, "answers took %s (limit 3 s)" % ", ".join(slow))
    r = rls_debug({"apikey": ANON_KEY})
    expect_json_error(r, 503, "database unavailable")
    expect(r.elapsed <= 3.0, "rls-debug answered after %.2fs" % r.elapsed)


@check("PostgreSQL started again -> /health 200 from the same worker processes")
def _():
    scripts_dev("pg", "start")
    STATE["pg_stopped"] = False
    limit = 10 if BEHIND_PGBOUNCER else 5
    t0 = time.monotonic()
    ok = wait_for(lambda: request("GET", "/health", timeout=10).status == 200, limit, 0.25)
    expect(ok, "no 200 within %d s after the restart" % limit)
    # every worker must have reconnected: a run of 200s, one per worker and more
    def run_of_200s():
        return all(request("GET", "/health", timeout=10).status == 200 for _ in range(2 * REST_WORKERS))
    expect(wait_for(run_of_200s, limit, 0.25), "some workers still answer non-200 after %.1fs"
           % (time.monotonic() - t0))
    r = rls_debug({"apikey": ANON_KEY})
    expect(r.status == 200, "rls-debug after restart: %s" % r.describe())
    after = worker_pids("rest")
    expect(after == STATE["rest_pids"], "worker PIDs changed: %s -> %s"
           % (sorted(STATE["rest_pids"]), sorted(after)))


@check("PostgreSQL restarted under idle connected workers -> their next requests succeed, no 503")
def _():
    if BEHIND_PGBOUNCER:
        return  # the workers' connections are PgBouncer's, which survive the restart
    for _ in range(2 * REST_WORKERS):          # every worker holds a live connection
        request("GET", "/health")
    scripts_dev("pg", "stop")
    STATE["pg_stopped"] = True
    scripts_dev("pg", "start")
    STATE["pg_stopped"] = False
    bad = [r.describe() for r in (request("GET", "/health", timeout=10) for _ in range(2 * REST_WORKERS))
           if r.status != 200]
    expect(not bad, "%d of %d requests failed: %s" % (len(bad), 2 * REST_WORKERS, bad[:2]))


# ------------------------------------------------------ supervisor respawn

@check("a worker killed with SIGKILL is replaced; the next 20 requests succeed")
def _():
    before = worker_pids("rest")
    expect(len(before) == REST_WORKERS, "%d rest workers, expected %d" % (len(before), REST_WORKERS))
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    def replaced():
        now = worker_pids("rest")
        return now if len(now) == REST_WORKERS and victim not in now else None
    now = wait_for(replaced, 5)
    expect(now, "worker %d not replaced within 5 s (workers: %s)" % (victim, sorted(worker_pids("rest"))))
    expect(now - before, "no new PID")
    bad = []
    for i in range(20):
        r = request("GET", "/health")
        if r.status != 200:
            bad.append("#%d %s" % (i + 1, r.describe()))
    expect(not bad, "; ".join(bad[:3]))


@check("SIGTERM stops the rest area after the request in flight, which still gets its 200")
def _():
    psql = ["psql", ENV["DATABASE_URL"], "-qAtc"]
    subprocess.run(psql + ["create or replace view public.it_slow as "
                           "select 1 as x from pg_sleep(1.5); grant select on public.it_slow to anon"],
                   check=True)
    try:
        expect(wait_for(lambda: request("GET", "/rest/v1/it_slow?limit=0",
                                        headers={"apikey": ANON_KEY}).status == 200, 10),
               "the new view never became visible")
        result = {}
        def slow_request():
            result["resp"] = request("GET", "/rest/v1/it_slow", headers={"apikey": ANON_KEY})
        worker = threading.Thread(target=slow_request)
        worker.start()
        time.sleep(0.5)
        os.kill(supervisor_pid("rest"), signal.SIGTERM)
        worker.join(15)
        resp = result.get("resp")
        expect(resp is not None and resp.status == 200 and resp.json() == [{"x": 1}],
               "the request in flight did not complete: %s" % (resp.describe() if resp else "no reply"))
        expect(wait_for(lambda: not worker_pids("rest"), 5), "rest workers still running 5 s after SIGTERM")
    finally:
        scripts_dev("workers", "restart")
        subprocess.run(psql + ["drop view if exists public.it_slow"], check=True)
    expect(wait_for(lambda: request("GET", "/health").status == 200, 10), "no /health after the restart")


# ------------------------------------------------------------- sub-suites

# ------------------------------------------------------------------- main

STATE = {"pg_stopped": False}


def main():
    r = None
    try:
        r = request("GET", "/health")
    except OSError as e:
        print("# stack not reachable: %s" % e)
    if r is None or r.status != 200:
        print("# warning: the stack is not healthy before the checks start")
    for name, fn in CHECKS:
        try:
            fn()
            report(name, True)
        except CheckFailed as e:
            report(name, False, str(e))
        except Exception as e:  # a crash in a check is a failed check
            report(name, False, "%s: %s" % (type(e).__name__, e))
        if STATE.get("pg_stopped") and not name.startswith("PostgreSQL stopped"):
            # never leave the cluster down for the following checks
            try:
                scripts_dev("pg", "start")
                STATE["pg_stopped"] = False
            except CheckFailed as e:
                print("# could not restart PostgreSQL: %s" % e)
    if STATE.get("pg_stopped"):                 # e.g. --only skipped the restart check
        try:
            scripts_dev("pg", "start")
            STATE["pg_stopped"] = False
        except CheckFailed as e:
            print("# could not restart PostgreSQL: %s" % e)
    print("%d passed, %d failed" % (PASSED, FAILED))
    return 0 if FAILED == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
