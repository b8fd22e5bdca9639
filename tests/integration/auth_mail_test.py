#!/usr/bin/env python3
"""Email flows of /auth/v1 against the running stack, with a real SMTP server.

The checks need REQUIRE_EMAIL_VERIFICATION=true and SMTP_URL pointing at an
SMTP server on loopback that stores what it receives in a Maildir — what
`scripts/dev up` runs:

    /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:PORT \\
        -c aiosmtpd.handlers.Mailbox "$SMTP_MAILDIR"

When the stack runs with other settings, the script restarts the workers
with `scripts/dev workers restart REQUIRE_EMAIL_VERIFICATION=true
ALLOW_ANONYMOUS_SIGNIN=true` (keeping any other override); it also restarts
them once with an SMTP_URL nobody listens on, to see that a failed mail
leaves nothing behind; at the end the previous settings are put back. Set
AUTH_MAIL_TEST_NO_RESTART=1 to forbid restarts (the mail-failure part is
then left out, and the other checks need the settings already).

Environment: PGSTACK_URL, ANON_KEY, SERVICE_ROLE_KEY, DATABASE_URL and
SMTP_MAILDIR, from .dev/env (PGSTACK_DEV_DIR or the repository's .dev) when
not exported. Each part of the script is its own client address
(X-Forwarded-For; the dev stack trusts 127.0.0.1 as a proxy), so the
AUTH_RATE_LIMIT bucket of one part never fills up another's. Checks: sign-up with verification
-> mail -> verify -> sign in; recovery -> mail -> confirm -> old refresh token
dead -> new password; magic link -> mail -> tokens in the redirect fragment;
/otp and POST /verify; email change (also an anonymous user's first
address); a failed mail (500, no user, no token); redirect_to allow-listing; one-time
tokens hashed, single-use, expiring; audit entries; hostile input refused with
nothing written and nothing mailed. Prints one line per check and
"N passed, N failed"; exits non-zero on failure. Needs only the standard
library and psql.
"""

import hashlib
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from mail_reader import MailReader, link_in

PASSED = 0
FAILED = 0
RUN = secrets.token_hex(4)


def check(name, ok, detail=""):
    global PASSED, FAILED
    if ok:
        PASSED += 1
        print(f"ok - {name}")
    else:
        FAILED += 1
        print(f"FAIL - {name}" + (f": {detail}" if detail else ""))
    sys.stdout.flush()
    return ok


# ------------------------------------------------------------ environment

def load_env():
    if os.environ.get("PGSTACK_URL"):
        return
    path = os.path.join(os.environ.get("PGSTACK_DEV_DIR", os.path.join(ROOT, ".dev")), "env")
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            if len(value) >= 2 and value[0] == value[-1] == "'":
                value = value[1:-1].replace("'\\''", "'")
            os.environ.setdefault(key, value)


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
load_env()
BASE = os.environ["PGSTACK_URL"].rstrip("/")
AUTH = BASE + "/auth/v1"
ANON = os.environ["ANON_KEY"]
SERVICE = os.environ["SERVICE_ROLE_KEY"]
DATABASE_URL = os.environ["DATABASE_URL"]
MAILDIR = os.environ.get("SMTP_MAILDIR", "")


def sql(query, *args):
    """Runs one query as the superuser; values go in as psql variables."""
    cmd = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", DATABASE_URL]
    for i, a in enumerate(args):
        cmd += ["-v", f"p{i}={a}"]
    out = subprocess.run(cmd, input=query, capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return out.stdout.strip()


CLIENT = {"ip": "127.0.0.1"}


def new_client():
    """The following requests come from a new address (X-Forwarded-For):
    the whole script sends more than AUTH_RATE_LIMIT counted requests, and
    the rate limit has its own tests."""
    CLIENT["ip"] = "10.%d.%d.%d" % (random.randint(0, 255), random.randint(0, 255),
                                    random.randint(1, 254))


# ------------------------------------------------------------------- HTTP

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def http(method, url, body=None, token=None, headers=None):
    h = {"apikey": ANON, "Authorization": "Bearer " + (token or ANON),
         "X-Forwarded-For": CLIENT["ip"]}
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with OPENER.open(req, timeout=30) as r:
            status, hdrs, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, e.headers, e.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw
    return status, hdrs, parsed


def auth(method, path, body=None, token=None, query=None, headers=None):
    url = AUTH + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    return http(method, url, body, token, headers)


def sign_in(address, password):
    return auth("POST", "/token", {"email": address, "password": password},
                query={"grant_type": "password"})


def error_of(body):
    return body.get("error") if isinstance(body, dict) else body


# ------------------------------------------------------------------- mail

MAIL = MailReader(MAILDIR)
mail_count, new_mail_to, no_mail_to = MAIL.count, MAIL.new_to, MAIL.none_to


def link_query(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))


