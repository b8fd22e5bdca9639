#!/usr/bin/env python3
"""Integration tests of the auth area's core endpoints through the running
stack (.dev/env): sign-up, password and refresh grants with rotation and
reuse detection, /user, logout scopes, admin users, bans, anonymous sign-in
off, OAuth providers off, rate limits shared by the workers, hostile bodies.

Each test client gets its own address via X-Forwarded-For (the test stack
trusts 127.0.0.1 as a proxy), so rate limits of one test never touch
another. Prints one line per check and ends with "N passed, N failed"."""
import base64
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

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
URL = ENV["PGSTACK_URL"] + "/auth/v1"
ANON = ENV["ANON_KEY"]
SERVICE = ENV["SERVICE_ROLE_KEY"]
results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else "  -- " + str(detail)))


def fresh_ip():
    return "10.%d.%d.%d" % (random.randint(0, 255), random.randint(0, 255), random.randint(1, 254))


class Client:
    """One browser-like client with its own address."""

    def __init__(self, ip=None):
        self.ip = ip or fresh_ip()

    def call(self, method, path, body=None, token=None, raw=None, headers=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(URL + path, data=data, method=method)
        req.add_header("apikey", ANON)
        req.add_header("X-Forwarded-For", self.ip)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, text, hdrs = r.status, r.read().decode(), r.headers
        except urllib.error.HTTPError as e:
            status, text, hdrs = e.code, e.read().decode(), e.headers
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return status, parsed, hdrs


def psql(sql):
    out = subprocess.run(["psql", ENV["DATABASE_URL"], "-qAtc", sql], capture_output=True, text=True)
    return out.stdout.strip()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims, secret=None):
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    key = (secret or ENV["JWT_SECRET"]).encode()
    sig = b64url(hmac.new(key, (header + "." + payload).encode(), hashlib.sha256).digest())
    return header + "." + payload + "." + sig


def email():
    return "user-%s@example.com" % uuid.uuid4().hex[:12]


def test_signup_and_password_grant():
    c = Client()
    addr = email()
    st, body, _ = c.call("POST", "/signup", {"email": addr.upper(), "password": "secret123",
                                               "data": {"full_name": "Jane"}})
    check("signup 201", st == 201, (st, body))
    check("signup session shape", isinstance(body, dict) and body.get("token_type") == "bearer"
          and body.get("expires_in") == 3600 and isinstance(body.get("expires_at"), int)
          and body.get("access_token") and body.get("refresh_token"), body)
    user = body["user"]
    check("signup user shape", user["email"] == addr and user["role"] == "authenticated"
          and user["user_metadata"] == {"full_name": "Jane"} and user["id"] and user["created_at"]
          and user["updated_at"], user)
    st, dup, _ = c.call("POST", "/signup", {"email": addr, "password": "secret123"})
    check("duplicate email 409", st == 409 and dup["error"] == "email already registered", (st, dup))
    st, s, _ = c.call("POST", "/token?grant_type=password", {"email": addr, "password": "secret123"})
    check("password grant 200", st == 200 and s["user"]["id"] == user["id"], (st, s))
    st, e, _ = c.call("POST", "/token?grant_type=password", {"email": addr, "password": "wrongpass1"})
    check("wrong password 401", st == 401 and e["error"] == "invalid email or password", (st, e))
    st, e2, _ = c.call("POST", "/token?grant_type=password", {"email": email(), "password": "wrongpass1"})
    check("unknown email answers the same 401", st == 401 and e2 == e, (st, e2))
    rows = psql("select count(*) from auth.refresh_tokens t join auth.users u on u.id = t.user_id "
                "where u.email = '%s' and t.token_hash = encode(sha256('%s'), 'hex')"
                % (addr, s["refresh_token"]))
    check("refresh token stored only as its hash", rows == "1", rows)
    plain = psql("select count(*) from auth.refresh_tokens where token_hash = '%s'" % s["refresh_token"])
    check("refresh token plaintext not stored", plain == "0", plain)
    return c, addr, s


