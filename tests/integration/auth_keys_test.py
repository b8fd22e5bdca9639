#!/usr/bin/env python3
"""Asymmetric signing keys (JWT_SIGNING_KEYS) against the running stack:
an ES256 key from `pgstack keygen --signing-key` signs access tokens (alg,
kid), REST, auth, storage, functions (a deployed whoami) and the realtime
daemon (upgrade and joins) accept them, HS256 tokens with JWT_SECRET still
work, forged and unknown-kid tokens do not; GET /auth/v1/.well-known/jwks.json
publishes the public halves (verified independently with Node's crypto, and
by supabase-js auth.getClaims()); rotation to an RS256 key: a set with the
old key verify-only and the new one signing keeps old tokens valid, and
removing the old key ends them. The workers are restarted with each key
file (`scripts/dev workers restart`), and get their previous settings back
at the end. Standard library only (plus psql, node)."""
import base64
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile

from harness import ANON, BASE, ENV, ROOT, call, check, psql, summary, user_token
from realtime_ws import WS, Refused

DEV = os.path.join(ROOT, ".dev")
BUILD = ENV.get("PGSTACK_BUILD_DIR", os.path.join(DEV, "build"))  # the programs (out-of-tree build)
RUN = secrets.token_hex(4)
XFF = {"X-Forwarded-For": "10.%d.%d.%d" % (random.randint(0, 255), random.randint(0, 255),
                                           random.randint(1, 254))}
COMPAT = os.path.join(ROOT, "tests", "compat")
FUNCTION = "kt_whoami_" + RUN


def overrides():
    try:
        with open(os.path.join(DEV, "override.conf")) as f:
            return [line.strip() for line in f if "=" in line]
    except OSError:
        return []