def open_link(url, browser=False):
    """Opens an email link against this stack (the link's host is
    API_EXTERNAL_URL / SITE_URL, which need not be where we reach it)."""
    p = urllib.parse.urlparse(url)
    target = BASE + p.path + ("?" + p.query if p.query else "")
    headers = {"Accept": "text/html,application/xhtml+xml"} if browser else {"Accept": "*/*"}
    return http("GET", target, headers=headers)


def fragment(location):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location).fragment))


def headers_clean(msg):
    """One From, one To, one Subject; no Bcc/Cc; no raw CR/LF in values."""
    if msg is None:
        return False
    for name in ("From", "To", "Subject"):
        if len(msg.get_all(name, [])) != 1:
            return False
    if msg.get_all("Bcc") or msg.get_all("Cc"):
        return False
    return all("\r" not in str(v) and "\n" not in str(v) for v in msg.values())


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def token_row(token):
    return sql("select token_type || ':' || extract(epoch from expires_at - created_at)::int "
               "|| ':' || (used_at is not null) from auth.one_time_tokens "
               "where token_hash = :'p0'", sha256(token))


def addr(name):
    return f"mail-{RUN}-{name}@example.com"


# ------------------------------------------------------- stack settings

def overrides():
    """The KEY=VALUE settings `scripts/dev workers restart` applied last."""
    path = os.path.join(os.environ.get("PGSTACK_DEV_DIR", os.path.join(ROOT, ".dev")),
                        "override.conf")
    try:
        with open(path) as f:
            return [line.strip() for line in f if "=" in line]
    except OSError:
        return []


def restart_workers(settings):
    cmd = [os.path.join(ROOT, "scripts", "dev"), "workers", "restart"] + settings
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        print("# " + " ".join(cmd[1:]) + " failed: " + (out.stderr or out.stdout).strip()[-300:])
    return out.returncode == 0


NEEDED = ["REQUIRE_EMAIL_VERIFICATION=true", "ALLOW_ANONYMOUS_SIGNIN=true"]


def settings_ok():
    status, _, body = auth("GET", "/settings")
    return (status == 200 and isinstance(body, dict) and body.get("mailer_autoconfirm") is False
            and body.get("anonymous_users") is True)


def restarts_allowed():
    return not os.environ.get("AUTH_MAIL_TEST_NO_RESTART")


def with_overrides(base, extra):
    keys = {kv.split("=", 1)[0] for kv in extra}
    return [kv for kv in base if kv.split("=", 1)[0] not in keys] + extra


def enable_settings():
    """None when nothing had to change, else the settings to go back to."""
    if settings_ok() or not restarts_allowed():
        return None
    before = overrides()
    print("# restarting the workers with " + " ".join(NEEDED), flush=True)
    restart_workers(with_overrides(before, NEEDED))
    return before


# ----------------------------------------------------------------- checks

def preconditions():
    ok = check("SMTP_MAILDIR is a Maildir", bool(MAILDIR) and os.path.isdir(
        os.path.join(MAILDIR, "new")), MAILDIR or "SMTP_MAILDIR not set")
    ok &= check("stack runs with REQUIRE_EMAIL_VERIFICATION=true, ALLOW_ANONYMOUS_SIGNIN=true",
                settings_ok())
    return ok


def site_url():
    """SITE_URL, as the error redirect of an unknown token reveals it."""
    status, hdrs, _ = open_link(AUTH + "/verify?token=no-such-token&type=signup", browser=True)
    location = hdrs.get("Location", "")
    check("GET /verify with a bad token in a browser -> 302 #error=access_denied",
          status == 302 and fragment(location).get("error") == "access_denied"
          and fragment(location).get("error_code") == "otp_expired", f"{status} {location}")
    return location.split("#", 1)[0]


