#!/usr/bin/env python3
"""TOTP multi-factor authentication of /auth/v1 against the running stack:
enroll (secret, otpauth URI, SVG QR code; the secret sealed at rest),
challenge, verify with a code computed here from the secret (RFC 6238) ->
a session at aal2 with totp in its amr, kept by refresh; an RLS policy that
requires aal2 denies aal1 and allows aal2; a used code, a wrong code, an
expired challenge and 5 wrong codes are refused; unenroll needs aal2; the
admin endpoints list and delete factors; hostile input -> 4xx JSON with
nothing written. Runs with the stack's usual settings. Standard library
only (plus psql)."""
import base64
import hashlib
import hmac
import json
import random
import secrets
import struct
import sys
import time
import urllib.parse

from harness import ENV, SERVICE, call, check, psql, summary, table_call

PASSWORD = "correct horse 1"
RUN = secrets.token_hex(4)
XFF = {}


def new_client():
    """Each test its own address: the suite sends more than AUTH_RATE_LIMIT."""
    XFF["X-Forwarded-For"] = "10.%d.%d.%d" % (random.randint(0, 255), random.randint(0, 255),
                                              random.randint(1, 254))


def auth(method, path, body=None, token=None):
    return call(path, method=method, body=body, token=token, area="/auth/v1", headers=XFF)


def totp(secret, step):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def now_step():
    return int(time.time()) // 30


