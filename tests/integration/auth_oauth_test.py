#!/usr/bin/env python3
"""Integration tests of OAuth sign-in (GET /authorize, GET and POST
/callback) through the running stack (.dev/env), against the test OAuth /
OpenID provider scripts/dev runs on loopback (oauth_provider.py; the
workers are pointed at it by suites.conf).

Each flow is driven like a browser that does not follow redirects:
/authorize -> the provider's authorize (which approves at once, and where
the test picks the user and any misbehaviour with x_* parameters) -> the
callback (GET, or Apple's form_post) -> the final redirect, whose fragment
carries the session or GoTrue's error. Covered: sign-in creates a user once
and finds it again; linking to an email/password account by a verified
email only; an unconfirmed account is confirmed and loses its password;
redirect_to allow-list; tampered, forged, expired and misdirected states;
ID tokens with a wrong nonce, another key, an unknown kid, a wrong
audience or issuer, expired, alg none, HS256; provider errors and replayed
codes; PKCE and the client authentication each provider advertises;
GitHub's API, Apple's form_post, Microsoft's tenant issuer, ES256 from the
generic provider; banned users; secrets never in the auth log.

Expired and hand-made states are sealed here with Node's crypto (the
format of src/auth/oauth_state.h). Each test client has its own address
(X-Forwarded-For) so rate limits never touch another test. Prints one line
per check and ends with "N passed, N failed"."""
import base64
import hashlib
import html.parser
import json
import os
import random
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_env():
    env = {}
    with open(os.path.join(ROOT, ".dev", "env")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v.strip("'")
    return env


ENV = load_env()
BASE = ENV["PGSTACK_URL"]
URL = BASE + "/auth/v1"
ANON = ENV["ANON_KEY"]
SERVICE = ENV["SERVICE_ROLE_KEY"]
PROVIDER = ENV["OAUTH_PROVIDER_URL"]
SITE = "http://127.0.0.1:3000"            # SITE_URL (default)
ALLOWED = "http://localhost:3000/app"     # ADDITIONAL_REDIRECT_URLS (suites.conf)
CALLBACK = BASE + "/auth/v1/callback"
results = {"passed": 0, "failed": 0}
SEEN_SECRETS = {"google-secret", "github-secret", "apple-secret", "microsoft-secret", "oidc-secret"}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else "  -- " + str(detail)[:600]))
    return ok


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def location(self):
        return self.headers.get("Location", "")

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def fragment(self):
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.location).fragment))

    def __repr__(self):
        return "HTTP %d Location=%r body=%r" % (self.status, self.location[:200], self.body[:300])


def http(method, url, headers=None, data=None):
    req = urllib.request.Request(url, data=data, method=method)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with OPENER.open(req, timeout=30) as r:
            return Reply(r.status, r.headers, r.read().decode())
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.headers, e.read().decode())


def fresh_ip():
    return "10.%d.%d.%d" % (random.randint(0, 255), random.randint(0, 255), random.randint(1, 254))