def signup_flow(site):
    new_client()
    a, pw = addr("a"), "correct horse 1"
    status, _, body = auth("POST", "/signup", {"email": a, "password": pw})
    check("signup with verification -> 200 message, no tokens",
          status == 200 and body == {"message": "Check your email to confirm your account"},
          f"{status} {body}")
    msg = new_mail_to(a)
    check("confirmation mail received", msg is not None)
    check("confirmation mail headers are clean", headers_clean(msg))
    link = link_in(msg, "/verify")
    q = link_query(link) if link else {}
    check("confirmation link -> /auth/v1/verify?token&type=signup",
          bool(q.get("token")) and q.get("type") == "signup", str(link))
    token = q.get("token", "")
    check("confirmation token stored hashed, 24 h",
          token_row(token) == "confirmation:86400:false" and
          sql("select count(*) from auth.one_time_tokens where token_hash = :'p0'", token) == "0",
          token_row(token))
    status, _, body = sign_in(a, pw)
    check("sign-in before confirming -> 400 email not confirmed",
          status == 400 and error_of(body) == "email not confirmed", f"{status} {body}")
    # the spec's form: GET /verify?token=... from a non-browser -> 200 result
    status, _, body = open_link(AUTH + "/verify?token=" + urllib.parse.quote(token))
    check("GET /verify?token= (spec form) -> 200 session, email confirmed",
          status == 200 and body.get("access_token") and body["user"].get("email_confirmed_at"),
          f"{status} {body}")
    status, _, body = open_link(link)
    check("confirmation link is single-use -> 400 invalid or expired token",
          status == 400 and error_of(body) == "invalid or expired token", f"{status} {body}")
    status, _, body = sign_in(a, pw)
    check("sign-in after confirming -> 200", status == 200 and body.get("access_token"),
          f"{status} {body}")
    status, _, body = auth("POST", "/signup", {"email": a.upper(), "password": pw})
    check("duplicate signup -> 409, no mail",
          status == 409 and error_of(body) == "email already registered" and no_mail_to(a, 0.5),
          f"{status} {body}")

    # a browser following the link, with redirect_to on the allow list
    e = addr("e")
    welcome = site + "/welcome"
    auth("POST", "/signup", {"email": e, "password": pw}, query={"redirect_to": welcome})
    link = link_in(new_mail_to(e), "/verify")
    check("allowed redirect_to rides in the confirmation link",
          link is not None and link_query(link).get("redirect_to") == welcome, str(link))
    status, hdrs, _ = open_link(link, browser=True) if link else (0, {}, None)
    location = hdrs.get("Location", "")
    f = fragment(location)
    check("confirmation link in a browser -> 302 to redirect_to#access_token&type=signup",
          status == 302 and location.startswith(welcome + "#") and f.get("access_token")
          and f.get("refresh_token") and f.get("token_type") == "bearer"
          and f.get("type") == "signup" and f.get("expires_in", "").isdigit(),
          f"{status} {location[:120]}")

    # POST /verify (supabase-js verifyOtp): token + email must match
    b = addr("b")
    auth("POST", "/signup", {"email": b, "password": pw})
    token = link_query(link_in(new_mail_to(b), "/verify") or "http://x/?token=").get("token", "")
    status, _, body = auth("POST", "/verify", {"type": "signup", "token": token, "email": e})
    check("POST /verify with another address -> 400", status == 400, f"{status} {body}")
    status, _, body = auth("POST", "/verify", {"type": "signup", "token": token})
    check("POST /verify token without email -> 400", status == 400, f"{status} {body}")
    status, _, body = auth("POST", "/verify", {"type": "signup", "token": token, "email": b})
    check("POST /verify {type signup, token, email} -> 200 session",
          status == 200 and body.get("refresh_token") and body["user"]["email"] == b,
          f"{status} {body}")
    return a, pw, b


