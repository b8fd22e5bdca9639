#!/usr/bin/env python3
"""The client's PKCE flow through the email flows, and the 6-digit email
codes, against the running stack with its real SMTP server (what
`scripts/dev up` runs, storing mail in SMTP_MAILDIR).

Needs REQUIRE_EMAIL_VERIFICATION=true and SECURE_PASSWORD_CHANGE=true
(suites.conf). Checks:
  - sign-up, magic link (/otp), recovery and email change started with a
    code_challenge: the mailed link ends in a 302 with ?code=, POST
    /token?grant_type=pkce trades it once, for the right verifier only;
  - every mail carries a 6-digit code; POST /verify {email, token, type}
    for signup, email, magiclink, recovery and email_change starts a
    session; codes are stored as keyed hashes, single-use, for their
    address only; 4 wrong codes leave it usable, the 5th voids code and
    link;
  - POST /resend (signup, email_change) mails a fresh link and code, the
    old ones die, and answers the same for unknown addresses;
  - GET /reauthenticate mails a nonce; with SECURE_PASSWORD_CHANGE=true a
    new password needs it once the session is 24 hours old, and a wrong
    nonce is always refused;
  - hostile input (malformed challenges, codes of the wrong shape or type)
    -> 400 JSON with nothing written and nothing mailed.
Each part is its own client address (X-Forwarded-For), so the
AUTH_RATE_LIMIT of one part never touches another. Standard library only.
"""
import base64
import hashlib
import json
import random
import re
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from harness import ENV, check, psql, summary
from mail_reader import MailReader, code_in, link_in

AUTH = ENV["PGSTACK_URL"].rstrip("/") + "/auth/v1"
ANON = ENV["ANON_KEY"]
MAILDIR = ENV["SMTP_MAILDIR"].strip("'")
SITE = "http://127.0.0.1:3000"
RUN = secrets.token_hex(4)
PASSWORD = "correct horse 1"
CLIENT = {"ip": "127.0.0.1"}


def new_client():
    CLIENT["ip"] = "10.%d.%d.%d" % (random.randint(0, 255), random.randint(0, 255),
                                    random.randint(1, 254))


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


def auth(method, path, body=None, token=None, query=None):
    return http(method, AUTH + path + ("?" + urllib.parse.urlencode(query) if query else ""),
                body, token)


def code_of(body):
    return body.get("error_code") if isinstance(body, dict) else None


def addr(name):
    return "otp-%s-%s@example.com" % (RUN, name)


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# ------------------------------------------------------------------- mail

MAIL = MailReader(MAILDIR)
mark_seen, new_mail_to, no_mail_to = MAIL.mark_seen, MAIL.new_to, MAIL.none_to


def open_link(url):
    p = urllib.parse.urlparse(url)
    return http("GET", ENV["PGSTACK_URL"].rstrip("/") + p.path + "?" + p.query,
                headers={"Accept": "text/html"})


def location_code(hdrs):
    loc = hdrs.get("Location", "") if hdrs else ""
    return loc, dict(urllib.parse.parse_qsl(urllib.parse.urlparse(loc).query)).get("code")


def exchange(code, verifier):
    return auth("POST", "/token", {"auth_code": code, "code_verifier": verifier},
                query={"grant_type": "pkce"})