def test_validation():
    c = Client()
    cases = [
        ({"email": "not-an-email", "password": "secret123"}, "invalid email address"),
        ({"email": "a@b.com\r\nBcc: x@evil.com", "password": "secret123"}, "invalid email address"),
        ({"email": "jörg@example.com", "password": "secret123"}, "invalid email address"),
        ({"email": "x'; drop table auth.users; --@example.com", "password": "secret123"},
         "invalid email address"),
        ({"email": email(), "password": "short"}, "password must be at least 8 characters"),
        ({"email": email(), "password": "p" * 300}, "password must be at most 256 characters"),
        ({"email": 42, "password": "secret123"}, None),
        ({"email": email(), "password": ["x"]}, None),
        ({"email": email(), "password": "secret123", "data": "nope"}, None),
    ]
    before = psql("select count(*) from auth.users")
    for body, message in cases:
        st, e, _ = c.call("POST", "/signup", body)
        ok = st == 400 and isinstance(e, dict) and (e.get("error") == message if message else
                                                   e.get("error") == "invalid request body")
        check("signup rejects %s" % json.dumps(body)[:60], ok, (st, e))
    for raw in [b"{", b"[1,2]", b"null", b"\xff\xfe", b'{"email": "a@b.co"} trailing']:
        st, e, _ = c.call("POST", "/signup", raw=raw)
        check("signup rejects malformed body %r: error exactly \"invalid request body\", the reason in detail" % raw[:20],
              st == 400 and e["error"] == "invalid request body" and e.get("detail"), (st, e))
    st, e, _ = c.call("POST", "/signup", raw=b"{" + b'"a":"' + b"x" * 1000000 + b'"}')
    check("1 MB body refused with 413", st == 413 and "error" in e, (st, str(e)[:100]))
    check("nothing written by rejected sign-ups", psql("select count(*) from auth.users") == before)


def test_user_and_refresh(c, addr, session):
    at, rt = session["access_token"], session["refresh_token"]
    st, u, _ = c.call("GET", "/user", token=at)
    check("GET /user", st == 200 and u["email"] == addr, (st, u))
    st, u, _ = c.call("GET", "/user")
    check("GET /user with only the anon key 401", st == 401, (st, u))
    st, u, _ = c.call("PATCH", "/user", {"data": {"plan": "pro"}}, token=at)
    check("PATCH /user merges metadata", st == 200 and u["user_metadata"] == {"full_name": "Jane", "plan": "pro"}, (st, u))
    st, u, _ = c.call("PATCH", "/user", {"password": "x"}, token=at)
    check("PATCH /user short password 400", st == 400, (st, u))
    st, r1, _ = c.call("POST", "/token?grant_type=refresh_token", {"refresh_token": rt})
    check("refresh grant rotates", st == 200 and r1["refresh_token"] != rt, (st, r1))
    st, r2, _ = c.call("POST", "/token?grant_type=refresh_token", {"refresh_token": rt})
    check("reuse within the grace period works (concurrent tabs)", st == 200, (st, r2))
    psql("update auth.refresh_tokens set revoked_at = now() - interval '1 minute' where revoked_at is not null "
         "and user_id = (select id from auth.users where email = '%s')" % addr)
    st, e, _ = c.call("POST", "/token?grant_type=refresh_token", {"refresh_token": rt})
    check("reuse after the grace period 401", st == 401 and e["error"] == "invalid refresh token", (st, e))
    st, e, _ = c.call("POST", "/token?grant_type=refresh_token", {"refresh_token": r1["refresh_token"]})
    check("theft detection revoked the whole session", st == 401, (st, e))
    st, e, _ = c.call("POST", "/token?grant_type=refresh_token", {"refresh_token": "garbage"})
    check("unknown refresh token 401", st == 401, (st, e))
    st, e, _ = c.call("POST", "/token?grant_type=nope", {})
    check("unknown grant_type 400", st == 400, (st, e))