def recovery_flow(site, a, pw):
    new_client()
    status, _, session = sign_in(a, pw)
    old_refresh = session.get("refresh_token") if status == 200 else None
    c = addr("c")
    sql("insert into auth.users (email, email_confirmed_at) values (:'p0', now())", c)
    expected = {"message": "If this email exists, a reset link has been sent"}

    # identical answers, similar timing (known address sends mail)
    known, unknown = [], []
    for i in range(3):
        t0 = time.monotonic()
        s1, _, b1 = auth("POST", "/recover", {"email": c})
        known.append(time.monotonic() - t0)
        t0 = time.monotonic()
        s2, _, b2 = auth("POST", "/recover", {"email": addr(f"nobody{i}")})
        unknown.append(time.monotonic() - t0)
        if not (s1 == s2 == 200 and b1 == b2 == expected):
            break
    check("/recover answers the same for known and unknown addresses",
          s1 == s2 == 200 and b1 == b2 == expected, f"{s1} {b1} / {s2} {b2}")
    mk, mu = statistics.median(known), statistics.median(unknown)
    check(f"/recover timing similar (known {mk * 1000:.0f} ms, unknown {mu * 1000:.0f} ms)",
          abs(mk - mu) < 0.15 + 0.5 * max(mk, mu))
    check("no mail for an unknown address", no_mail_to(addr("nobody0"), 0.5))
    for _ in range(3):
        new_mail_to(c)
    check("each /recover replaces the previous unused token",
          sql("select count(*) from auth.one_time_tokens t join auth.users u on u.id = t.user_id "
              "where u.email = :'p0' and t.used_at is null", c) == "1")

    status, _, _ = auth("POST", "/recover", {"email": a})
    msg = new_mail_to(a)
    check("recovery mail received, headers clean", msg is not None and headers_clean(msg))
    link = link_in(msg, "/verify")
    token = link_query(link).get("token", "") if link else ""
    check("recovery link -> /verify?type=recovery, code in the text, 1 h token",
          link is not None and link_query(link).get("type") == "recovery"
          and token in msg.get_content() and token_row(token) == "recovery:3600:false",
          f"{link} {token_row(token) if token else ''}")
    status, _, body = auth("POST", "/recover/confirm", {"token": token, "password": "short"})
    check("/recover/confirm short password -> 400",
          status == 400 and error_of(body) == "password must be at least 8 characters",
          f"{status} {body}")
    status, _, body = auth("POST", "/recover/confirm", {"token": token, "password": "p" * 300})
    check("/recover/confirm 300-char password -> 400",
          status == 400 and error_of(body) == "password must be at most 256 characters",
          f"{status} {body}")
    status, _, body = auth("POST", "/recover/confirm", {"token": "x" + token, "password": "n" * 12})
    check("/recover/confirm wrong token -> 400 invalid or expired token",
          status == 400 and error_of(body) == "invalid or expired token", f"{status} {body}")
    new_pw = "new password 2"
    status, _, body = auth("POST", "/recover/confirm", {"token": token, "password": new_pw})
    check("/recover/confirm -> 200 Password updated",
          status == 200 and body == {"message": "Password updated"}, f"{status} {body}")
    status, _, body = auth("POST", "/token", {"refresh_token": old_refresh},
                           query={"grant_type": "refresh_token"})
    check("old refresh token is dead after the reset", status == 401, f"{status} {body}")
    status, _, _ = sign_in(a, pw)
    check("old password refused", status == 401)
    status, _, body = sign_in(a, new_pw)
    check("sign-in with the new password", status == 200 and body.get("access_token"),
          f"{status} {body}")
    status, _, body = auth("POST", "/recover/confirm", {"token": token, "password": "other pw 3"})
    check("recovery token is single-use", status == 400, f"{status} {body}")

    # expiry
    auth("POST", "/recover", {"email": a})
    token = link_query(link_in(new_mail_to(a), "/verify") or "http://x/?token=").get("token", "")
    sql("update auth.one_time_tokens set expires_at = now() - interval '1 second' "
        "where token_hash = :'p0'", sha256(token))
    status, _, body = auth("POST", "/recover/confirm", {"token": token, "password": "other pw 3"})
    check("expired recovery token -> 400 invalid or expired token",
          status == 400 and error_of(body) == "invalid or expired token", f"{status} {body}")

    # the GoTrue flow: the link opened in a browser signs in with type=recovery
    reset = site + "/reset"
    auth("POST", "/recover", {"email": a}, query={"redirect_to": reset})
    link = link_in(new_mail_to(a), "/verify")
    status, hdrs, _ = open_link(link, browser=True) if link else (0, {}, None)
    location = hdrs.get("Location", "")
    check("recovery link in a browser -> 302 redirect_to#...&type=recovery",
          status == 302 and location.startswith(reset + "#")
          and fragment(location).get("type") == "recovery"
          and fragment(location).get("access_token"), f"{status} {location[:120]}")
    return new_pw