def amr_method(session):
    part = session["access_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return claims.get("amr", [{}])[0].get("method")


def session_ok(status, body, address):
    return (status == 200 and isinstance(body, dict) and body.get("access_token")
            and body.get("refresh_token") and body.get("user", {}).get("email") == address)


# ------------------------------------------------------------------ PKCE

def pkce_link_flow(label, address, link_path, method):
    """The mail to address ends, through its link, in ?code=; the code is
    traded once, for the right verifier; returns the session."""
    verifier = PENDING.pop(address)
    msg = new_mail_to(address)
    link = link_in(msg, link_path)
    status, hdrs, _ = open_link(link) if link else (0, None, None)
    loc, code = location_code(hdrs)
    check("%s: the link -> 302 to the app with ?code=, no tokens" % label,
          status == 302 and loc.startswith(SITE + "/app?code=") and code
          and "access_token" not in loc, (status, loc))
    stored = psql("select authentication_method || ':' || code_challenge_method || ':' || "
                  "(expires_at - created_at = interval '10 minutes') from auth.flow_state "
                  "where auth_code_hash = '%s'" % hashlib.sha256((code or "").encode()).hexdigest())
    check("%s: flow state hashed, bound to its flow (%s), 10 minutes" % (label, method),
          stored == "%s:s256:true" % method, stored)
    st, body = exchange(code or "x", pkce_pair()[0])[::2]
    check("%s: a wrong verifier -> 400 bad_code_verifier" % label,
          st == 400 and code_of(body) == "bad_code_verifier", (st, body))
    return code, verifier


PENDING = {}


def start_with_challenge(address):
    verifier, challenge = pkce_pair()
    PENDING[address] = verifier
    return {"code_challenge": challenge, "code_challenge_method": "s256"}


def test_pkce_signup():
    new_client()
    a = addr("pkce-signup")
    body = {"email": a, "password": PASSWORD}
    body.update(start_with_challenge(a))
    st, _, reply = auth("POST", "/signup", body, query={"redirect_to": SITE + "/app"})
    check("signup with code_challenge -> 200, no session", st == 200 and "access_token" not in
          json.dumps(reply), (st, reply))
    verifier = PENDING[a]
    challenge = psql("select code_challenge from auth.one_time_tokens o join auth.users u on "
                     "u.id = o.user_id where u.email = '%s'" % a)
    check("the confirmation token carries the challenge", len(challenge) == 43, challenge)
    code, _ = pkce_link_flow("signup", a, "/verify", "otp")
    # the wrong verifier voided it: a second link is needed for the right one
    st, body = exchange(code or "x", verifier)[::2]
    check("signup: the voided code no longer works", st == 404 and code_of(body) ==
          "flow_state_not_found", (st, body))
    confirmed = psql("select email_confirmed_at is not null from auth.users where email = '%s'" % a)
    check("signup: the address is confirmed by the link itself", confirmed == "t", confirmed)


def test_pkce_magic_link():
    new_client()
    a = addr("pkce-magic")
    mark_seen()
    for _ in range(2):
        body = {"email": a, "create_user": True}
        body.update(start_with_challenge(a))
        st, _, reply = auth("POST", "/otp", body, query={"redirect_to": SITE + "/app"})
        check("/otp with code_challenge -> 200 {}", st == 200 and reply == {}, (st, reply))
        code, verifier = pkce_link_flow("magic link", a, "/magiclink/verify", "magiclink")
    body = {"email": a}
    body.update(start_with_challenge(a))
    st, _, reply = auth("POST", "/magiclink", body, query={"redirect_to": SITE + "/app"})
    check("POST /magiclink with code_challenge -> 200", st == 200, (st, reply))
    pkce_link_flow("POST /magiclink", a, "/magiclink/verify", "magiclink")
    body = {"email": a}
    body.update(start_with_challenge(a))
    auth("POST", "/otp", body, query={"redirect_to": SITE + "/app"})
    verifier = PENDING[a]
    _, hdrs, _ = open_link(link_in(new_mail_to(a), "/magiclink/verify"))
    code = location_code(hdrs)[1]
    st, body = exchange(code or "x", verifier)[::2]
    check("magic link: exchange with the right verifier -> session, amr magiclink",
          session_ok(st, body, a) and amr_method(body) == "magiclink", (st, body))
    st, body = exchange(code or "x", verifier)[::2]
    check("magic link: the code is single-use", st == 404 and code_of(body) ==
          "flow_state_not_found", (st, body))


def test_pkce_recovery_and_email_change():
    new_client()
    a = addr("pkce-recover")
    auth("POST", "/signup", {"email": a, "password": PASSWORD})
    new_mail_to(a)
    psql("update auth.users set email_confirmed_at = now() where email = '%s'" % a)
    body = {"email": a}
    body.update(start_with_challenge(a))
    st, _, _ = auth("POST", "/recover", body, query={"redirect_to": SITE + "/app"})
    verifier = PENDING[a]
    _, hdrs, _ = open_link(link_in(new_mail_to(a), "/verify"))
    code = location_code(hdrs)[1]
    st, session = exchange(code or "x", verifier)[::2]
    check("recovery: link -> ?code= -> session (amr recovery)", session_ok(st, session, a)
          and amr_method(session) == "recovery", (st, session))
    if st != 200:
        return
    b = addr("pkce-new")
    body = {"email": b}
    body.update(start_with_challenge(b))
    st, _, user = auth("PUT", "/user", body, token=session["access_token"],
                       query={"redirect_to": SITE + "/app"})
    check("email change with code_challenge -> 200, new_email pending",
          st == 200 and user.get("new_email") == b, (st, user))
    verifier = PENDING[b]
    _, hdrs, _ = open_link(link_in(new_mail_to(b), "/verify"))
    code = location_code(hdrs)[1]
    st, body = exchange(code or "x", verifier)[::2]
    check("email change: link -> ?code= -> session with the new address",
          session_ok(st, body, b), (st, body))


def test_pkce_hostile():
    new_client()
    a = addr("pkce-hostile")
    mark_seen()
    cases = [({"code_challenge": "short", "code_challenge_method": "s256"}, "between 43 and 128"),
             ({"code_challenge": "a" * 129, "code_challenge_method": "s256"}, "between 43 and 128"),
             ({"code_challenge": "a" * 43}, "requires code_challenge_method"),
             ({"code_challenge_method": "s256"}, "requires code_challenge_method"),
             ({"code_challenge": "a" * 43, "code_challenge_method": "S512"}, "not supported"),
             ({"code_challenge": 5, "code_challenge_method": "s256"}, "code_challenge")]
    for extra, part in cases:
        for path in ("/signup", "/otp", "/recover"):
            body = {"email": a, "password": PASSWORD}
            body.update(extra)
            st, _, reply = auth("POST", path, body)
            check("%s %s -> 400 (%s)" % (path, json.dumps(extra)[:40], part),
                  st == 400 and part in json.dumps(reply), (st, reply))
    n = psql("select count(*) from auth.users where email = '%s'" % a)
    check("malformed challenges: no user, no mail", n == "0" and no_mail_to(a), n)


# ------------------------------------------------------------------ codes

def verify_code(address, code, kind):
    return auth("POST", "/verify", {"email": address, "token": code, "type": kind})


def test_codes_every_type():
    new_client()
    a = addr("code-signup")
    auth("POST", "/signup", {"email": a, "password": PASSWORD})
    msg = new_mail_to(a)
    code = code_in(msg)
    check("the confirmation mail carries the link and a 6-digit code",
          link_in(msg, "/verify") and code, msg.get_content() if msg else None)
    row = psql("select otp_hash from auth.one_time_tokens o join auth.users u on u.id = o.user_id "
               "where u.email = '%s'" % a)
    check("the code is stored as a keyed hash, not plain nor its bare SHA-256",
          re.fullmatch(r"[0-9a-f]{64}", row or "") and code not in row
          and row != hashlib.sha256((code or "").encode()).hexdigest(), row)
    st, _, body = verify_code(a, code, "signup")
    check("verifyOtp {email, token, type: signup} -> session, confirmed",
          session_ok(st, body, a) and body["user"].get("email_confirmed_at"), (st, body))
    st, _, body = verify_code(a, code, "signup")
    check("the code is single-use", st == 400 and code_of(body) == "otp_expired", (st, body))

    for kind in ("email", "magiclink"):
        auth("POST", "/otp", {"email": a})
        code = code_in(new_mail_to(a))
        st, _, body = verify_code(a.upper(), code, kind)
        check("verifyOtp type %s with the mailed code -> session" % kind,
              session_ok(st, body, a), (st, body))

    auth("POST", "/recover", {"email": a})
    code = code_in(new_mail_to(a))
    st, _, body = verify_code(addr("someone-else"), code, "recovery")
    check("a code for another address -> 400 otp_expired", st == 400 and code_of(body) ==
          "otp_expired", (st, body))
    st, _, session = verify_code(a, code, "recovery")
    check("verifyOtp type recovery -> session (amr recovery)", session_ok(st, session, a)
          and amr_method(session) == "recovery", (st, session))

    b = addr("code-new")
    auth("PUT", "/user", {"email": b}, token=session["access_token"])
    code = code_in(new_mail_to(b))
    st, _, body = verify_code(b, code, "email_change")
    check("verifyOtp type email_change with the new address -> session, email changed",
          session_ok(st, body, b), (st, body))


def test_wrong_codes_void():
    new_client()
    a = addr("code-wrong")
    auth("POST", "/otp", {"email": a})
    msg = new_mail_to(a)
    code = code_in(msg)
    wrong = "%06d" % ((int(code) + 1) % 1000000)
    for _ in range(4):
        verify_code(a, wrong, "email")
    st, _, body = verify_code(a, code, "email")
    check("4 wrong codes: the right one still works", session_ok(st, body, a), (st, body))

    auth("POST", "/otp", {"email": a})
    msg = new_mail_to(a)
    code = code_in(msg)
    wrong = "%06d" % ((int(code) + 1) % 1000000)
    replies = [verify_code(a, wrong, "magiclink") for _ in range(5)]
    check("every wrong code -> 400 otp_expired", all(r[0] == 400 and code_of(r[2]) == "otp_expired"
                                                     for r in replies), replies[-1])
    st, _, body = verify_code(a, code, "magiclink")
    check("after 5 wrong codes the right one fails too", st == 400 and code_of(body) ==
          "otp_expired", (st, body))
    st, hdrs, _ = open_link(link_in(msg, "/magiclink/verify"))
    check("and the mail's link is void as well", st == 302 and "error_code=otp_expired"
          in hdrs.get("Location", ""), (st, hdrs and hdrs.get("Location")))


def test_code_hostile():
    new_client()
    a = addr("code-hostile")
    auth("POST", "/otp", {"email": a})
    code = code_in(new_mail_to(a))
    for token, status, part in [("12345", 400, "otp_expired"), ("1234567", 400, "otp_expired"),
                                ("12345a", 400, "otp_expired"), ("9" * 5000, 400, "otp_expired"),
                                (123456, 400, "token"), ("", 400, "otp_expired")]:
        st, _, body = verify_code(a, token, "email")
        check("POST /verify token %r -> %d" % (str(token)[:12], status),
              st == status and part in json.dumps(body), (st, body))
    st, _, body = auth("POST", "/verify", {"token": code, "type": "email"})
    check("a code without email -> 400", st == 400 and "email is required" in json.dumps(body),
          (st, body))
    st, _, body = verify_code(a, code, "invite-me")
    check("an unknown type -> 400", st == 400 and code_of(body) == "validation_failed", (st, body))
    attempts = psql("select otp_attempts from auth.one_time_tokens where relates_to = '%s' "
                    "and used_at is null" % a)
    check("malformed codes never count as attempts of the real one", attempts == "0", attempts)
    st, _, body = verify_code(a, code, "email")
    check("the code still works after hostile input", session_ok(st, body, a), (st, body))


# ----------------------------------------------------------------- resend

def test_resend():
    new_client()
    a = addr("resend")
    auth("POST", "/signup", {"email": a, "password": PASSWORD})
    first = new_mail_to(a)
    st, _, body = auth("POST", "/resend", {"type": "signup", "email": a.upper()})
    second = new_mail_to(a)
    check("resend signup -> 200 {} and a new confirmation mail with link and code",
          st == 200 and body == {} and link_in(second, "/verify") and code_in(second), (st, body))
    st, _, body = verify_code(a, code_in(first), "signup")
    check("the first mail's code died with its token", st == 400 and code_of(body) == "otp_expired",
          (st, body))
    st, _, body = verify_code(a, code_in(second), "signup")
    check("the resent code confirms and signs in", session_ok(st, body, a), (st, body))
    session = body

    for email_, label in [(a, "a confirmed address"), (addr("nobody"), "an unknown address")]:
        t0 = time.time()
        st, _, body = auth("POST", "/resend", {"type": "signup", "email": email_})
        check("resend signup for %s -> the same 200 {}, no mail" % label,
              st == 200 and body == {} and no_mail_to(email_, 0.5), (st, body))
    b = addr("resend-new")
    auth("PUT", "/user", {"email": b}, token=session["access_token"])
    new_mail_to(b)
    verifier, challenge = pkce_pair()
    st, _, body = auth("POST", "/resend", {"type": "email_change", "email": a,
                                           "code_challenge": challenge,
                                           "code_challenge_method": "s256"},
                       query={"redirect_to": SITE + "/app"})
    msg = new_mail_to(b)
    check("resend email_change (current address) -> 200, mail to the new address",
          st == 200 and body == {} and link_in(msg, "/verify"), (st, body))
    _, hdrs, _ = open_link(link_in(msg, "/verify"))
    code = location_code(hdrs)[1]
    st, body = exchange(code or "x", verifier)[::2]
    check("the resent email-change link in the PKCE flow -> ?code= -> session on the new address",
          session_ok(st, body, b), (st, body))
    for body, part in [({"type": "recovery", "email": a}, "signup or email_change"),
                       ({"type": "sms", "email": a}, "phone"),
                       ({"email": a}, "signup or email_change"),
                       ({"type": "signup"}, "invalid email"),
                       ({"type": "signup", "email": ["x"]}, "email"),
                       ({"type": "signup", "email": "not-an-email"}, "invalid email")]:
        st, _, reply = auth("POST", "/resend", body)
        check("resend %s -> 400 (%s)" % (json.dumps(body)[:50], part),
              st == 400 and part in json.dumps(reply), (st, reply))


# ------------------------------------------------------- reauthentication

def signed_in_user(name):
    a = addr(name)
    auth("POST", "/signup", {"email": a, "password": PASSWORD})
    st, _, session = verify_code(a, code_in(new_mail_to(a)), "signup")
    return a, session


def age_session(session, hours):
    sid = json.loads(base64.urlsafe_b64decode(session["access_token"].split(".")[1] + "=="))["session_id"]
    psql("update auth.sessions set created_at = now() - interval '%d hours' where id = '%s'" % (hours, sid))


def test_reauthentication():
    new_client()
    a, session = signed_in_user("reauth")
    token = session["access_token"]
    st, _, body = auth("PUT", "/user", {"password": "fresh session 1"}, token=token)
    check("SECURE_PASSWORD_CHANGE: a session younger than 24 h changes the password without nonce",
          st == 200, (st, body))
    st, _, body = auth("PUT", "/user", {"password": "fresh session 2", "nonce": "123456"}, token=token)
    check("a nonce given and wrong is refused even then -> 400 reauthentication_not_valid",
          st == 400 and code_of(body) == "reauthentication_not_valid", (st, body))
    age_session(session, 25)
    st, _, body = auth("PUT", "/user", {"password": "old session 1"}, token=token)
    check("an older session without nonce -> 400 reauthentication_needed",
          st == 400 and code_of(body) == "reauthentication_needed", (st, body))
    st, _, body = auth("PUT", "/user", {"data": {"x": 1}}, token=token)
    check("other changes need no nonce", st == 200, (st, body))
    st, _, body = auth("GET", "/reauthenticate", token=token)
    msg = new_mail_to(a)
    nonce = code_in(msg) or (re.search(r"\n\n(\d{6})\n", msg.get_content() if msg else "") or [None, None])[1]
    check("GET /reauthenticate -> 200 {}, a 6-digit code mailed (no link)",
          st == 200 and body == {} and nonce and "/auth/v1" not in msg.get_content(),
          (st, body, msg.get_content() if msg else None))
    for bad in ["000000" if nonce != "000000" else "000001", "12345", "abcdef"]:
        st, _, body = auth("PUT", "/user", {"password": "old session 2", "nonce": bad}, token=token)
        check("nonce %r -> 400 reauthentication_not_valid" % bad,
              st == 400 and code_of(body) == "reauthentication_not_valid", (st, body))
    st, _, body = auth("PUT", "/user", {"password": "old session 3", "nonce": 123456}, token=token)
    check("a nonce that is not a string -> 400", st == 400 and "nonce" in json.dumps(body), (st, body))
    st, _, body = auth("PUT", "/user", {"password": "old session 4", "nonce": nonce}, token=token)
    check("the mailed nonce -> 200, password changed", st == 200, (st, body))
    st, _, body = auth("POST", "/token", {"email": a, "password": "old session 4"},
                       query={"grant_type": "password"})
    check("the new password signs in", st == 200, (st, body))
    st, _, body = auth("PUT", "/user", {"password": "old session 5", "nonce": nonce}, token=token)
    check("the nonce is single-use", st == 400 and code_of(body) == "reauthentication_not_valid",
          (st, body))
    used = psql("select count(*) from auth.one_time_tokens o join auth.users u on u.id = o.user_id "
                "where u.email = '%s' and o.token_type = 'reauthentication' and o.used_at is not null" % a)
    check("the nonce is stored as a reauthentication token, used", used == "1", used)
    st, _, body = auth("PUT", "/user", {"password": "x"}, token=None)
    check("reauthentication needs a user's token", st in (401, 403), (st, body))
    st, _, body = auth("GET", "/reauthenticate")
    check("GET /reauthenticate without a user -> 401", st == 401, (st, body))


# ------------------------------------------------- invites, generated links

SERVICE = ENV["SERVICE_ROLE_KEY"]


def fragment_of(hdrs):
    loc = hdrs.get("Location", "") if hdrs else ""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(loc).fragment))