def test_expired_and_foreign_tokens(addr):
    c = Client()
    uid = psql("select id from auth.users where email = '%s'" % addr)
    now = int(time.time())
    expired = sign({"sub": uid, "role": "authenticated", "exp": now - 10})
    st, e, _ = c.call("GET", "/user", token=expired)
    check("expired access token 401", st == 401 and e["error"] == "token expired", (st, e))
    foreign = sign({"sub": uid, "role": "authenticated", "exp": now + 600}, "another-secret-" + "x" * 32)
    st, e, _ = c.call("GET", "/user", token=foreign)
    check("token signed with another secret 401", st == 401 and "signature" in e["error"], (st, e))
    st, e, _ = c.call("GET", "/user", headers={"Authorization": "Bearer "})
    check("empty bearer 401", st == 401 and e["error"] == "empty bearer token", (st, e))


def test_logout_scopes():
    c = Client()
    addr = email()
    c.call("POST", "/signup", {"email": addr, "password": "secret123"})
    sessions = [c.call("POST", "/token?grant_type=password", {"email": addr, "password": "secret123"})[1]
                for _ in range(3)]
    st, _, _ = c.call("POST", "/logout?scope=local", token=sessions[0]["access_token"])
    check("logout local 204", st == 204, st)
    st, _, _ = c.call("POST", "/token?grant_type=refresh_token", {"refresh_token": sessions[0]["refresh_token"]})
    check("local logout ends that session", st == 401, st)
    st, _, _ = c.call("POST", "/token?grant_type=refresh_token", {"refresh_token": sessions[1]["refresh_token"]})
    check("local logout keeps other sessions", st == 200, st)
    st, _, _ = c.call("POST", "/logout?scope=others", token=sessions[2]["access_token"])
    n = psql("select count(*) from auth.sessions s join auth.users u on u.id = s.user_id where u.email = '%s'" % addr)
    check("logout others keeps only the current session", st == 204 and n == "1", (st, n))
    st, _, _ = c.call("POST", "/logout", token=sessions[2]["access_token"])
    n = psql("select count(*) from auth.sessions s join auth.users u on u.id = s.user_id where u.email = '%s'" % addr)
    check("logout (global) ends every session", st == 204 and n == "0", (st, n))
    st, e, _ = c.call("GET", "/user", token=sessions[2]["access_token"])
    check("GET /user with the access token of an ended session 403 session_not_found",
          st == 403 and e["error_code"] == "session_not_found", (st, e))
    st, e, _ = c.call("PATCH", "/user", {"data": {"x": 1}}, token=sessions[0]["access_token"])
    check("PATCH /user with the access token of an ended session 403", st == 403, (st, e))
    st, e, _ = c.call("POST", "/logout?scope=everything", token=sessions[2]["access_token"])
    check("unknown logout scope 400", st == 400, (st, e))