def psql(sql):
    out = subprocess.run(["psql", ENV["DATABASE_URL"], "-qAtc", sql], capture_output=True, text=True)
    return out.stdout.strip()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_payload(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def query_of(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


class FormParser(html.parser.HTMLParser):
    """The action and hidden fields of the form_post page."""

    def __init__(self):
        super().__init__()
        self.action, self.fields = None, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action")
        elif tag == "input":
            self.fields[a.get("name")] = a.get("value", "")


class Browser:
    """One browser-like client with its own address."""

    def __init__(self):
        self.ip = fresh_ip()

    def auth(self, method, path, body=None, token=None, headers=None, raw=None):
        h = {"apikey": ANON, "X-Forwarded-For": self.ip}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None and "Content-Type" not in (headers or {}):
            h["Content-Type"] = "application/json"
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        return http(method, URL + path, h, data)

    def authorize(self, provider, redirect_to=None, extra=None):
        q = {"provider": provider}
        if redirect_to:
            q["redirect_to"] = redirect_to
        q.update(extra or {})
        return self.auth("GET", "/authorize?" + urllib.parse.urlencode(q))

    def at_provider(self, authorize_url, **x):
        """Approves at the provider; returns (method, url, form fields)."""
        extra = {(k if k.startswith("x_") else "x_" + k): v for k, v in x.items()}
        r = http("GET", authorize_url + "&" + urllib.parse.urlencode(extra))
        if r.status == 302:
            return "GET", r.location, None
        if r.status == 200 and "<form" in r.body:
            p = FormParser()
            p.feed(r.body)
            return "POST", p.action, p.fields
        raise AssertionError("provider answered %r" % r)

    def callback(self, method, url, fields=None, origin=PROVIDER):
        headers = {"X-Forwarded-For": self.ip}
        if method == "POST":
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": origin})
            return http("POST", url, headers, urllib.parse.urlencode(fields).encode())
        return http("GET", url, headers)

    def sign_in(self, provider, redirect_to=None, **x):
        r = self.authorize(provider, redirect_to)
        assert r.status == 302, r
        method, url, fields = self.at_provider(r.location, **x)
        note_secrets(url, fields)
        final = self.callback(method, url, fields)
        frag = final.fragment()
        for k in ("access_token", "refresh_token", "provider_token", "provider_refresh_token"):
            if frag.get(k):
                SEEN_SECRETS.add(frag[k])
        return final


def note_secrets(url, fields):
    values = dict(fields or {})
    values.update(query_of(url))
    for k in ("code", "state"):
        if values.get(k):
            SEEN_SECRETS.add(values[k])


def email():
    return "oauth-%s@example.com" % uuid.uuid4().hex[:12]


def sub():
    return "sub-" + uuid.uuid4().hex[:16]


def signed_in(final, target=SITE):
    frag = final.fragment()
    return (final.status == 302 and final.location.startswith(target + "#")
            and frag.get("token_type") == "bearer" and bool(frag.get("access_token"))
            and bool(frag.get("refresh_token")) and frag.get("expires_in") == "3600"
            and frag.get("expires_at", "").isdigit() and bool(frag.get("provider_token")))


def refused(final, error_code, description_part=None, error=None, target=SITE):
    frag = final.fragment()
    return (final.status == 302 and final.location.startswith(target + "#")
            and "access_token" not in frag and frag.get("error_code") == error_code
            and (error is None or frag.get("error") == error)
            and (description_part is None or description_part in frag.get("error_description", "")))


def user_of(browser, final):
    r = browser.auth("GET", "/user", token=final.fragment()["access_token"])
    return r.json() if r.status == 200 else {"status": r.status, "body": r.body}


def identities(user, provider=None):
    return [i for i in user.get("identities", []) if provider is None or i["provider"] == provider]


def forge_state(payload):
    """A state sealed as src/auth/oauth_state.c does, with JWT_SECRET."""
    js = ("const c=require('crypto');const [s,p]=process.argv.slice(1);"
          "const k=Buffer.from(c.hkdfSync('sha256',Buffer.from(s),Buffer.alloc(0),"
          "Buffer.from('pgstack oauth state v1'),32));const iv=c.randomBytes(12);"
          "const e=c.createCipheriv('aes-256-gcm',k,iv);e.setAAD(Buffer.from([1]));"
          "const ct=Buffer.concat([e.update(p,'utf8'),e.final()]);"
          "process.stdout.write(Buffer.concat([Buffer.from([1]),iv,ct,e.getAuthTag()]).toString('base64url'));")
    out = subprocess.run(["node", "-e", js, ENV["JWT_SECRET"], json.dumps(payload)],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


# ------------------------------------------------------------------ tests

def test_settings_and_authorize():
    b = Browser()
    r = b.auth("GET", "/settings")
    ext = (r.json() or {}).get("external", {})
    check("settings report the five providers enabled",
          all(ext.get(p) is True for p in ("google", "github", "apple", "azure", "microsoft", "oidc")), ext)
    r = b.authorize("google", ALLOWED + "/welcome")
    q = query_of(r.location)
    check("authorize google -> 302 to the provider's authorization endpoint",
          r.status == 302 and r.location.startswith(PROVIDER + "/google/authorize?"), r)
    check("authorize carries client_id, redirect_uri, response_type, scope",
          q.get("client_id") == "google-client" and q.get("redirect_uri") == CALLBACK
          and q.get("response_type") == "code" and q.get("scope") == "openid email profile", q)
    check("authorize carries state, PKCE S256 challenge and a nonce",
          len(q.get("state", "")) > 100 and len(q.get("code_challenge", "")) == 43
          and q.get("code_challenge_method") == "S256" and len(q.get("nonce", "")) >= 32, q)
    check("authorize is not cached and sends no referrer",
          r.headers.get("Cache-Control") == "no-store" and r.headers.get("Referrer-Policy") == "no-referrer",
          dict(r.headers))
    q2 = query_of(b.authorize("google", ALLOWED + "/welcome").location)
    check("every authorize has its own state, challenge and nonce",
          q2["state"] != q["state"] and q2["code_challenge"] != q["code_challenge"]
          and q2["nonce"] != q["nonce"], (q, q2))
    check("the state does not reveal the nonce, the redirect or the provider",
          q["nonce"] not in q["state"] and "localhost" not in q["state"] and "google" not in q["state"], q)
    q = query_of(b.authorize("github").location)
    check("authorize github: its scopes, PKCE, no nonce",
          q.get("scope") == "read:user user:email" and "nonce" not in q
          and q.get("code_challenge_method") == "S256", q)
    r = b.authorize("apple")
    check("authorize apple asks for response_mode=form_post",
          query_of(r.location).get("response_mode") == "form_post"
          and query_of(r.location).get("scope") == "name email", r)
    r = b.authorize("azure")
    check("provider=azure (supabase-js's name) is microsoft",
          r.status == 302 and r.location.startswith(PROVIDER + "/microsoft/common/v2.0/authorize?"), r)
    r = b.authorize("github", extra={"scopes": "repo read:org"})
    check("scopes are added to the provider's", query_of(r.location).get("scope") ==
          "read:user user:email repo read:org", r)


def test_authorize_errors():
    b = Browser()
    cases = [
        ("/authorize", 400, "provider is required"),
        ("/authorize?provider=", 400, "provider is required"),
        ("/authorize?provider=facebook", 400, "unsupported provider facebook"),
        ("/authorize?provider=%3Cscript%3E", 400, "unsupported provider"),
        ("/authorize?provider=google&code_challenge=abc&code_challenge_method=s256", 400,
         "between 43 and 128"),
        ("/authorize?provider=google&code_challenge=" + "a" * 43, 400, "requires code_challenge_method"),
        ("/authorize?provider=google&code_challenge=" + "a" * 43 + "&code_challenge_method=md5", 400,
         "method not supported"),
        ("/authorize?provider=google&code_challenge=" + "a" * 42 + "%3C&code_challenge_method=plain",
         400, "unreserved"),
        ("/authorize?provider=google&scopes=a%0Ab", 400, "scopes"),
    ]
    for path, status, part in cases:
        r = b.auth("GET", path)
        doc = r.json() or {}
        check("GET %s -> %d JSON (%s)" % (path[:60], status, part),
              r.status == status and part in doc.get("error", "") and doc.get("code") == status
              and "<script>" not in r.body, r)


def test_sign_in_creates_then_finds():
    b = Browser()
    addr, s = email(), sub()
    final = b.sign_in("google", x_sub=s, x_email=addr.upper(), x_name="Grace Hopper")
    check("google sign-in -> 302 to SITE_URL with the session in the fragment", signed_in(final), final)
    frag = final.fragment()
    check("provider_token and provider_refresh_token in the fragment, no type",
          frag.get("provider_token") and frag.get("provider_refresh_token", "").startswith("provider-refresh-")
          and "type" not in frag, frag)
    claims = jwt_payload(frag["access_token"])
    check("access token: authenticated, email, app_metadata google, amr oauth",
          claims.get("role") == "authenticated" and claims.get("email") == addr
          and claims.get("app_metadata") == {"provider": "google", "providers": ["google"]}
          and claims.get("amr", [{}])[0].get("method") == "oauth", claims)
    u = user_of(b, final)
    ids = identities(u, "google")
    check("the new user: confirmed email, user_metadata from the profile, one google identity",
          u.get("email") == addr and u.get("email_confirmed_at") and len(ids) == 1
          and ids[0]["identity_data"].get("sub") == s and ids[0]["identity_data"].get("email_verified") is True
          and u.get("user_metadata", {}).get("full_name") == "Grace Hopper", u)
    again = b.sign_in("google", x_sub=s, x_email=addr)
    u2 = user_of(b, again)
    check("second sign-in finds the same user", signed_in(again) and u2.get("id") == u.get("id"), (again, u2))
    n = psql("select count(*) from auth.users where lower(email) = '%s'" % addr)
    m = psql("select count(*) from auth.identities where provider = 'google' and provider_id = '%s'" % s)
    sessions = psql("select count(*) from auth.sessions where user_id = '%s'" % u.get("id"))
    check("one user, one identity, two sessions", (n, m, sessions) == ("1", "1", "2"), (n, m, sessions))
    r = b.auth("POST", "/token?grant_type=refresh_token", {"refresh_token": again.fragment()["refresh_token"]})
    check("the refresh token of an OAuth session works", r.status == 200 and r.json()["user"]["id"] == u["id"], r)
    audit = psql("select string_agg(action, ',' order by id) from auth.audit_log where user_id = '%s'" % u["id"])
    check("audit: user_signedup then two logins", audit == "user_signedup,login,login", audit)


def test_links_to_password_account():
    b = Browser()
    addr = email()
    r = b.auth("POST", "/signup", {"email": addr, "password": "secret123"})
    uid = (r.json() or {}).get("user", {}).get("id")
    check("an email/password user signs up", r.status == 201 and uid, r)
    final = b.sign_in("google", x_sub=sub(), x_email=addr)
    u = user_of(b, final)
    check("google sign-in with the verified email links to that user",
          signed_in(final) and u.get("id") == uid, (final, u))
    check("app_metadata providers [email, google], provider stays email; two identities",
          u.get("app_metadata") == {"provider": "email", "providers": ["email", "google"]}
          and sorted(i["provider"] for i in identities(u)) == ["email", "google"], u)
    r = b.auth("POST", "/token?grant_type=password", {"email": addr, "password": "secret123"})
    check("the password still works after linking", r.status == 200 and r.json()["user"]["id"] == uid, r)
    gh = b.sign_in("github", x_sub=str(random.randint(10 ** 6, 10 ** 9)), x_email=addr)
    u = user_of(b, gh)
    check("GitHub sign-in with a verified primary email links too",
          signed_in(gh) and u.get("id") == uid
          and u.get("app_metadata", {}).get("providers") == ["email", "google", "github"], u)
    linked = psql("select count(*) from auth.audit_log where user_id = '%s' and action = 'identity_linked'" % uid)
    check("audit: two identity_linked entries", linked == "2", linked)


def test_unverified_email_never_links():
    b = Browser()
    addr = email()
    uid = b.auth("POST", "/signup", {"email": addr, "password": "secret123"}).json()["user"]["id"]
    final = b.sign_in("oidc", x_sub=sub(), x_email=addr, x_email_verified="false")
    u = user_of(b, final)
    check("an unverified email at the provider does not link: a new user",
          signed_in(final) and u.get("id") and u.get("id") != uid, (final, u))
    check("the new user has no email; the address stays in user_metadata and the identity",
          u.get("email") == "" and u.get("email_confirmed_at") is None
          and u.get("user_metadata", {}).get("email") == addr
          and u.get("user_metadata", {}).get("email_verified") is False, u)
    n = psql("select count(*) from auth.identities where user_id = '%s'" % uid)
    check("the existing account got no identity", n == "1", n)
    gh = b.sign_in("github", x_sub=str(random.randint(10 ** 6, 10 ** 9)), x_email=addr,
                   x_emails=json.dumps([{"email": "other-%s@example.com" % uuid.uuid4().hex[:6],
                                         "primary": False, "verified": True},
                                        {"email": addr, "primary": True, "verified": False}]))
    u = user_of(b, gh)
    check("GitHub: an unverified primary address does not link either",
          signed_in(gh) and u.get("id") != uid and u.get("email") == "", u)
    ms = b.sign_in("microsoft", x_sub=sub(), x_email=addr)
    u = user_of(b, ms)
    check("Microsoft: email without xms_edov is not verified, no link",
          signed_in(ms) and u.get("id") != uid, u)
    ms = b.sign_in("microsoft", x_sub=sub(), x_email=addr, x_edov="true")
    u = user_of(b, ms)
    check("Microsoft: with xms_edov the email links", signed_in(ms) and u.get("id") == uid, u)


def test_unconfirmed_account_loses_password():
    b = Browser()
    addr = email()
    r = b.auth("POST", "/admin/users", {"email": addr, "password": "planted-pw1", "email_confirm": False},
               token=SERVICE)
    uid = (r.json() or {}).get("id")
    check("an unconfirmed account with a password exists", r.status == 201 and uid, r)
    final = b.sign_in("google", x_sub=sub(), x_email=addr)
    u = user_of(b, final)
    check("a verified google email links and confirms it",
          signed_in(final) and u.get("id") == uid and u.get("email_confirmed_at"), u)
    r = b.auth("POST", "/token?grant_type=password", {"email": addr, "password": "planted-pw1"})
    check("the password set before the address was proven is gone", r.status == 401, r)


def test_redirect_to():
    b = Browser()
    final = b.sign_in("google", ALLOWED + "/dash?tab=1", x_sub=sub(), x_email=email())
    check("an allowed redirect_to is where the session goes", signed_in(final, ALLOWED + "/dash?tab=1"), final)
    final = b.sign_in("google", "https://evil.example/steal", x_sub=sub(), x_email=email())
    check("a redirect_to off the allow-list falls back to SITE_URL", signed_in(final, SITE), final)
    final = b.sign_in("google", ALLOWED + "/x", x_sub=sub(), x_email=email(), x_mode="deny")
    check("errors go to the allowed redirect_to as well",
          refused(final, "bad_oauth_callback", error="access_denied", target=ALLOWED + "/x"), final)


def test_state_refusals():
    b = Browser()
    before = psql("select count(*) from auth.users")
    r = b.authorize("google")
    method, url, _ = b.at_provider(r.location, sub=sub(), email=email())
    q = query_of(url)
    note_secrets(url, None)

    def cb(params, path="/callback"):
        return b.callback("GET", BASE + "/auth/v1" + path + "?" + urllib.parse.urlencode(params))

    def bad_state(reply, part):
        doc = reply.json() or {}
        return reply.status == 400 and doc.get("error_code") == "bad_oauth_state" and part in doc.get("error", "")

    r = cb({"code": q["code"]})
    check("callback without state -> 400 JSON", bad_state(r, "without state"), r)
    st = q["state"]
    mid = len(st) // 2
    tampered = st[:mid] + ("A" if st[mid] != "A" else "B") + st[mid + 1:]
    r = cb({"code": q["code"], "state": tampered})
    check("tampered state -> 400 JSON", bad_state(r, "tampered"), r)
    r = cb({"code": q["code"], "state": st[:-6]})
    check("truncated state -> 400 JSON", r.status == 400 and (r.json() or {}).get("error_code") == "bad_oauth_state", r)
    r = cb({"code": q["code"], "state": "not-a-state"})
    check("garbage state -> 400 JSON", r.status == 400 and (r.json() or {}).get("error_code") == "bad_oauth_state", r)
    r = cb({"code": q["code"], "state": st, "provider": "github"})
    check("a google state at a github callback -> 400 (another provider)", bad_state(r, "another provider"), r)
    expired = forge_state({"provider": "google", "redirect_to": None, "code_verifier": "v" * 43,
                           "nonce": "n", "exp": int(time.time()) - 5})
    r = cb({"code": q["code"], "state": expired})
    check("expired state -> 400 JSON", bad_state(r, "expired"), r)
    other = forge_state({"provider": "google", "code_verifier": "v" * 43, "nonce": "n",
                         "exp": int(time.time()) + 600})
    other = other[:-3] + ("AAA" if not other.endswith("AAA") else "BBB")
    r = cb({"code": q["code"], "state": other})
    check("state with a broken tag -> 400 JSON", bad_state(r, "tampered"), r)
    r = http("POST", CALLBACK, {"Content-Type": "application/json", "X-Forwarded-For": b.ip},
             json.dumps({"code": q["code"], "state": st}).encode())
    check("POST /callback with a JSON body -> 400 JSON",
          r.status == 400 and (r.json() or {}).get("error") == "invalid request body" and "x-www-form-urlencoded" in (r.json() or {}).get("detail", ""), r)
    after = psql("select count(*) from auth.users")
    check("refused states created nobody", before == after, (before, after))
    final = b.callback("GET", url)
    check("the untouched state still completes the sign-in", signed_in(final), final)


def test_forged_state_redirect_rechecked():
    """A state sealed with the server's secret but carrying a redirect_to
    off the allow-list still ends at SITE_URL (checked again at the end)."""
    b = Browser()
    verifier = b64url(secrets.token_bytes(32))
    nonce = b64url(secrets.token_bytes(16))
    state = forge_state({"provider": "google", "redirect_to": "https://evil.example/",
                         "code_verifier": verifier, "nonce": nonce, "exp": int(time.time()) + 600})
    challenge = b64url(hashlib.sha256(verifier.encode()).digest())
    authz = PROVIDER + "/google/authorize?" + urllib.parse.urlencode({
        "response_type": "code", "client_id": "google-client", "redirect_uri": CALLBACK,
        "scope": "openid email", "state": state, "code_challenge": challenge,
        "code_challenge_method": "S256", "nonce": nonce})
    method, url, _ = b.at_provider(authz, sub=sub(), email=email())
    note_secrets(url, None)
    final = b.callback(method, url)
    check("a state sealed in the documented format is accepted (format check)", signed_in(final, SITE), final)
    check("its disallowed redirect_to is replaced by SITE_URL", "evil.example" not in final.location, final)


def test_id_token_refusals():
    b = Browser()
    cases = [
        ("wrong_nonce", "nonce does not match"),
        ("no_nonce", "nonce does not match"),
        ("other_key", "signature is invalid"),
        ("unknown_kid", "key the provider does not publish"),
        ("wrong_aud", "audience does not match"),
        ("wrong_iss", "issuer does not match"),
        ("expired", "has expired"),
        ("alg_none", "algorithm is not accepted"),
        ("hs256", "algorithm is not accepted"),
        ("no_id_token", "no id_token"),
    ]
    for mode, part in cases:
        s = sub()
        final = b.sign_in("google", x_sub=s, x_email=email(), x_mode=mode)
        n = psql("select count(*) from auth.identities where provider_id = '%s'" % s)
        check("id_token %s -> 302 #error=access_denied&error_code=bad_id_token (%s), nobody created"
              % (mode, part), refused(final, "bad_id_token", part, error="access_denied") and n == "0",
              (final, n))


def test_provider_errors():
    b = Browser()
    final = b.sign_in("google", x_sub=sub(), x_email=email(), x_mode="deny")
    frag = final.fragment()
    check("the provider's error=access_denied is passed on with its description",
          refused(final, "bad_oauth_callback", error="access_denied")
          and frag.get("error_description") == "The user denied the request", final)
    final = b.sign_in("github", x_sub="4242", x_mode="token_error")
    check("token endpoint refusal (GitHub's 200 + error) -> #error=server_error",
          refused(final, "oauth_code_exchange_failed", "invalid_grant", error="server_error"), final)
    final = b.sign_in("google", x_sub=sub(), x_mode="token_error")
    check("token endpoint refusal (HTTP 400) -> #error=server_error",
          refused(final, "oauth_code_exchange_failed", "HTTP 400", error="server_error"), final)
    r = b.authorize("google")
    method, url, _ = b.at_provider(r.location, sub=sub(), email=email())
    note_secrets(url, None)
    first, second = b.callback(method, url), b.callback(method, url)
    check("a replayed callback: the code works once", signed_in(first)
          and refused(second, "oauth_code_exchange_failed", "invalid_grant"), (first, second))
    final = b.sign_in("google", x_sub=sub(), x_mode="wrong_iss_param")
    check("an authorization response from another issuer (RFC 9207) is refused",
          refused(final, "bad_oauth_callback", "another issuer", error="invalid_request"), final)
    r = b.authorize("google")
    url = CALLBACK + "?" + urllib.parse.urlencode({"state": query_of(r.location)["state"]})
    final = b.callback("GET", url)
    check("a callback without code -> #error=invalid_request", refused(final, "bad_oauth_callback", "no authorization code",
                                                                      error="invalid_request"), final)


def test_pkce_and_client_authentication():
    b = Browser()
    for p in ("google", "oidc", "apple", "github"):
        b.sign_in(p, x_sub=str(random.randint(10 ** 6, 10 ** 9)), x_email=email())
    log = json.loads(http("GET", PROVIDER + "/_log").body)
    last = {}
    for entry in log:
        last[entry["provider"]] = entry
    check("every token request carries the PKCE code_verifier and the redirect_uri",
          all("code_verifier" in last[p]["params"] and "redirect_uri" in last[p]["params"]
              for p in ("google", "oidc", "apple", "github")), last)
    check("client authentication as each provider advertises: basic (google, oidc), post (apple, github)",
          last["google"]["method"] == "client_secret_basic" and last["oidc"]["method"] == "client_secret_basic"
          and last["apple"]["method"] == "client_secret_post"
          and last["github"]["method"] == "client_secret_post", last)


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = b64url(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge


def test_client_pkce():
    """supabase-js flowType 'pkce' / @supabase/ssr: the callback ends with
    ?code=, POST /token?grant_type=pkce trades it once with the verifier."""
    b = Browser()
    addr, s = email(), sub()
    verifier, challenge = pkce_pair()
    r = b.authorize("google", ALLOWED + "/cb?next=%2Fhome",
                    {"code_challenge": challenge, "code_challenge_method": "s256"})
    check("authorize with a client challenge -> 302 to the provider", r.status == 302
          and query_of(r.location).get("code_challenge") != challenge, r)
    method, url, fields = b.at_provider(r.location, x_sub=s, x_email=addr)
    final = b.callback(method, url, fields)
    loc = urllib.parse.urlsplit(final.location)
    code = query_of(final.location).get("code", "")
    check("callback -> 302 to redirect_to with ?code= (its query kept), no tokens anywhere",
          final.status == 302 and final.location.startswith(ALLOWED + "/cb?next=%2Fhome&code=")
          and len(code) >= 40 and not loc.fragment and "access_token" not in final.location, final)
    stored = psql("select count(*) from auth.flow_state where auth_code_hash = '%s'"
                  % hashlib.sha256(code.encode()).hexdigest())
    plain = psql("select count(*) from auth.flow_state where auth_code_hash = '%s'" % code.replace("'", ""))
    check("the flow state holds the code's hash only", (stored, plain) == ("1", "0"), (stored, plain))
    sealed = psql("select provider_tokens_sealed from auth.flow_state where auth_code_hash = '%s'"
                  % hashlib.sha256(code.encode()).hexdigest())
    check("the provider's tokens are sealed in the flow state", sealed and "provider-" not in sealed, sealed)
    no_user = psql("select count(*) from auth.users where lower(email) = '%s'" % addr)
    wrong = b.auth("POST", "/token?grant_type=pkce", {"auth_code": code, "code_verifier": pkce_pair()[0]})
    check("a wrong verifier -> 400 bad_code_verifier, no user made",
          wrong.status == 400 and (wrong.json() or {}).get("error_code") == "bad_code_verifier"
          and no_user == "0", (wrong, no_user))
    after = b.auth("POST", "/token?grant_type=pkce", {"auth_code": code, "code_verifier": verifier})
    check("a wrong verifier voids the code: the right one then -> 404 flow_state_not_found",
          after.status == 404 and (after.json() or {}).get("error_code") == "flow_state_not_found", after)

    verifier, challenge = pkce_pair()
    r = b.authorize("google", None, {"code_challenge": challenge, "code_challenge_method": "S256"})
    method, url, fields = b.at_provider(r.location, x_sub=s, x_email=addr, x_name="Ada")
    final = b.callback(method, url, fields)
    code = query_of(final.location).get("code", "")
    check("without redirect_to the code goes to SITE_URL", final.location.startswith(SITE + "?code="), final)
    ok = b.auth("POST", "/token?grant_type=pkce", {"auth_code": code, "code_verifier": verifier})
    body = ok.json() or {}
    claims = jwt_payload(body.get("access_token", "x.e30.x"))
    check("exchange -> session (bearer, refresh token, user) with provider_token and amr oauth",
          ok.status == 200 and body.get("token_type") == "bearer" and body.get("refresh_token")
          and body.get("user", {}).get("email") == addr and body.get("provider_token")
          and body.get("provider_refresh_token", "").startswith("provider-refresh-")
          and claims.get("amr", [{}])[0].get("method") == "oauth", ok)
    again = b.auth("POST", "/token?grant_type=pkce", {"auth_code": code, "code_verifier": verifier})
    check("the code is single-use: reuse -> 404 flow_state_not_found",
          again.status == 404 and (again.json() or {}).get("error_code") == "flow_state_not_found", again)
    left = psql("select count(*) from auth.flow_state where provider_id = '%s'" % s)
    check("no flow state left behind", left == "0", left)

    verifier, challenge = pkce_pair()
    r = b.authorize("github", None, {"code_challenge": verifier, "code_challenge_method": "plain"})
    method, url, fields = b.at_provider(r.location, x_sub=str(random.randint(10 ** 6, 10 ** 9)), x_email=email())
    code = query_of(b.callback(method, url, fields).location).get("code", "")
    psql("update auth.flow_state set expires_at = now() - interval '1 second' where auth_code_hash = '%s'"
         % hashlib.sha256(code.encode()).hexdigest())
    late = b.auth("POST", "/token?grant_type=pkce", {"auth_code": code, "code_verifier": verifier})
    check("an expired flow state -> 422 flow_state_expired",
          late.status == 422 and (late.json() or {}).get("error_code") == "flow_state_expired", late)

    for body, status, part in [
        ({"auth_code": "", "code_verifier": verifier}, 400, "both auth code and code verifier"),
        ({"auth_code": "x"}, 400, "both auth code and code verifier"),
        ({"auth_code": 5, "code_verifier": verifier}, 400, "auth_code"),
        ({"auth_code": "x", "code_verifier": "short"}, 400, "43 to 128"),
        ({"auth_code": "x" * 5000, "code_verifier": verifier}, 404, "invalid flow state"),
        ({"auth_code": "unknown", "code_verifier": verifier}, 404, "invalid flow state"),
    ]:
        r = b.auth("POST", "/token?grant_type=pkce", body)
        check("POST /token?grant_type=pkce %s -> %d" % (json.dumps(body)[:50], status),
              r.status == status and part in json.dumps(r.json()), r)


def test_client_pkce_error_redirect():
    """A PKCE client's failed callback: GoTrue's error in the query (where a
    server-side callback route reads it) as well as the fragment."""
    b = Browser()
    _, challenge = pkce_pair()
    r = b.authorize("google", ALLOWED + "/cb?next=%2Fhome",
                    {"code_challenge": challenge, "code_challenge_method": "s256"})
    method, url, fields = b.at_provider(r.location, x_sub=sub(), x_email=email(), x_mode="deny")
    final = b.callback(method, url, fields)
    q, frag = query_of(final.location), final.fragment()
    check("PKCE client, the user denies -> 302 to redirect_to (its query dropped) with error, "
          "error_code, error_description in the query and the fragment",
          final.status == 302 and final.location.startswith(ALLOWED + "/cb?error=access_denied&")
          and q.get("error_code") == "bad_oauth_callback" and q.get("error_description")
          and frag == q and "next" not in q, final)
    r = b.authorize("google", None, {"code_challenge": challenge, "code_challenge_method": "s256"})
    method, url, fields = b.at_provider(r.location, x_sub=sub(), x_email=email(), x_mode="wrong_nonce")
    final = b.callback(method, url, fields)
    check("PKCE client, a bad ID token -> ?error_code=bad_id_token, no flow state",
          final.status == 302 and query_of(final.location).get("error_code") == "bad_id_token"
          and final.fragment().get("error_code") == "bad_id_token", final)


def provider_id_token(prefix="google", nonce=None, **x):
    """An ID token of the test provider, as a native SDK gets it: authorize
    and token at the provider itself, without pgstack."""
    name = prefix.split("/")[0]
    verifier, challenge = pkce_pair()
    redirect = "http://127.0.0.1:9/native-app"
    q = {"client_id": name + "-client", "redirect_uri": redirect, "response_type": "code",
         "scope": "openid email", "state": "native", "code_challenge": challenge,
         "code_challenge_method": "S256"}
    if nonce is not None:
        q["nonce"] = nonce
    q.update({"x_" + k: v for k, v in x.items()})
    r = http("GET", PROVIDER + "/" + prefix + "/authorize?" + urllib.parse.urlencode(q))
    form = {"grant_type": "authorization_code", "code": query_of(r.location).get("code", ""),
            "redirect_uri": redirect, "code_verifier": verifier, "client_id": name + "-client",
            "client_secret": name + "-secret"}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if name == "oidc":  # client_secret_basic only
        headers["Authorization"] = "Basic " + base64.b64encode(
            (form.pop("client_id") + ":" + form.pop("client_secret")).encode()).decode()
    t = http("POST", PROVIDER + "/" + prefix + "/token", headers, urllib.parse.urlencode(form).encode())
    return (t.json() or {}).get("id_token", "")


def test_sign_in_with_id_token():
    """supabase-js signInWithIdToken: POST /token?grant_type=id_token."""
    b = Browser()
    addr, s = email(), sub()
    raw = secrets.token_urlsafe(16)
    hashed = hashlib.sha256(raw.encode()).hexdigest()
    token = provider_id_token(nonce=hashed, sub=s, email=addr, name="Nat")
    r = b.auth("POST", "/token?grant_type=id_token", {"provider": "google", "id_token": token, "nonce": raw})
    body = r.json() or {}
    claims = jwt_payload(body.get("access_token", "x.e30.x"))
    check("id_token grant (google, nonce hashed as GoTrue) -> session of a new user, amr oauth",
          r.status == 200 and body.get("user", {}).get("email") == addr and body.get("refresh_token")
          and claims.get("amr", [{}])[0].get("method") == "oauth"
          and identities(body.get("user", {}), "google")[0].get("identity_data", {}).get("sub") == s, r)
    again = b.auth("POST", "/token?grant_type=id_token",
                   {"provider": "google", "id_token": provider_id_token(nonce=hashed, sub=s, email=addr),
                    "nonce": raw})
    check("a second token of the same identity -> the same user",
          again.status == 200 and (again.json() or {}).get("user", {}).get("id") == body.get("user", {}).get("id"),
          again)
    ms = b.auth("POST", "/token?grant_type=id_token",
                {"provider": "azure", "id_token": provider_id_token("microsoft/common/v2.0", sub=sub(),
                                                                    email=email(), edov="true")})
    check("provider azure (Microsoft, tenant issuer), no nonce on either side -> session", ms.status == 200, ms)
    oidc = b.auth("POST", "/token?grant_type=id_token",
                  {"provider": "oidc", "id_token": provider_id_token("oidc", sub=sub(), email=email())})
    check("the generic oidc provider (ES256 token) -> session", oidc.status == 200, oidc)
    users = psql("select count(*) from auth.users")
    for label, body, status, part in [
        ("a wrong nonce", {"provider": "google", "nonce": "other",
                           "id_token": provider_id_token(nonce=hashed, sub=sub())}, 400, "nonce"),
        ("the raw nonce in the token", {"provider": "google", "nonce": raw,
                                        "id_token": provider_id_token(nonce=raw, sub=sub())}, 400, "nonce"),
        ("a token nonce but none sent", {"provider": "google",
                                         "id_token": provider_id_token(nonce=hashed, sub=sub())}, 400,
         "both exist or not"),
        ("a nonce sent but none in the token", {"provider": "google", "nonce": raw,
                                                "id_token": provider_id_token(sub=sub())}, 400, "nonce"),
        ("another provider's token", {"provider": "apple",
                                      "id_token": provider_id_token(sub=sub())}, 400, "bad_id_token"),
        ("a token for another audience", {"provider": "google",
                                          "id_token": provider_id_token(sub=sub(), mode="wrong_aud")}, 400,
         "audience"),
        ("an expired token", {"provider": "google", "id_token": provider_id_token(sub=sub(), mode="expired")},
         400, "expired"),
        ("alg none", {"provider": "google", "id_token": provider_id_token(sub=sub(), mode="alg_none")}, 400,
         "algorithm"),
        ("HS256 with the client secret", {"provider": "google",
                                          "id_token": provider_id_token(sub=sub(), mode="hs256")}, 400,
         "algorithm"),
        ("a forged signature", {"provider": "google", "id_token": token.rsplit(".", 1)[0] + ".AAAA"}, 400,
         "bad_id_token"),
        ("garbage", {"provider": "google", "id_token": "not.a.token"}, 400, "bad_id_token"),
        ("an overlong token", {"provider": "google", "id_token": "a" * 20000}, 400, "too long"),
        ("github (not OpenID)", {"provider": "github", "id_token": token}, 400, "OpenID provider"),
        ("an unknown provider", {"provider": "myspace", "id_token": token}, 400, "OpenID provider"),
        ("no provider (client_id + issuer)", {"client_id": "google-client", "issuer": PROVIDER + "/google",
                                              "id_token": token}, 400, "provider is required"),
        ("no id_token", {"provider": "google"}, 400, "id_token is required"),
        ("id_token not a string", {"provider": "google", "id_token": 5}, 400, "id_token"),
        ("nonce not a string", {"provider": "google", "id_token": token, "nonce": ["x"]}, 400, "nonce"),
    ]:
        r = b.auth("POST", "/token?grant_type=id_token", body)
        check("id_token grant with %s -> %d (%s)" % (label, status, part),
              r.status == status and part in r.body, r)
    check("refused id_token grants created nobody", psql("select count(*) from auth.users") == users)
    banned = b.auth("POST", "/token?grant_type=id_token",
                    {"provider": "google", "id_token": provider_id_token(nonce=hashed, sub=s, email=addr),
                     "nonce": raw, "x": 1})
    uid = (banned.json() or {}).get("user", {}).get("id", "")
    psql("update auth.users set banned_until = now() + interval '1 hour' where id = '%s'" % uid)
    r = b.auth("POST", "/token?grant_type=id_token",
               {"provider": "google", "id_token": provider_id_token(nonce=hashed, sub=s, email=addr), "nonce": raw})
    check("a banned user's ID token -> 400 user_banned", r.status == 400 and "user_banned" in r.body, r)


def test_link_identity():
    """linkIdentity / unlinkIdentity: a password user links a google identity
    (skip_http_redirect answers the URL), signs in with it afterwards, cannot
    link one another user has, unlinks it, never the last one."""
    b = Browser()
    addr = email()
    r = b.auth("POST", "/signup", {"email": addr, "password": "correct horse 1"})
    if not check("a password user to link to", r.status in (200, 201) and (r.json() or {}).get("access_token"), r):
        return
    token, uid = r.json()["access_token"], r.json()["user"]["id"]
    s = sub()
    r = b.auth("GET", "/user/identities/authorize?provider=google&skip_http_redirect=true", token=token)
    url = (r.json() or {}).get("url", "")
    check("GET /user/identities/authorize?skip_http_redirect=true -> 200 {url} of the provider",
          r.status == 200 and url.startswith(PROVIDER + "/google") and "state=" in url, r)
    method, cb, fields = b.at_provider(url, x_sub=s, x_email="other-" + addr)
    final = b.callback(method, cb, fields)
    u = user_of(b, final)
    check("the callback links the identity and signs the same user in",
          signed_in(final) and u.get("id") == uid and len(identities(u, "google")) == 1
          and sorted(u.get("app_metadata", {}).get("providers", [])) == ["email", "google"], (final, u))
    again = b.sign_in("google", x_sub=s, x_email="other-" + addr)
    check("signing in with the linked identity later -> the same user",
          user_of(b, again).get("id") == uid, again)
    r = b.auth("GET", "/user/identities/authorize?provider=google", token=token)
    check("without skip_http_redirect -> 302 to the provider", r.status == 302
          and r.location.startswith(PROVIDER + "/google"), r)
    r = b.auth("GET", "/user/identities/authorize?provider=google")
    check("linkIdentity without a user's token -> 401", r.status == 401, r)

    b2 = Browser()
    r2 = b2.auth("POST", "/signup", {"email": email(), "password": "correct horse 1"})
    t2 = r2.json()["access_token"]
    r = b2.auth("GET", "/user/identities/authorize?provider=google&skip_http_redirect=true", token=t2)
    method, cb, fields = b2.at_provider(r.json()["url"], x_sub=s, x_email="x-" + addr)
    final = b2.callback(method, cb, fields)
    check("linking an identity another user has -> #error_code=identity_already_exists",
          refused(final, "identity_already_exists"), final)
    n = psql("select count(*) from auth.identities where provider = 'google' and provider_id = '%s'" % s)
    check("... and it stays with its user", n == "1", n)

    google = identities(u, "google")[0]["identity_id"]
    mail = identities(u, "email")[0]["identity_id"]
    r = b2.auth("DELETE", "/user/identities/%s" % google, token=t2)
    check("unlink another user's identity -> 404 identity_not_found", r.status == 404
          and (r.json() or {}).get("error_code") == "identity_not_found", r)
    r = b.auth("DELETE", "/user/identities/not-a-uuid", token=token)
    check("unlink a malformed id -> 404", r.status == 404, r)
    r = b.auth("DELETE", "/user/identities/%s" % google, token=token)
    u = b.auth("GET", "/user", token=token).json() or {}
    check("unlinkIdentity -> 200, the identity and its provider gone",
          r.status == 200 and not identities(u, "google")
          and u.get("app_metadata", {}).get("providers") == ["email"], (r, u))
    r = b.auth("DELETE", "/user/identities/%s" % mail, token=token)
    check("the last identity -> 422 single_identity_not_deletable", r.status == 422
          and (r.json() or {}).get("error_code") == "single_identity_not_deletable", r)


def test_github():
    b = Browser()
    gid, addr = str(random.randint(10 ** 6, 10 ** 9)), email()
    final = b.sign_in("github", x_sub=gid, x_email=addr, x_login="octo", x_name="Octo Cat")
    u = user_of(b, final)
    ids = identities(u, "github")
    check("GitHub sign-in: user from /user and the verified primary of /user/emails",
          signed_in(final) and u.get("email") == addr and len(ids) == 1
          and ids[0]["identity_data"].get("user_name") == "octo"
          and ids[0]["identity_data"].get("provider_id") == gid
          and u.get("user_metadata", {}).get("full_name") == "Octo Cat", u)
    again = b.sign_in("github", x_sub=gid, x_email=addr)
    check("second GitHub sign-in: the same user", user_of(b, again).get("id") == u.get("id"), again)


def test_apple_form_post():
    b = Browser()
    r = b.authorize("apple")
    method, url, fields = b.at_provider(r.location, sub="001." + uuid.uuid4().hex, email=email(),
                                        email_verified="string")
    check("Apple answers with a form_post page", method == "POST" and url == CALLBACK and "code" in fields, (method, url))
    note_secrets(url, fields)
    fields["user"] = json.dumps({"name": {"firstName": "Ada", "lastName": "Lovelace"},
                                 "email": "spoofed@example.com"})
    final = b.callback("POST", url, fields, origin=PROVIDER)
    u = user_of(b, final)
    check("POST /callback from the provider's Origin signs in (form_post, CORS does not refuse it)",
          signed_in(final) and final.headers.get("Access-Control-Allow-Origin") is None, final)
    check("Apple: email_verified \"true\" counts, the name comes from the user field, not its email",
          u.get("email_confirmed_at") and u.get("email") != "spoofed@example.com"
          and u.get("user_metadata", {}).get("full_name") == "Ada Lovelace", u)


def test_microsoft_and_generic_oidc():
    b = Browser()
    final = b.sign_in("microsoft", x_sub=sub(), x_email=email(), x_tid="72f988bf-86f1-41af-91ab-2d7cd011db47")
    u = user_of(b, final)
    check("Microsoft: the token's issuer is the tenant's (template {tenantid} from discovery)",
          signed_in(final) and identities(u, "microsoft")[0]["identity_data"]["iss"].endswith(
              "/microsoft/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"), (final, u))
    final = b.sign_in("oidc", x_sub=sub(), x_email=email())
    check("the generic OpenID provider (discovery, ES256 id_token) signs in", signed_in(final), final)
    final = b.sign_in("oidc", x_sub=sub(), x_email=email(), x_mode="other_key")
    check("the generic provider: an id_token from another key is refused",
          refused(final, "bad_id_token", "signature"), final)


def test_banned_user():
    b = Browser()
    s, addr = sub(), email()
    final = b.sign_in("google", x_sub=s, x_email=addr)
    uid = user_of(b, final).get("id")
    r = b.auth("PUT", "/admin/users/%s" % uid, {"ban_duration": "24h"}, token=SERVICE)
    check("admin bans the OAuth user", r.status == 200, r)
    final = b.sign_in("google", x_sub=s, x_email=addr)
    check("a banned user's OAuth sign-in -> #error=access_denied&error_code=user_banned",
          refused(final, "user_banned", "banned", error="access_denied"), final)


def test_no_secrets_in_logs():
    logs = os.path.join(ROOT, ".dev", "logs")
    texts = {}
    for name in ("auth.log", "lighttpd-access.log", "apache-access.log"):
        try:
            with open(os.path.join(logs, name), encoding="utf-8", errors="replace") as f:
                texts[name] = f.read()
        except OSError:
            pass
    leaked = ["%s in %s" % (s[:12] + "...", name) for name, text in texts.items()
              for s in SEEN_SECRETS if len(s) >= 8 and s in text]
    check("no client secret, code, state or token in the auth and access logs (%d checked)"
          % len(SEEN_SECRETS), "auth.log" in texts and not leaked, leaked)
    text = texts.get("auth.log", "")
    check("provider-side failures are logged with their reason",
          "oauth google: bad_id_token: id_token nonce does not match" in text, "no such log line")


def main():
    random.seed()
    tests = [test_settings_and_authorize, test_authorize_errors, test_sign_in_creates_then_finds,
             test_links_to_password_account, test_unverified_email_never_links,
             test_unconfirmed_account_loses_password, test_redirect_to, test_state_refusals,
             test_forged_state_redirect_rechecked, test_id_token_refusals, test_provider_errors,
             test_pkce_and_client_authentication, test_client_pkce, test_client_pkce_error_redirect,
             test_sign_in_with_id_token, test_link_identity, test_github, test_apple_form_post,
             test_microsoft_and_generic_oidc, test_banned_user, test_no_secrets_in_logs]
    for t in tests:
        try:
            t()
        except Exception as e:  # a crash in a test is a failed check
            check("%s runs" % t.__name__, False, "%s: %s" % (type(e).__name__, e))
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    sys.exit(1 if results["failed"] else 0)


if __name__ == "__main__":
    main()