def test_invite():
    new_client()
    a = addr("invite")
    st, _, user = auth("POST", "/invite", {"email": a, "data": {"team": "blue"}}, token=ANON)
    check("POST /invite with the anon key -> 403, nothing mailed", st == 403 and no_mail_to(a, 0.3), (st, user))
    st, _, user = auth("POST", "/invite", {"email": a, "data": {"team": "blue"}}, token=SERVICE,
                       query={"redirect_to": SITE + "/welcome"})
    check("POST /invite (service_role) -> the invited user, unconfirmed, no password",
          st == 200 and user.get("email") == a and not user.get("email_confirmed_at")
          and user.get("user_metadata", {}).get("team") == "blue", (st, user))
    pw = psql("select encrypted_password is null from auth.users where email = '%s'" % a)
    check("the invited user has no password", pw == "t", pw)
    msg = new_mail_to(a)
    link = link_in(msg, "/verify")
    check("the invitation mail: a /verify?type=invite link and a code",
          link and "type=invite" in link and code_in(msg), msg.get_content() if msg else None)
    st, hdrs, _ = open_link(link)
    frag = fragment_of(hdrs)
    check("opening it -> 302 to redirect_to with the session, type invite",
          st == 302 and hdrs["Location"].startswith(SITE + "/welcome#") and frag.get("access_token")
          and frag.get("type") == "invite", (st, hdrs and hdrs.get("Location")))
    st, _, body = auth("PUT", "/user", {"password": "invited user 1"}, token=frag.get("access_token"))
    check("the invited user sets a password", st == 200, (st, body))
    st, _, body = auth("POST", "/token", {"email": a, "password": "invited user 1"},
                       query={"grant_type": "password"})
    check("and signs in with it, confirmed", st == 200 and body["user"].get("email_confirmed_at"), (st, body))
    st, _, body = auth("POST", "/invite", {"email": a}, token=SERVICE)
    check("inviting a registered, confirmed address -> 422 email_exists",
          st == 422 and code_of(body) == "email_exists", (st, body))
    b = addr("invite-code")
    auth("POST", "/invite", {"email": b}, token=SERVICE)
    st, _, body = verify_code(b, code_in(new_mail_to(b)), "invite")
    check("verifyOtp {type: invite} with the mailed code -> session", session_ok(st, body, b), (st, body))