def restart(settings):
    out = subprocess.run([os.path.join(ROOT, "scripts", "dev"), "workers", "restart"] + settings,
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        print("# workers restart failed: " + (out.stderr or out.stdout).strip()[-300:])
    return out.returncode == 0


def b64json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def header(token):
    return b64json(token.split(".")[0])


def auth(method, path, body=None, token=None):
    return call(path, method=method, body=body, token=token, area="/auth/v1", headers=XFF)


def rest_ok(token):
    r = call("/kt_probe", "select=id", token=token, headers=XFF)
    return r.status == 200, r


def node(script, *args, cwd=COMPAT):
    out = subprocess.run(["node", "--input-type=module", "-e", script] + list(args), cwd=cwd,
                         capture_output=True, text=True, timeout=60)
    return out.stdout.strip() or out.stderr.strip()[-300:]


VERIFY_JS = """
import crypto from 'node:crypto'
const [token, jwks] = process.argv.slice(1)
const [h, p, s] = token.split('.')
const kid = JSON.parse(Buffer.from(h, 'base64url')).kid
const jwk = JSON.parse(jwks).keys.find((k) => k.kid === kid)
const key = crypto.createPublicKey({ key: jwk, format: 'jwk' })
const ok = crypto.verify('sha256', Buffer.from(h + '.' + p), jwk.kty === 'EC' ?
  { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(s, 'base64url'))
console.log(ok ? 'valid' : 'invalid')
"""

RSA_JS = """
import crypto from 'node:crypto'
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
const jwk = privateKey.export({ format: 'jwk' })
console.log(JSON.stringify({ ...jwk, kid: process.argv[1], alg: 'RS256', key_ops: ['sign', 'verify'] }))
"""

CLAIMS_JS = """
import { createClient } from '@supabase/supabase-js'
import ws from 'ws'
const [url, anon, token] = process.argv.slice(1)
const c = createClient(url, anon, { auth: { persistSession: false }, realtime: { transport: ws } })
const { data, error } = await c.auth.getClaims(token)
console.log(JSON.stringify(error ? { error: error.message } : { sub: data.claims.sub, alg: data.header.alg }))
"""


def realtime_upgrade(token):
    """The realtime daemon's answer to a Phoenix socket opened with token as
    ?apikey= (through the web server): 101, or the refusal's status."""
    try:
        c = WS(BASE, "/realtime/v1/websocket?apikey=%s&vsn=1.0.0" % token, XFF)
    except Refused as e:
        return e.status, None
    return c.status, c


def realtime_join(c, token, ref):
    """A channel join carrying token as access_token: the reply's payload."""
    c.send_json({"topic": "realtime:keys-" + ref, "event": "phx_join", "ref": ref, "join_ref": ref,
                 "payload": {"config": {}, "access_token": token}})
    m = c.wait_for(lambda m: isinstance(m, dict) and m.get("ref") == ref and m.get("event") == "phx_reply")
    return m["payload"]


def functions_cli(*args):
    env = dict(os.environ, JWT_SECRET=ENV["JWT_SECRET"])
    out = subprocess.run([os.path.join(BUILD, "pgstack"), "functions", *args, "--database-url",
                          ENV["DATABASE_URL"]], capture_output=True, text=True, timeout=60, env=env)
    return out.returncode == 0


def write_keys(path, keys):
    with open(path, "w") as f:
        json.dump({"keys": keys}, f)
    os.chmod(path, 0o644)


def sign_up(name):
    r = auth("POST", "/signup", {"email": "keys-%s-%s@example.com" % (RUN, name),
                                 "password": "correct horse 1"})
    return r.json if r.status in (200, 201) else {"error": r}


def forged(token, kid=None, alg=None):
    h = header(token)
    h.update({k: v for k, v in (("kid", kid), ("alg", alg)) if v})
    enc = base64.urlsafe_b64encode(json.dumps(h).encode()).rstrip(b"=").decode()
    parts = token.split(".")
    return enc + "." + parts[1] + "." + parts[2]


def main():
    before = overrides()
    tmp = tempfile.mkdtemp(prefix="pgstack-keys-")
    os.chmod(tmp, 0o755)
    path = os.path.join(tmp, "signing-keys.json")
    psql("drop table if exists public.kt_probe; create table public.kt_probe (id int); "
         "insert into public.kt_probe values (1); grant select on public.kt_probe to anon, authenticated; "
         "notify pgrst, 'reload schema'")
    try:
        out = subprocess.run([os.path.join(BUILD, "pgstack"), "keygen", "--signing-key"],
                             capture_output=True, text=True)
        k1 = json.loads(out.stdout)["keys"][0]
        check("pgstack keygen --signing-key -> a JWK set with one ES256 signing key",
              k1["kty"] == "EC" and k1["crv"] == "P-256" and k1["alg"] == "ES256" and k1.get("d")
              and "sign" in k1["key_ops"] and k1.get("kid"), out.stdout[:200])
        write_keys(path, [k1])
        restarted = restart(before + ["JWT_SIGNING_KEYS=" + path])
        check("workers restarted with JWT_SIGNING_KEYS (ES256)", restarted)
        if not restarted:
            return
        s1 = sign_up("es256")
        t1 = s1.get("access_token", "x.e30.x")
        check("access tokens are ES256 with the key's kid", header(t1) == {"alg": "ES256", "kid": k1["kid"], "typ": "JWT"},
              header(t1))
        ok, r = rest_ok(t1)
        check("REST accepts the ES256 token", ok, r)
        r = auth("GET", "/user", token=t1)
        check("auth accepts it (GET /user)", r.status == 200 and r.json.get("id") == s1["user"]["id"], r)
        if functions_cli("deploy", FUNCTION, os.path.join(ROOT, "tests", "integration", "functions_fixtures",
                                                          "whoami")):
            r = call("/" + FUNCTION, token=t1, area="/functions/v1", headers=XFF)
            check("functions accept it (verify_jwt; the function sees the claims)",
                  r.status == 200 and s1["user"]["id"] in r.text, r)
            r = call("/" + FUNCTION, token=forged(t1, kid="nope"), area="/functions/v1", headers=XFF)
            check("functions refuse it with an unknown kid -> 401", r.status == 401, r)
        else:
            check("pgstack functions deploy " + FUNCTION, False)
        r = call("/bucket", token=t1, area="/storage/v1", headers=XFF)
        check("storage accepts it (GET /storage/v1/bucket)", r.status == 200, r)
        r = call("/bucket", token=forged(t1, kid="nope"), area="/storage/v1", headers=XFF)
        check("storage refuses it with an unknown kid -> 4xx", r.status in (400, 401, 403), r)
        r = auth("POST", "/token?grant_type=refresh_token", {"refresh_token": s1["refresh_token"]})
        check("refresh issues ES256 tokens too", r.status == 200 and header(r.json["access_token"])["alg"] == "ES256", r)
        ok, r = rest_ok(user_token(s1["user"]["id"]))
        check("HS256 tokens with JWT_SECRET keep working (anon key, user token)",
              ok and rest_ok(ANON)[0], r)
        jwks = call("/.well-known/jwks.json", area="/auth/v1")
        pub = (jwks.json or {}).get("keys", [])
        check("JWKS publishes the public key only (no d)", jwks.status == 200 and len(pub) == 1
              and pub[0]["kid"] == k1["kid"] and pub[0]["x"] == k1["x"] and "d" not in pub[0]
              and pub[0]["alg"] == "ES256", jwks)
        check("the token verifies with the published key (Node crypto)", node(VERIFY_JS, t1, jwks.text) == "valid")
        claims = node(CLAIMS_JS, ENV["PGSTACK_URL"], ANON, t1)
        check("supabase-js auth.getClaims() verifies it locally", '"alg":"ES256"' in claims
              and s1["user"]["id"] in claims, claims)
        st, c = realtime_upgrade(t1)
        check("realtime accepts the ES256 token at the upgrade (?apikey=) -> 101", st == 101, st)
        if c:
            r = realtime_join(c, t1, "1")
            check("realtime: a join with the ES256 access_token -> ok", r.get("status") == "ok", r)
            r = realtime_join(c, forged(t1, kid="nope"), "2")
            check("realtime: a join with an unknown kid -> error (signature)", r.get("status") == "error"
                  and "JwtSignatureError" in json.dumps(r), r)
            c.close()
        st, _ = realtime_upgrade(forged(t1, alg="HS256"))
        check("realtime refuses the token with alg switched to HS256 -> 401", st == 401, st)
        for label, bad in [("unknown kid", forged(t1, kid="nope")),
                           ("alg switched to HS256", forged(t1, alg="HS256")),
                           ("alg switched to RS256", forged(t1, alg="RS256")),
                           ("alg none", forged(t1, alg="none")),
                           ("signature of another token", t1.rsplit(".", 1)[0] + "." + ANON.rsplit(".", 1)[1])]:
            ok, r = rest_ok(bad)
            check("REST refuses a token with %s -> 401" % label, r.status == 401, r)

        kid2 = "rsa-" + RUN
        k2 = json.loads(node(RSA_JS, kid2))
        old = dict(k1, key_ops=["verify"])
        write_keys(path, [old, k2])
        check("rotation: workers restarted with the old key verify-only and a new RS256 key signing",
              restart(before + ["JWT_SIGNING_KEYS=" + path]))
        ok, r = rest_ok(t1)
        check("the old ES256 token is still valid", ok, r)
        s2 = sign_up("rs256")
        t2 = s2.get("access_token", "x.e30.x")
        check("new tokens are RS256 with the new kid", header(t2).get("alg") == "RS256"
              and header(t2).get("kid") == kid2, header(t2))
        ok, r = rest_ok(t2)
        jwks = call("/.well-known/jwks.json", area="/auth/v1")
        check("REST accepts it; JWKS lists both keys", ok and sorted(k["kid"] for k in jwks.json["keys"])
              == sorted([k1["kid"], kid2]) and all("d" not in k and "p" not in k for k in jwks.json["keys"]), (r, jwks))
        check("the RS256 token verifies with the published key", node(VERIFY_JS, t2, jwks.text) == "valid")

        write_keys(path, [k2])
        check("workers restarted without the old key", restart(before + ["JWT_SIGNING_KEYS=" + path]))
        ok, r = rest_ok(t1)
        check("the old key's token is refused now -> 401", r.status == 401, r)
        r = auth("GET", "/user", token=t1)
        check("... by auth too", r.status == 401, r)
        ok, r = rest_ok(t2)
        check("the new key's token still works", ok, r)
        st, c = realtime_upgrade(t2)
        check("realtime: the RS256 token opens a socket, the removed key's does not",
              st == 101 and realtime_upgrade(t1)[0] == 401, st)
        if c:
            r = realtime_join(c, t1, "3")
            check("realtime: a join with the removed key's token -> error", r.get("status") == "error", r)
            c.close()
    finally:
        check("workers restarted with the previous settings", restart(before))
        functions_cli("delete", FUNCTION)
        psql("drop table if exists public.kt_probe")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("auth_keys_test ran to the end", False, "%s: %s" % (type(e).__name__, e))
    sys.exit(summary())