def magic_link_flow(site, a):
    new_client()
    d = addr("d")
    status, _, body = auth("POST", "/magiclink", {"email": d})
    check("/magiclink -> 200 Magic link sent",
          status == 200 and body == {"message": "Magic link sent"}, f"{status} {body}")
    msg = new_mail_to(d)
    link = link_in(msg, "/magiclink/verify")
    token = link_query(link).get("token", "") if link else ""
    check("magic link mail -> /auth/v1/magiclink/verify?token=, 1 h token",
          headers_clean(msg) and bool(token) and token_row(token) == "magiclink:3600:false",
          str(link))
    status, hdrs, _ = open_link(link) if link else (0, {}, None)
    location = hdrs.get("Location", "")
    f = fragment(location)
    check("GET /magiclink/verify -> 302 SITE_URL#access_token&refresh_token&bearer&expires_in",
          status == 302 and location.startswith(site + "#") and f.get("access_token")
          and f.get("refresh_token") and f.get("token_type") == "bearer"
          and f.get("expires_in", "").isdigit() and f.get("expires_at", "").isdigit()
          and f.get("type") == "magiclink", f"{status} {location[:120]}")
    status, _, user = auth("GET", "/user", token=f.get("access_token"))
    check("magic-link access token works, new user confirmed",
          status == 200 and user.get("email") == d and user.get("email_confirmed_at"),
          f"{status} {user}")
    status, hdrs, _ = open_link(link) if link else (0, {}, None)
    check("magic link is single-use -> 302 #error=access_denied",
          status == 302 and fragment(hdrs.get("Location", "")).get("error") == "access_denied")

    dash = site + "/dash"
    auth("POST", "/magiclink", {"email": a}, query={"redirect_to": dash})
    link = link_in(new_mail_to(a), "/magiclink/verify")
    status, hdrs, _ = open_link(link) if link else (0, {}, None)
    check("magic link honours an allowed redirect_to",
          status == 302 and hdrs.get("Location", "").startswith(dash + "#access_token="),
          hdrs.get("Location", "")[:120])

    host = urllib.parse.urlparse(site).netloc
    hostile = ["https://evil.example/", f"http://{host}.evil.example/", f"http://{host}@evil.example/",
               f"http://evil.example\\@{host}/", f"//evil.example/{host}",
               site + "/x\r\nSet-Cookie: a=b"]
    for target in hostile:
        auth("POST", "/magiclink", {"email": a}, query={"redirect_to": target})
        link = link_in(new_mail_to(a), "/magiclink/verify")
        status, hdrs, _ = open_link(link) if link else (0, {}, None)
        location = hdrs.get("Location", "")
        check(f"hostile redirect_to {target!r} -> SITE_URL",
              link is not None and "redirect_to" not in link_query(link) and status == 302
              and location.startswith(site + "#access_token="), location[:120])
    status, hdrs, _ = open_link(AUTH + "/verify?token=x&type=signup&redirect_to="
                                + urllib.parse.quote("https://evil.example/"), browser=True)
    check("GET /verify with hostile redirect_to -> error at SITE_URL",
          status == 302 and hdrs.get("Location", "").startswith(site + "#error="))

    # /otp (supabase-js signInWithOtp) and POST /verify (verifyOtp)
    unknown = addr("otp-unknown")
    status, _, body = auth("POST", "/otp", {"email": unknown, "create_user": False})
    check("/otp create_user=false for an unknown address -> 422, no user, no mail",
          status == 422 and sql("select count(*) from auth.users where email = :'p0'",
                                unknown) == "0" and no_mail_to(unknown, 0.5), f"{status} {body}")
    status, _, body = auth("POST", "/otp", {"email": d, "create_user": False})
    check("/otp -> 200 {}", status == 200 and body == {}, f"{status} {body}")
    token = link_query(link_in(new_mail_to(d), "/magiclink/verify") or "http://x/?token=").get(
        "token", "")
    status, _, body = auth("POST", "/verify", {"type": "magiclink", "token_hash": token})
    check("POST /verify {type magiclink, token_hash} -> 200 session",
          status == 200 and body.get("access_token") and body["user"]["email"] == d,
          f"{status} {body}")
    auth("POST", "/otp", {"email": d, "data": {"x": 1}})
    token = link_query(link_in(new_mail_to(d), "/magiclink/verify") or "http://x/?token=").get(
        "token", "")
    status, _, body = auth("POST", "/verify", {"type": "email", "token": token, "email": d})
    check("POST /verify {type email, token, email} -> 200 session",
          status == 200 and body.get("access_token"), f"{status} {body}")
    status, _, body = auth("POST", "/verify", {"type": "invite", "token_hash": token})
    check("POST /verify unknown type -> 400", status == 400, f"{status} {body}")