def generate(body, token=None):
    return auth("POST", "/admin/generate_link", body, token=token or SERVICE)


def test_generate_link():
    new_client()
    mark_seen()
    a = addr("gen-signup")
    st, _, g = generate({"type": "signup", "email": a, "password": PASSWORD, "data": {"k": 1},
                         "redirect_to": SITE + "/done"})
    check("generate_link signup -> GoTrue's reply: user fields at the top, action_link, email_otp, "
          "hashed_token, verification_type, redirect_to",
          st == 200 and g.get("email") == a and g.get("id") and "/auth/v1/verify?token=" in g.get("action_link", "")
          and "type=signup" in g["action_link"] and re.fullmatch(r"\d{6}", g.get("email_otp", ""))
          and g.get("hashed_token") and g.get("verification_type") == "signup"
          and g.get("redirect_to") == SITE + "/done", (st, g))
    check("generate_link sends nothing", no_mail_to(a, 0.5))
    st, hdrs, _ = open_link(g["action_link"])
    check("the action_link signs the new user in (302 with the session)",
          st == 302 and fragment_of(hdrs).get("access_token"), (st, hdrs and hdrs.get("Location")))
    st, _, body = verify_code(a, g["email_otp"], "signup")
    check("... once: its code then fails", st == 400, (st, body))

    b = addr("gen-magic")
    st, _, g = generate({"type": "magiclink", "email": b})
    st2, _, body = auth("POST", "/verify", {"type": "magiclink", "token_hash": g.get("hashed_token")})
    check("generate_link magiclink -> hashed_token works with verifyOtp({token_hash})",
          st == 200 and session_ok(st2, body, b), (st, g, st2, body))
    st, _, g = generate({"type": "recovery", "email": b})
    st2, _, body = verify_code(b, g.get("email_otp"), "recovery")
    check("generate_link recovery -> email_otp works with verifyOtp", st == 200 and
          g.get("verification_type") == "recovery" and session_ok(st2, body, b), (st, g, st2, body))
    c = addr("gen-new")
    st, _, g = generate({"type": "email_change_new", "email": b, "new_email": c})
    st2, hdrs, _ = open_link(g.get("action_link", ""))
    now = psql("select email from auth.users where id = '%s'" % g.get("id"))
    check("generate_link email_change_new -> the action_link moves the address",
          st == 200 and g.get("new_email") == c and st2 == 302 and now == c, (st, g, now))
    st, _, g = generate({"type": "invite", "email": addr("gen-invite")})
    check("generate_link invite -> type invite link", st == 200 and "type=invite" in g.get("action_link", ""), (st, g))
    for body, status, part in [
            ({"type": "recovery", "email": addr("nobody")}, 404, "user_not_found"),
            ({"type": "signup", "email": a, "password": PASSWORD}, 422, "email_exists"),
            ({"type": "signup", "email": addr("weak"), "password": "short"}, 400, "weak_password"),
            ({"type": "email_change_new", "email": c}, 400, "new_email"),
            ({"type": "email_change_new", "email": c, "new_email": c}, 422, "email_exists"),
            ({"type": "sms", "email": b}, 400, "type must be"),
            ({"type": "magiclink", "email": "bad"}, 400, "invalid email"),
            ({"type": "magiclink", "email": b, "data": "x"}, 400, "data")]:
        st, _, reply = generate(body)
        check("generate_link %s -> %d" % (json.dumps(body)[:50], status),
              st == status and part in json.dumps(reply), (st, reply))
    st, _, reply = generate({"type": "magiclink", "email": b}, token=ANON)
    check("generate_link with the anon key -> 403", st == 403, (st, reply))
    n = psql("select count(*) from auth.users where email in ('%s', '%s')" % (addr("nobody"), addr("weak")))
    check("refused links created nobody", n == "0", n)