def test_admin():
    c = Client()
    addr = email()
    st, e, _ = c.call("GET", "/admin/users", token=ANON)
    check("admin list with anon key 403", st == 403, (st, e))
    user_token = c.call("POST", "/signup", {"email": email(), "password": "secret123"})[1]["access_token"]
    st, e, _ = c.call("GET", "/admin/users", token=user_token)
    check("admin list with a user token 403", st == 403, (st, e))
    st, u, _ = c.call("POST", "/admin/users", {"email": addr, "password": "initialpw1", "role": "authenticated",
                                               "email_confirm": True, "unknown": 1}, token=SERVICE)
    check("admin create 201", st == 201 and u["email"] == addr and u["email_confirmed_at"], (st, u))
    st, e, _ = c.call("POST", "/admin/users", {"email": addr}, token=SERVICE)
    check("admin create duplicate 409", st == 409, (st, e))
    st, e, _ = c.call("POST", "/admin/users", {"email": email(), "role": "superuser"}, token=SERVICE)
    check("admin create bad role 400", st == 400, (st, e))
    st, e, _ = c.call("POST", "/admin/users", {"email": email(), "password": "short"}, token=SERVICE)
    check("admin create short password 400", st == 400, (st, e))
    st, lst, hdrs = c.call("GET", "/admin/users?page=1&per_page=2", token=SERVICE)
    check("admin list is an array (spec) with X-Total-Count", st == 200 and isinstance(lst, list)
          and len(lst) <= 2 and int(hdrs["X-Total-Count"]) >= 2, (st, lst))
    st, obj, _ = c.call("GET", "/admin/users", token=SERVICE, headers={"X-Client-Info": "supabase-js-node/2.45.0"})
    check("admin list for supabase-js is {users, aud}", st == 200 and isinstance(obj.get("users"), list), (st, obj))
    st, e, _ = c.call("GET", "/admin/users?per_page=abc", token=SERVICE)
    check("admin list bad per_page 400", st == 400, (st, e))
    st, g, _ = c.call("GET", "/admin/users/" + u["id"], token=SERVICE)
    check("admin get", st == 200 and g["id"] == u["id"], (st, g))
    st, b, _ = c.call("PUT", "/admin/users/" + u["id"], {"ban_duration": "24h"}, token=SERVICE)
    check("admin ban", st == 200 and b["banned_until"], (st, b))
    st, e, _ = c.call("POST", "/token?grant_type=password", {"email": addr, "password": "initialpw1"})
    check("banned user cannot sign in", st == 400 and e["error"] == "user is banned", (st, e))
    st, b, _ = c.call("PUT", "/admin/users/" + u["id"], {"ban_duration": "none"}, token=SERVICE)
    st, s, _ = c.call("POST", "/token?grant_type=password", {"email": addr, "password": "initialpw1"})
    check("unbanned user signs in", st == 200, (st, s))
    st, e, _ = c.call("DELETE", "/admin/users/not-a-uuid", token=SERVICE)
    check("admin delete malformed id 400", st == 400, (st, e))
    st, body, _ = c.call("DELETE", "/admin/users/" + u["id"], token=SERVICE)
    check("admin delete 204", st == 204 and body is None, (st, body))
    st, e, _ = c.call("DELETE", "/admin/users/" + u["id"], token=SERVICE)
    check("admin delete again 404 user not found", st == 404 and e["error"] == "user not found", (st, e))


def test_anonymous_disabled_and_settings():
    c = Client()
    st, e, _ = c.call("POST", "/anonymous", {})
    check("anonymous sign-in off: 503", st == 503 and e["error"], (st, e))
    st, e, _ = c.call("POST", "/signup", {})
    check("anonymous sign-up off: 422 anonymous_provider_disabled (GoTrue)",
          st == 422 and e["error_code"] == "anonymous_provider_disabled", (st, e))
    st, s, _ = c.call("GET", "/settings")
    check("settings", st == 200 and s["external"]["email"] is True, (st, s))


def test_oauth_unconfigured():
    """The usual dev stack configures no OAuth provider (the OAuth suite
    does, in suites.conf): every provider answers 400 and /settings says
    so."""
    c = Client()
    st, s, _ = c.call("GET", "/settings")
    check("settings: no OAuth provider enabled", st == 200 and not any(
        s["external"].get(p) for p in ("google", "github", "apple", "azure", "microsoft", "oidc")), s)
    for p in ("google", "github", "apple", "microsoft", "oidc", "azure"):
        st, e, _ = c.call("GET", "/authorize?provider=" + p)
        check("authorize with unconfigured provider %s -> 400" % p,
              st == 400 and e.get("error_code") == "provider_disabled" and "not enabled" in e["error"], (st, e))
    st, e, _ = c.call("GET", "/callback?code=x&state=y")
    check("callback with a state that is not ours -> 400", st == 400 and e.get("error_code") == "bad_oauth_state",
          (st, e))