def email_change_flow(a, pw, b):
    new_client()
    status, _, session = sign_in(a, pw)
    access = session.get("access_token") if status == 200 else None
    new = addr("a-new")
    status, _, body = auth("PATCH", "/user", {"email": b}, token=access)
    check("email change to a taken address -> 409, no mail",
          status == 409 and no_mail_to(b, 0.5), f"{status} {body}")
    status, _, user = auth("PATCH", "/user", {"email": new, "data": {"k": "v"}}, token=access)
    check("PATCH /user email -> 200, new_email pending, email unchanged, data merged",
          status == 200 and user.get("new_email") == new and user.get("email") == a
          and user.get("user_metadata", {}).get("k") == "v", f"{status} {user}")
    check("nothing mailed to the old address", no_mail_to(a, 0.3))
    msg = new_mail_to(new)
    link = link_in(msg, "/verify")
    token = link_query(link).get("token", "") if link else ""
    check("email change mail to the new address -> /verify?type=email_change",
          headers_clean(msg) and link is not None
          and link_query(link).get("type") == "email_change"
          and token_row(token) == "email_change:86400:false", str(link))
    status, _, body = sign_in(new, pw)
    check("new address not usable before confirmation", status == 401, f"{status} {body}")
    status, _, body = open_link(link) if link else (0, {}, None)
    check("email change link -> 200 session with the new email",
          status == 200 and body.get("user", {}).get("email") == new, f"{status} {body}")
    status, _, user = auth("GET", "/user", token=access)
    check("GET /user shows the new email, nothing pending",
          status == 200 and user.get("email") == new and not user.get("new_email"),
          f"{status} {user}")
    check("sign-in with the new address", sign_in(new, pw)[0] == 200)
    check("old address no longer signs in", sign_in(a, pw)[0] == 401)
    actions = sql("select string_agg(distinct action, ',' order by action) from auth.audit_log l "
                  "join auth.users u on u.id = l.user_id where u.email = :'p0'", new).split(",")
    check("audit log: recovery, password change, email change",
          {"recovery_requested", "password_changed", "email_change_requested",
           "email_changed", "confirmation_requested", "email_confirmed"} <= set(actions),
          str(actions))
    return access


def hostile_inputs(access):
    new_client()
    users = sql("select count(*) from auth.users")
    tokens = sql("select count(*) from auth.one_time_tokens")
    mails = mail_count()
    bad_emails = [
        "evil@example.com\r\nBcc: victim@example.com",
        "evil@example.com\nBcc: victim@example.com",
        "evil@example.com\r\n\r\nInjected body",
        "evil@example.com>\r\nRCPT TO:<victim@example.com",
        "us\u00e9r@example.com",
        "user@ex\u00e4mple.com",
        "\u202euser@example.com",
        "'; drop table auth.users; --",
        "x@example.com' or '1'='1",
        "a@b@example.com",
        "victim@example.com, other@example.com",
        "",
        "x" * 300 + "@example.com",
    ]
    for e in bad_emails:
        for path in ("/signup", "/recover", "/magiclink", "/otp"):
            status, _, body = auth("POST", path, {"email": e, "password": "long enough 1"})
            if not (400 <= status < 500 and error_of(body) == "invalid email address"):
                check(f"hostile email {e[:40]!r} on {path} -> 400", False, f"{status} {body}")
                break
        else:
            check(f"hostile email {e[:40]!r} -> 400 on signup, recover, magiclink, otp", True)
        status, _, body = auth("PATCH", "/user", {"email": e}, token=access)
        check(f"hostile email {e[:40]!r} on PATCH /user -> 400", status == 400,
              f"{status} {body}")
    status, _, body = auth("POST", "/signup", {"email": addr("long"), "password": "p" * 300})
    check("signup with a 300-char password -> 400",
          status == 400 and error_of(body) == "password must be at most 256 characters",
          f"{status} {body}")
    for raw in (b'{"email": ', b'{"email": 5}', b'["x"]', b'{"email": "a@b.example",}',
                b'{"email": "\\u0000@example.com"}', b'\xff\xfe'):
        status, _, body = auth("POST", "/recover", raw)
        check(f"malformed body {raw[:30]!r} on /recover -> 400", status == 400, f"{status} {body}")
    status, _, body = auth("POST", "/verify", {"type": "signup", "token": "x' or 1=1 --",
                                                "email": "x@example.com"})
    check("SQL in a token -> 400 invalid or expired token", status == 400, f"{status} {body}")
    check("hostile input wrote no user", sql("select count(*) from auth.users") == users)
    check("hostile input wrote no token", sql("select count(*) from auth.one_time_tokens") == tokens)
    check("hostile input sent no mail", mail_count() == mails, f"{mails} -> {mail_count()}")

    # an address that is odd but valid is stored exactly, through bind parameters
    odd = f"o'hara+{RUN}--x@example.com"
    status, _, body = auth("POST", "/signup", {"email": odd, "password": "long enough 1"})
    msg = new_mail_to(odd)
    check("valid address with quote characters -> 200, stored verbatim, mailed",
          status == 200 and sql("select count(*) from auth.users where email = :'p0'",
                                odd) == "1" and msg is not None and headers_clean(msg),
          f"{status} {body}")