def test_ban_duration():
    new_client()
    a, session = signed_in_user("ban")
    uid = session["user"]["id"]
    st, _, body = auth("PUT", "/admin/users/%s" % uid, {"ban_duration": "24h"}, token=SERVICE)
    check("PUT /admin/users/{id} ban_duration 24h -> banned_until a day ahead", st == 200
          and body.get("banned_until"), (st, body))
    st, _, body = auth("POST", "/token", {"email": a, "password": PASSWORD}, query={"grant_type": "password"})
    check("a banned user cannot sign in", st == 400 and code_of(body) == "user_banned", (st, body))
    st, _, body = auth("POST", "/token", {"refresh_token": session["refresh_token"]},
                       query={"grant_type": "refresh_token"})
    check("nor refresh", st == 400 and code_of(body) == "user_banned", (st, body))
    st, _, body = auth("PUT", "/admin/users/%s" % uid, {"ban_duration": "none", "app_metadata": {"plan": "pro"},
                                                        "user_metadata": {"n": 1}}, token=SERVICE)
    check("ban_duration none lifts it; app_metadata and user_metadata set",
          st == 200 and body.get("banned_until") is None and body["app_metadata"].get("plan") == "pro"
          and body["user_metadata"].get("n") == 1, (st, body))
    st, _, body = auth("POST", "/token", {"email": a, "password": PASSWORD}, query={"grant_type": "password"})
    check("signs in again", st == 200, (st, body))
    for body, part in [({"ban_duration": "forever"}, "ban_duration"), ({"ban_duration": 5}, "ban_duration"),
                       ({"ban_duration": "-1h"}, "ban_duration"), ({"ban_duration": "1h30m"}, "ban_duration"),
                       ({"ban_duration": "9" * 30 + "h"}, "ban_duration"), ({"email_confirm": "yes"}, "email_confirm"),
                       ({"password": "short"}, "weak_password"), ({"app_metadata": "x"}, "app_metadata"),
                       ({"user_metadata": [1]}, "user_metadata")]:
        st, _, reply = auth("PUT", "/admin/users/%s" % uid, body, token=SERVICE)
        check("PUT /admin/users/{id} %s -> 400 (%s)" % (json.dumps(body)[:40], part),
              st == 400 and part in json.dumps(reply), (st, reply))
    banned = psql("select banned_until is null from auth.users where id = '%s'" % uid)
    check("refused admin updates changed nothing (not banned)", banned == "t", banned)