def test_rate_limit():
    a, b = Client(), Client()
    statuses = [a.call("POST", "/token?grant_type=refresh_token", {"refresh_token": "x"})[0] for _ in range(31)]
    check("30 requests pass, the 31st gets 429", statuses[:30] == [401] * 30 and statuses[30] == 429, statuses)
    st, _, hdrs = a.call("POST", "/token?grant_type=refresh_token", {"refresh_token": "x"})
    check("429 carries Retry-After", st == 429 and int(hdrs.get("Retry-After", "0")) >= 1, (st, dict(hdrs)))
    st, _, _ = b.call("POST", "/token?grant_type=refresh_token", {"refresh_token": "x"})
    check("another address still passes", st == 401, st)
    pids = set(line.split("[")[1].split("]")[0] for line in open(os.path.join(ROOT, ".dev", "logs", "auth.log"))
               if "POST /auth/v1/token 4" in line and "req=" in line)
    check("the requests were served by more than one worker (shared counter)", len(pids) >= 2, pids)


def rest_get(path, token):
    """GET /rest/v1/... with the anon key and, when given, a user's token."""
    req = urllib.request.Request(ENV["PGSTACK_URL"] + "/rest/v1" + path)
    req.add_header("apikey", ANON)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_tokens_work_under_rls():
    """The access token of a sign-in is what /rest/v1 runs RLS with."""
    psql("create table if not exists public.ac_notes (id serial primary key, "
         "owner uuid not null default auth.uid(), body text); "
         "alter table public.ac_notes enable row level security; "
         "drop policy if exists ac_notes_own on public.ac_notes; "
         "create policy ac_notes_own on public.ac_notes for all to authenticated "
         "using (owner = auth.uid()) with check (owner = auth.uid()); "
         "grant select, insert on public.ac_notes to anon, authenticated")
    try:
        c = Client()
        sessions = [c.call("POST", "/signup", {"email": email(), "password": "secret123"})[1]
                    for _ in range(2)]
        ids = [s["user"]["id"] for s in sessions]
        psql("insert into public.ac_notes (owner, body) values ('%s', 'a1'), ('%s', 'a2'), ('%s', 'b1')"
             % (ids[0], ids[0], ids[1]))
        deadline = time.time() + 10
        while True:
            st, rows = rest_get("/ac_notes?select=body&order=body", sessions[0]["access_token"])
            if st == 200 or time.time() > deadline:
                break
            time.sleep(0.3)
        check("user A's token sees only A's rows through /rest/v1 (auth.uid() policy)",
              st == 200 and rows == [{"body": "a1"}, {"body": "a2"}], (st, rows))
        st, rows = rest_get("/ac_notes?select=body", sessions[1]["access_token"])
        check("user B's token sees only B's rows", st == 200 and rows == [{"body": "b1"}], (st, rows))
        st, rows = rest_get("/ac_notes?select=body", None)
        check("the anon key sees no rows", st == 200 and rows == [], (st, rows))
        refreshed = c.call("POST", "/token?grant_type=refresh_token",
                           {"refresh_token": sessions[1]["refresh_token"]})[1]
        st, rows = rest_get("/ac_notes?select=body", refreshed["access_token"])
        check("a refreshed token keeps the same identity under RLS", st == 200 and rows == [{"body": "b1"}],
              (st, rows))
    finally:
        psql("drop table if exists public.ac_notes")


def main():
    random.seed()
    c, addr, session = test_signup_and_password_grant()
    test_validation()
    test_user_and_refresh(c, addr, session)
    test_expired_and_foreign_tokens(addr)
    test_logout_scopes()
    test_admin()
    test_anonymous_disabled_and_settings()
    test_oauth_unconfigured()
    test_tokens_work_under_rls()
    test_rate_limit()
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    sys.exit(1 if results["failed"] else 0)


if __name__ == "__main__":
    main()