def claims(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def new_user(name):
    new_client()
    email = "mfa-%s-%s@example.com" % (RUN, name)
    r = auth("POST", "/signup", {"email": email, "password": PASSWORD})
    return email, r.json


def err(r):
    return r.json.get("error_code") if isinstance(r.json, dict) else None


def enroll_and_verify(session, name="phone"):
    r = auth("POST", "/factors", {"factor_type": "totp", "friendly_name": name, "issuer": "pgstack test"},
             token=session["access_token"])
    f = r.json or {}
    c = auth("POST", "/factors/%s/challenge" % f.get("id"), token=session["access_token"])
    v = auth("POST", "/factors/%s/verify" % f.get("id"),
             {"challenge_id": (c.json or {}).get("id"), "code": totp(f["totp"]["secret"], now_step())},
             token=session["access_token"])
    return f, v


def setup():
    psql("drop table if exists public.mfa_vault; "
         "create table public.mfa_vault (id int primary key, secret text); "
         "insert into public.mfa_vault values (1, 'behind aal2'); "
         "alter table public.mfa_vault enable row level security; "
         "create policy aal2_only on public.mfa_vault for select to authenticated "
         "using ((auth.jwt() ->> 'aal') = 'aal2'); "
         "grant select on public.mfa_vault to authenticated; "
         "notify pgrst, 'reload schema'")


def teardown():
    psql("drop table if exists public.mfa_vault")


def test_enroll():
    email, s = new_user("enroll")
    r = auth("POST", "/factors", {"factor_type": "totp", "friendly_name": "phone", "issuer": "Acme"},
             token=s["access_token"])
    f = r.json or {}
    totp_ = f.get("totp", {})
    check("POST /factors -> 200 {id, type totp, friendly_name, totp: {qr_code, secret, uri}}",
          r.status == 200 and f.get("type") == "totp" and f.get("friendly_name") == "phone"
          and len(totp_.get("secret", "")) == 32 and totp_.get("qr_code", "").startswith("<svg")
          and totp_.get("qr_code", "").endswith("</svg>"), r)
    uri = urllib.parse.urlsplit(totp_.get("uri", ""))
    q = dict(urllib.parse.parse_qsl(uri.query))
    check("the otpauth URI: issuer, account (email), secret, SHA1/6/30",
          uri.scheme == "otpauth" and uri.netloc == "totp" and urllib.parse.unquote(uri.path) ==
          "/Acme:" + email and q.get("secret") == totp_.get("secret") and q.get("issuer") == "Acme"
          and q.get("digits") == "6" and q.get("period") == "30", totp_.get("uri"))
    stored = psql("select secret_sealed || ':' || status from auth.mfa_factors where id = '%s'" % f.get("id"))
    check("the secret is stored sealed, not in the clear; the factor is unverified",
          stored.endswith(":unverified") and totp_.get("secret", "x") not in stored
          and base64.b32decode(totp_["secret"]).hex() not in stored, stored)
    u = auth("GET", "/user", token=s["access_token"]).json or {}
    check("GET /user lists the factor", [x.get("id") for x in u.get("factors", [])] == [f.get("id")]
          and u["factors"][0]["status"] == "unverified", u.get("factors"))
    r = auth("POST", "/factors", {"factor_type": "totp", "friendly_name": "phone"}, token=s["access_token"])
    check("the same friendly name again -> 422 mfa_factor_name_conflict",
          r.status == 422 and err(r) == "mfa_factor_name_conflict", r)
    for body, status in [({"factor_type": "phone"}, 422), ({"factor_type": 1}, 400), ({}, 422),
                         ({"factor_type": "totp", "friendly_name": "x" * 121}, 400),
                         ({"factor_type": "totp", "issuer": ["x"]}, 400)]:
        r = auth("POST", "/factors", body, token=s["access_token"])
        check("POST /factors %s -> %d" % (json.dumps(body)[:40], status), r.status == status
              and isinstance(r.json, dict) and r.json.get("code") == status, r)
    r = auth("POST", "/factors", {"factor_type": "totp"})
    check("POST /factors without a user -> 401", r.status == 401, r)
    n = psql("select count(*) from auth.mfa_factors f join auth.users u on u.id = f.user_id "
             "where u.email = '%s'" % email)
    check("refused enrolments wrote nothing", n == "1", n)


def test_verify_and_aal2():
    email, s = new_user("verify")
    token = s["access_token"]
    check("a fresh session: aal1, amr password", claims(token).get("aal") == "aal1"
          and claims(token).get("amr", [{}])[0].get("method") == "password", claims(token))
    r = table_call("GET", "mfa_vault", "select=secret", token=token)
    check("RLS requiring aal2: aal1 sees nothing", r.status == 200 and r.json == [], r)
    r = auth("POST", "/factors", {"factor_type": "totp", "friendly_name": "app"}, token=token)
    f = r.json
    secret = f["totp"]["secret"]
    c = auth("POST", "/factors/%s/challenge" % f["id"], token=token)
    check("POST /factors/{id}/challenge -> {id, type, expires_at} (MFA_CHALLENGE_EXPIRY)",
          c.status == 200 and c.json.get("type") == "totp"
          and abs(c.json.get("expires_at", 0) - time.time() - 300) < 30, c)
    wrong = "%06d" % ((int(totp(secret, now_step())) + 1) % 1000000)
    r = auth("POST", "/factors/%s/verify" % f["id"], {"challenge_id": c.json["id"], "code": wrong}, token=token)
    check("a wrong code -> 422 mfa_verification_failed", r.status == 422 and err(r) == "mfa_verification_failed", r)
    code = totp(secret, now_step())
    v = auth("POST", "/factors/%s/verify" % f["id"], {"challenge_id": c.json["id"], "code": code}, token=token)
    cl = claims(v.json["access_token"]) if v.status == 200 else {}
    check("verify with the code computed from the secret -> a session at aal2, amr totp then password",
          v.status == 200 and cl.get("aal") == "aal2" and [a["method"] for a in cl.get("amr", [])]
          == ["totp", "password"] and cl.get("session_id") == claims(token).get("session_id")
          and v.json.get("refresh_token"), v)
    status = psql("select status from auth.mfa_factors where id = '%s'" % f["id"])
    check("the factor is verified", status == "verified", status)
    r = table_call("GET", "mfa_vault", "select=secret", token=v.json["access_token"])
    check("RLS requiring aal2: aal2 reads the row", r.status == 200 and r.json == [{"secret": "behind aal2"}], r)
    c2 = auth("POST", "/factors/%s/challenge" % f["id"], token=token)
    r = auth("POST", "/factors/%s/verify" % f["id"], {"challenge_id": c2.json["id"], "code": code}, token=token)
    check("the same code again (a new challenge) -> 422: each code works once",
          r.status == 422 and err(r) == "mfa_verification_failed", r)
    r = auth("POST", "/factors/%s/verify" % f["id"], {"challenge_id": c.json["id"], "code": code}, token=token)
    check("a verified challenge cannot be used again", r.status == 422, r)
    ref = auth("POST", "/token?grant_type=refresh_token", {"refresh_token": v.json["refresh_token"]})
    check("refresh keeps aal2 and the amr", ref.status == 200 and claims(ref.json["access_token"]).get("aal")
          == "aal2" and claims(ref.json["access_token"])["amr"][0]["method"] == "totp", ref)
    old = auth("POST", "/token?grant_type=refresh_token", {"refresh_token": s["refresh_token"]})
    check("the session's earlier refresh token refreshes to aal2 too (the level is the session's)",
          old.status == 200 and claims(old.json["access_token"]).get("aal") == "aal2", old)
    other = auth("POST", "/token?grant_type=password", {"email": email, "password": PASSWORD})
    check("a new password sign-in is aal1 again", claims(other.json["access_token"]).get("aal") == "aal1", other)
    u = auth("GET", "/user", token=other.json["access_token"]).json
    check("GET /user: the factor verified", u.get("factors", [{}])[0].get("status") == "verified", u)

    r = auth("DELETE", "/factors/%s" % f["id"], token=other.json["access_token"])
    check("unenroll from an aal1 session -> 403 insufficient_aal", r.status == 403
          and err(r) == "insufficient_aal", r)
    r = auth("DELETE", "/factors/%s" % f["id"], token=ref.json["access_token"])
    check("unenroll from an aal2 session -> 200 {id}", r.status == 200 and r.json == {"id": f["id"]}, r)
    n = psql("select count(*) from auth.mfa_factors where id = '%s'" % f["id"])
    check("the factor is gone", n == "0", n)


def test_challenge_limits():
    email, s = new_user("limits")
    token = s["access_token"]
    f = auth("POST", "/factors", {"factor_type": "totp"}, token=token).json
    secret = f["totp"]["secret"]
    c = auth("POST", "/factors/%s/challenge" % f["id"], token=token).json
    wrong = "%06d" % ((int(totp(secret, now_step())) + 7) % 1000000)
    for _ in range(5):
        auth("POST", "/factors/%s/verify" % f["id"], {"challenge_id": c["id"], "code": wrong}, token=token)
    r = auth("POST", "/factors/%s/verify" % f["id"], {"challenge_id": c["id"], "code": totp(secret, now_step())},
             token=token)
    check("after 5 wrong codes the challenge is dead, the right code too", r.status == 422, r)
    c = auth("POST", "/factors/%s/challenge" % f["id"], token=token).json
    psql("update auth.mfa_challenges set expires_at = now() - interval '1 second' where id = '%s'" % c["id"])
    r = auth("POST", "/factors/%s/verify" % f["id"], {"challenge_id": c["id"], "code": totp(secret, now_step())},
             token=token)
    check("an expired challenge -> 422 mfa_challenge_expired", r.status == 422 and err(r) == "mfa_challenge_expired", r)
    c = auth("POST", "/factors/%s/challenge" % f["id"], token=token).json
    r = auth("POST", "/factors/%s/verify" % f["id"], {"challenge_id": c["id"], "code": totp(secret, now_step() - 1)},
             token=token)
    check("the previous step's code is accepted (clock skew)", r.status == 200, r)
    c = auth("POST", "/factors/%s/challenge" % f["id"], token=r.json["access_token"]).json
    r2 = auth("POST", "/factors/%s/verify" % f["id"], {"challenge_id": c["id"], "code": totp(secret, now_step() - 3)},
              token=token)
    check("a code 90 s old -> 422", r2.status == 422, r2)
    other_email, o = new_user("stranger")
    c = auth("POST", "/factors/%s/challenge" % f["id"], token=token).json
    for path, body, status in [
            ("/factors/%s/challenge" % f["id"], None, 404),
            ("/factors/not-a-uuid/challenge", None, 404),
            ("/factors/%s/verify" % f["id"], {"challenge_id": c["id"], "code": "1234567"}, 400),
            ("/factors/%s/verify" % f["id"], {"challenge_id": c["id"], "code": 123456}, 400),
            ("/factors/%s/verify" % f["id"], {"challenge_id": "x", "code": "123456"}, 400),
            ("/factors/%s/verify" % f["id"], {"challenge_id": c["id"], "code": "12345a"}, 400),
            ("/factors/%s/verify" % f["id"], {"challenge_id": c["id"], "code": totp(secret, now_step())}, 404)]:
        r = auth("POST", path, body, token=o["access_token"] if status == 404 else token)
        check("POST %s %s -> %d" % (path.split("/")[-1], json.dumps(body)[:40], status), r.status == status, r)
    r = auth("DELETE", "/factors/%s" % f["id"], token=o["access_token"])
    check("another user cannot unenroll the factor -> 404", r.status == 404, r)
    attempts = psql("select coalesce(sum(attempts), 0) from auth.mfa_challenges where id = '%s'" % c["id"])
    check("malformed input never counted as an attempt", attempts == "0", attempts)


def test_admin():
    email, s = new_user("admin")
    f = auth("POST", "/factors", {"factor_type": "totp", "friendly_name": "a"}, token=s["access_token"]).json
    uid = s["user"]["id"]
    r = auth("GET", "/admin/users/%s/factors" % uid, token=SERVICE)
    check("GET /admin/users/{id}/factors -> the factors", r.status == 200 and [x["id"] for x in r.json] == [f["id"]], r)
    r = auth("GET", "/admin/users/%s/factors" % uid, token=s["access_token"])
    check("... not for a user's token -> 403", r.status == 403, r)
    r = auth("DELETE", "/admin/users/%s/factors/%s" % (uid, f["id"]), token=SERVICE)
    check("DELETE /admin/users/{id}/factors/{factor_id} -> the deleted factor",
          r.status == 200 and r.json.get("id") == f["id"], r)
    r = auth("DELETE", "/admin/users/%s/factors/%s" % (uid, f["id"]), token=SERVICE)
    check("... again -> 404", r.status == 404, r)


def test_jwks():
    r = call("/.well-known/jwks.json", area="/auth/v1")
    check("GET /auth/v1/.well-known/jwks.json -> {\"keys\": []} (HS256 only: nothing to publish)",
          r.status == 200 and r.json == {"keys": []}, r)


if __name__ == "__main__":
    setup()
    try:
        for t in (test_enroll, test_verify_and_aal2, test_challenge_limits, test_admin, test_jwks):
            try:
                t()
            except Exception as e:
                check(t.__name__ + " ran to the end", False, "%s: %s" % (type(e).__name__, e))
    finally:
        teardown()
    sys.exit(summary())