def test_admin_email_confirm_and_password():
    new_client()
    a = addr("admin-confirm")
    auth("POST", "/signup", {"email": a, "password": PASSWORD})
    uid = psql("select id from auth.users where email = '%s'" % a)
    st, _, body = auth("POST", "/token", {"email": a, "password": PASSWORD}, query={"grant_type": "password"})
    check("an unconfirmed sign-up cannot sign in yet", st in (400, 401) and "access_token" not in json.dumps(body), (st, body))
    st, _, body = auth("PUT", "/admin/users/%s" % uid, {"email_confirm": True, "password": "admin set 12"},
                       token=SERVICE)
    check("PUT /admin/users/{id} {email_confirm: true, password} -> confirmed",
          st == 200 and body.get("email_confirmed_at"), (st, body))
    st, _, body = auth("POST", "/token", {"email": a, "password": "admin set 12"}, query={"grant_type": "password"})
    check("the user signs in with the password the admin set", st == 200, (st, body))
    st, _, body = auth("POST", "/token", {"email": a, "password": PASSWORD}, query={"grant_type": "password"})
    check("... and no longer with the old one -> 401", st == 401, (st, body))


def test_invite_hostile():
    new_client()
    a = addr("invite-hostile")
    for body, part in [({"email": 5}, "email"), ({"email": "not an address"}, "invalid email"),
                       ({"email": a, "data": "x"}, "data"), ({"email": a, "data": [1]}, "data"),
                       ({}, "invalid email"), ({"email": "x" * 400 + "@example.com"}, "invalid email")]:
        st, _, reply = auth("POST", "/invite", body, token=SERVICE)
        check("POST /invite %s -> 400 (%s)" % (json.dumps(body)[:40], part),
              st == 400 and part in json.dumps(reply), (st, reply))
    n = psql("select count(*) from auth.users where email = '%s'" % a)
    check("refused invites created nobody and mailed nothing", n == "0" and no_mail_to(a, 0.3), n)


def main():
    mark_seen()
    for t in (test_pkce_signup, test_pkce_magic_link, test_pkce_recovery_and_email_change,
              test_pkce_hostile, test_codes_every_type, test_wrong_codes_void, test_code_hostile,
              test_resend, test_reauthentication, test_invite, test_generate_link,
              test_ban_duration, test_admin_email_confirm_and_password, test_invite_hostile):
        try:
            t()
        except Exception as e:
            check(t.__name__ + " ran to the end", False, "%s: %s" % (type(e).__name__, e))
    return summary()


if __name__ == "__main__":
    sys.exit(main())