def anonymous_conversion(pw):
    new_client()
    status, _, session = auth("POST", "/signup", {})
    check("anonymous sign-up -> session", status in (200, 201) and session.get("access_token"),
          f"{status} {session}")
    access = session.get("access_token") if isinstance(session, dict) else None
    f = addr("anon")
    status, _, user = auth("PATCH", "/user", {"email": f, "password": pw}, token=access)
    check("anonymous user asks for an email -> pending, still anonymous",
          status == 200 and user.get("new_email") == f and user.get("is_anonymous") is True,
          f"{status} {user}")
    link = link_in(new_mail_to(f), "/verify")
    status, _, body = open_link(link) if link else (0, {}, None)
    u = body.get("user", {}) if isinstance(body, dict) else {}
    check("confirmed email makes the anonymous user a regular email user",
          status == 200 and u.get("email") == f and u.get("is_anonymous") is False
          and u.get("app_metadata", {}).get("provider") == "email"
          and any(i.get("provider") == "email" for i in u.get("identities", [])), f"{status} {u}")
    check("the former anonymous user signs in with email and password", sign_in(f, pw)[0] == 200)


def mail_failure(access, known):
    """Workers restarted with an SMTP server that is not there: every flow
    answers 500 "could not send email" and writes nothing."""
    new_client()
    if not restart_workers(with_overrides(overrides(), ["SMTP_URL=smtp://127.0.0.1:1"])):
        check("workers restarted with a dead SMTP_URL", False)
        return
    users = sql("select count(*) from auth.users")
    tokens = sql("select count(*) from auth.one_time_tokens")
    fresh = addr("nomail")
    calls = [("/signup", {"email": fresh, "password": "long enough 1"}, None, "POST"),
             ("/magiclink", {"email": fresh}, None, "POST"),
             ("/otp", {"email": fresh}, None, "POST"),
             ("/recover", {"email": known}, None, "POST"),
             ("/user", {"email": addr("nomail-change")}, access, "PATCH")]
    for path, body, token, method in calls:
        status, _, reply = auth(method, path, body, token=token)
        check(f"mail failure on {method} {path} -> 500 could not send email",
              status == 500 and error_of(reply) == "could not send email", f"{status} {reply}")
    check("mail failure left no user", sql("select count(*) from auth.users") == users)
    check("mail failure left no token", sql("select count(*) from auth.one_time_tokens") == tokens)
    check("mail failure left no pending email change",
          sql("select count(*) from auth.users where email_change is not null and email = :'p0'",
              known) == "0")


def run_checks():
    if not preconditions():
        return
    MAIL.mark_seen()
    site = site_url()
    a, pw, b = signup_flow(site)
    pw = recovery_flow(site, a, pw)
    magic_link_flow(site, a)
    access = email_change_flow(a, pw, b)
    hostile_inputs(access)
    anonymous_conversion(pw)
    if restarts_allowed():
        mail_failure(access, addr("a-new"))


def main():
    before = overrides()
    restarted = enable_settings() is not None
    try:
        run_checks()
    except Exception as exc:  # a crash is a failure, still with the summary line
        check("test script ran to the end", False, repr(exc))
    finally:
        if restarted or overrides() != before:
            check("workers restarted with the previous settings", restart_workers(before))
    print(f"{PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
