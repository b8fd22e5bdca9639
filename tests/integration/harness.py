"""Shared helpers of the integration suites (tests/integration/*_test.py):
the running stack described by .dev/env, one line per check with a closing
"N passed, N failed", JWTs minted with JWT_SECRET, HTTP calls that never
raise on an error status, and psql as the superuser of DATABASE_URL.
Python 3 standard library only."""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_env():
    env = {}
    with open(os.path.join(ROOT, ".dev", "env")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


ENV = load_env()
BASE = ENV["PGSTACK_URL"]
ANON = ENV["ANON_KEY"]
SERVICE = ENV["SERVICE_ROLE_KEY"]
results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    text = "" if ok else "  -- " + str(detail)[:600]
    print(("ok   " if ok else "FAIL ") + name + text, flush=True)


def summary():
    """Prints the closing line; returns the exit status."""
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 0 if results["failed"] == 0 else 1


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims, secret=None, alg="HS256"):
    """A JWT of claims signed with HS256 (JWT_SECRET unless secret is given);
    alg="none" makes the unsigned kind an attacker would send."""
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    if alg == "none":
        return header + "." + payload + "."
    key = (secret or ENV["JWT_SECRET"]).encode()
    sig = hmac.new(key, (header + "." + payload).encode(), hashlib.sha256).digest()
    return header + "." + payload + "." + b64url(sig)


def user_token(sub):
    return sign({"sub": sub, "role": "authenticated", "aud": "authenticated",
                 "exp": int(time.time()) + 3600})


class Reply:
    def __init__(self, status, text, headers):
        self.status, self.text, self.headers = status, text, headers
        try:
            self.json = json.loads(text) if text else None
        except ValueError:
            self.json = None

    def header(self, name):
        return self.headers.get(name) if self.headers else None

    def code(self):
        return self.json.get("code") if isinstance(self.json, dict) else None

    def __repr__(self):
        return "%s %s" % (self.status, self.text[:400])


def encode_body(body):
    """None, bytes, text, or a value sent as JSON."""
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def call(path, query="", method="GET", token=None, headers=None, body=None, area="/rest/v1",
         content_type="application/json"):
    """One request with the anon key (and a user's token when given)."""
    data = encode_body(body)
    req = urllib.request.Request(BASE + area + path + ("?" + query if query else ""),
                                 method=method, data=data)
    req.add_header("apikey", ANON)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None and content_type:
        req.add_header("Content-Type", content_type)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return Reply(r.status, r.read().decode("utf-8", "replace"), r.headers)
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read().decode("utf-8", "replace"), e.headers)


def qs(pairs):
    return "&".join(urllib.parse.quote(k, safe="*(),.:!{}[]\"->") + "=" +
                    urllib.parse.quote(v, safe="*(),.:!{}[]\"->") for k, v in pairs)


def psql(sql):
    out = subprocess.run(["psql", ENV["DATABASE_URL"], "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("psql failed: " + out.stderr)
    return out.stdout.strip()


def table_call(method, table, query="", body=None, token=None, prefer=None, headers=None,
               content_type="application/json"):
    """A request on /rest/v1/{table}, with an optional Prefer header."""
    headers = dict(headers or {})
    if prefer:
        headers["Prefer"] = prefer
    return call("/" + urllib.parse.quote(table, safe=""), query, method=method, token=token,
                headers=headers, body=body, content_type=content_type)


def run_suite(setup, tests, teardown):
    """Creates the fixture, runs every test (a crash is a failed check),
    always tears down, prints the closing line; returns the exit status."""
    try:
        setup()
    except Exception as e:  # no fixture, no checks
        check("fixture created", False, e)
        return summary()
    try:
        for t in tests:
            try:
                t()
            except Exception as e:
                check(t.__name__ + " ran to the end", False, "%s: %s" % (type(e).__name__, e))
    finally:
        try:
            teardown()
        except Exception as e:
            print("# teardown failed: %s" % e)
    return summary()
