#!/usr/bin/env python3
"""GoTrue's secure email change (SECURE_EMAIL_CHANGE=true with
REQUIRE_EMAIL_VERIFICATION=true and ALLOW_ANONYMOUS_SIGNIN=true,
suites.conf), and the error redirects of the client's PKCE flow, against
the running stack and its real SMTP server.
Checks:
  - PUT /user {email} mails the new address and the current one, each a
    link and a 6-digit code; the first one used answers GoTrue's "proceed
    to confirm link sent to the other email" (200 {msg, code} as JSON,
    #message=... for a browser) and changes nothing; the second moves the
    address and starts a session — either order, links or codes;
  - in the PKCE flow the half-way redirect has ?message= too, and the end
    is ?code= traded for a session on the new address;
  - asking for another address voids the first pair; a used half cannot
    be used again; another user taking the address meanwhile -> 409;
  - POST /resend (email_change) mails both halves again while the current
    address has not confirmed, then the new address's only;
  - POST /admin/generate_link email_change_current + email_change_new make
    the same pair; the current-address link alone never moves the address;
  - a link of the PKCE flow that fails (used, expired) redirects with
    error, error_code and error_description in the query and the fragment;
    an implicit-flow link keeps them in the fragment only;
  - an anonymous user, who has no address, confirms the new one alone;
  - hostile input -> 400 JSON, nothing changed.
Each part has its own client address (X-Forwarded-For). Standard library
only (plus psql)."""
import base64
import hashlib
import json
import random
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request

from harness import ENV, check, psql, summary
from mail_reader import MailReader, code_in, link_in

BASE = ENV["PGSTACK_URL"].rstrip("/")
ANON = ENV["ANON_KEY"]
SERVICE = ENV["SERVICE_ROLE_KEY"]
MAIL = MailReader(ENV["SMTP_MAILDIR"].strip("'"))
SITE = "http://127.0.0.1:3000"
RUN = secrets.token_hex(4)
PASSWORD = "correct horse 1"
CONFIRM_OTHER = "Confirmation link accepted. Please proceed to confirm link sent to the other email"
CLIENT = {"ip": "127.0.0.1"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def new_client():
    CLIENT["ip"] = "10.%d.%d.%d" % (random.randint(0, 255), random.randint(0, 255),
                                    random.randint(1, 254))


def http(method, url, body=None, token=None, headers=None):
    h = {"apikey": ANON, "Authorization": "Bearer " + (token or ANON), "X-Forwarded-For": CLIENT["ip"]}
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    try:
        with OPENER.open(urllib.request.Request(url, data=data, method=method, headers=h), timeout=30) as r:
            status, hdrs, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, e.headers, e.read()
    try:
        return status, hdrs, json.loads(raw) if raw else None
    except ValueError:
        return status, hdrs, raw


def auth(method, path, body=None, token=None, query=None):
    return http(method, BASE + "/auth/v1" + path + ("?" + urllib.parse.urlencode(query) if query else ""),
                body, token)


def open_link(url):
    p = urllib.parse.urlparse(url)
    return http("GET", BASE + p.path + "?" + p.query, headers={"Accept": "text/html"})


def addr(name):
    return "chg-%s-%s@example.com" % (RUN, name)


def code_of(body):
    return body.get("error_code") if isinstance(body, dict) else None


def location(hdrs):
    """(location, query dict, fragment dict) of a redirect."""
    loc = hdrs.get("Location", "") if hdrs else ""
    u = urllib.parse.urlparse(loc)
    return loc, dict(urllib.parse.parse_qsl(u.query)), dict(urllib.parse.parse_qsl(u.fragment))


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verify_code(address, code, kind="email_change"):
    return auth("POST", "/verify", {"email": address, "token": code, "type": kind})


def signed_in_user(name):
    a = addr(name)
    auth("POST", "/signup", {"email": a, "password": PASSWORD})
    st, _, session = verify_code(a, code_in(MAIL.new_to(a)), "signup")
    return a, session


def email_of(address_or_id, by="email"):
    return psql("select email || '|' || coalesce(email_change, '') || '|' || "
                "email_change_confirm_status from auth.users where %s = '%s'" % (by, address_or_id))


def session_for(st, body, address):
    return (st == 200 and isinstance(body, dict) and body.get("access_token")
            and body.get("user", {}).get("email") == address)


def request_change(session, new, query=None, extra=None):
    body = dict({"email": new}, **(extra or {}))
    return auth("PUT", "/user", body, token=session["access_token"], query=query)


# ------------------------------------------------------------------ tests

def test_links_current_first():
    new_client()
    a, s = signed_in_user("links")
    b = addr("links-new")
    st, _, user = request_change(s, b, query={"redirect_to": SITE + "/done"})
    check("PUT /user {email} -> 200, new_email pending, address unchanged",
          st == 200 and user.get("new_email") == b and user.get("email") == a, (st, user))
    to_new, to_current = MAIL.new_to(b), MAIL.new_to(a)
    new_link, cur_link = link_in(to_new, "/verify"), link_in(to_current, "/verify")
    check("a mail to the new address and one to the current address, each a link and a code",
          new_link and cur_link and code_in(to_new) and code_in(to_current)
          and "type=email_change" in new_link and "type=email_change" in cur_link,
          (to_new and to_new.get_content(), to_current and to_current.get_content()))
    check("the current address's mail says the new one must be confirmed too",
          to_current and "must be confirmed as well" in to_current.get_content(), "")
    kinds = psql("select string_agg(token_type || ':' || relates_to, ',' order by token_type) "
                 "from auth.one_time_tokens o join auth.users u on u.id = o.user_id "
                 "where u.email = '%s' and o.used_at is null" % a)
    check("two tokens stored, one per address", kinds == "email_change:%s,email_change_current:%s" % (b, a), kinds)
    st, hdrs, _ = open_link(cur_link)
    loc, q, frag = location(hdrs)
    check("the current address's link -> 302 to redirect_to with #message (no session, no query)",
          st == 302 and loc.startswith(SITE + "/done#") and frag.get("message") == CONFIRM_OTHER
          and "access_token" not in loc and not q, (st, loc))
    check("... and the address is unchanged, one half confirmed", email_of(a) == "%s|%s|1" % (a, b), email_of(a))
    st, hdrs, _ = open_link(cur_link)
    check("the same link again -> an error redirect (used)",
          st == 302 and location(hdrs)[2].get("error_code") == "otp_expired", (st, hdrs and hdrs.get("Location")))
    st, hdrs, _ = open_link(new_link)
    loc, q, frag = location(hdrs)
    check("the new address's link -> 302 with the session (type email_change)",
          st == 302 and frag.get("access_token") and frag.get("type") == "email_change", (st, loc))
    check("the address moved, nothing pending", email_of(b) == "%s||0" % b, email_of(b))
    st, _, body = auth("POST", "/token", {"email": b, "password": PASSWORD}, query={"grant_type": "password"})
    check("signs in with the new address", st == 200, (st, body))


def test_codes_new_first():
    new_client()
    a, s = signed_in_user("codes")
    b = addr("codes-new")
    request_change(s, b)
    new_code, cur_code = code_in(MAIL.new_to(b)), code_in(MAIL.new_to(a))
    st, _, body = verify_code(b, new_code)
    check("verifyOtp {new address, its code, email_change} -> 200 {msg, code: 200}, no session",
          st == 200 and body == {"msg": CONFIRM_OTHER, "code": 200}, (st, body))
    check("... address unchanged, the new half confirmed", email_of(a) == "%s|%s|2" % (a, b), email_of(a))
    st, _, body = verify_code(b, new_code)
    check("the new address's code again -> 400 otp_expired", st == 400 and code_of(body) == "otp_expired", (st, body))
    st, _, body = verify_code(a, new_code)
    check("the new address's code for the current address -> 400", st == 400, (st, body))
    st, _, body = verify_code(a, cur_code)
    check("verifyOtp {current address, its code} -> the session on the new address",
          session_for(st, body, b), (st, body))
    audit = psql("select string_agg(action, ',' order by id) from auth.audit_log "
                 "where user_id = '%s' and action like 'email_change%%'" % s["user"]["id"])
    check("audit: requested twice, half confirmed, changed",
          audit == "email_change_requested,email_change_current_requested,email_change_half_confirmed,email_changed",
          audit)


def test_pkce():
    new_client()
    a, s = signed_in_user("pkce")
    b = addr("pkce-new")
    verifier, challenge = pkce_pair()
    st, _, _ = request_change(s, b, query={"redirect_to": SITE + "/app"},
                              extra={"code_challenge": challenge, "code_challenge_method": "s256"})
    new_link, cur_link = link_in(MAIL.new_to(b), "/verify"), link_in(MAIL.new_to(a), "/verify")
    st, hdrs, _ = open_link(cur_link)
    loc, q, frag = location(hdrs)
    check("PKCE: the first link -> 302 with ?message= and #message=, no code",
          st == 302 and q.get("message") == CONFIRM_OTHER and frag.get("message") == CONFIRM_OTHER
          and "code" not in q, (st, loc))
    st, hdrs, _ = open_link(new_link)
    loc, q, _ = location(hdrs)
    check("PKCE: the second link -> 302 with ?code=", st == 302 and q.get("code"), (st, loc))
    st, _, body = auth("POST", "/token", {"auth_code": q.get("code", "x"), "code_verifier": verifier},
                       query={"grant_type": "pkce"})
    check("exchangeCodeForSession -> session on the new address", session_for(st, body, b), (st, body))


def test_restart_and_conflict():
    new_client()
    a, s = signed_in_user("again")
    b, c = addr("again-b"), addr("again-c")
    request_change(s, b)
    first_new, first_cur = link_in(MAIL.new_to(b), "/verify"), MAIL.new_to(a)
    request_change(s, c)
    second_new, second_cur = MAIL.new_to(c), MAIL.new_to(a)
    st, hdrs, _ = open_link(first_new)
    check("another address asked for: the first pair's links are void",
          st == 302 and location(hdrs)[2].get("error_code") == "otp_expired"
          and open_link(link_in(first_cur, "/verify"))[0] == 302 and email_of(a) == "%s|%s|0" % (a, c),
          (st, email_of(a)))
    st, _, body = verify_code(a, code_in(second_cur))
    check("the second pair's current half -> 200 msg", st == 200 and body.get("msg") == CONFIRM_OTHER, (st, body))
    new_client()
    auth("POST", "/signup", {"email": c, "password": PASSWORD})
    verify_code(c, code_in(MAIL.new_to(c)), "signup")
    st, _, body = verify_code(c, code_in(second_new))
    check("another user took the address meanwhile -> 409 email_exists, nothing moved",
          st == 409 and code_of(body) == "email_exists" and email_of(a).startswith(a + "|"), (st, body, email_of(a)))


def test_generate_link_pair():
    new_client()
    a, s = signed_in_user("gen")
    b = addr("gen-new")
    st, _, cur = auth("POST", "/admin/generate_link", {"type": "email_change_current", "email": a, "new_email": b},
                      token=SERVICE)
    check("generate_link email_change_current -> verification_type, the current address's code",
          st == 200 and cur.get("verification_type") == "email_change_current" and cur.get("new_email") == b,
          (st, cur))
    check("generate_link sends nothing", MAIL.none_to(a, 0.3) and MAIL.none_to(b, 0.1))
    st, _, body = verify_code(a, cur.get("email_otp"))
    check("its code (for the current address) -> half confirmed, address unchanged",
          st == 200 and body.get("msg") == CONFIRM_OTHER and email_of(a) == "%s|%s|1" % (a, b), (st, body))
    st, _, new = auth("POST", "/admin/generate_link", {"type": "email_change_new", "email": a, "new_email": b},
                      token=SERVICE)
    st2, hdrs, _ = open_link(new.get("action_link", ""))
    check("generate_link email_change_new of the same change -> its action_link moves the address",
          st == 200 and st2 == 302 and location(hdrs)[2].get("access_token") and email_of(b) == "%s||0" % b,
          (st, new, st2, email_of(b)))
    d, e = addr("gen-alone"), addr("gen-alone-new")
    auth("POST", "/signup", {"email": d, "password": PASSWORD})
    verify_code(d, code_in(MAIL.new_to(d)), "signup")
    st, _, cur = auth("POST", "/admin/generate_link", {"type": "email_change_current", "email": d, "new_email": e},
                      token=SERVICE)
    st2, hdrs, _ = open_link(cur.get("action_link", ""))
    check("the current address's link alone never moves the address (the new one must be proven)",
          st2 == 302 and location(hdrs)[2].get("message") == CONFIRM_OTHER and email_of(d).startswith(d + "|" + e),
          (st2, email_of(d)))


def test_pkce_error_redirects():
    new_client()
    a = addr("pkce-err")
    verifier, challenge = pkce_pair()
    auth("POST", "/signup", {"email": a, "password": PASSWORD, "code_challenge": challenge,
                             "code_challenge_method": "s256"}, query={"redirect_to": SITE + "/cb?next=x"})
    link = link_in(MAIL.new_to(a), "/verify")
    st, hdrs, _ = open_link(link)
    check("PKCE sign-up link -> ?code=", st == 302 and location(hdrs)[1].get("code"), (st, hdrs and hdrs.get("Location")))
    st, hdrs, _ = open_link(link)
    loc, q, frag = location(hdrs)
    expect = {"error": "access_denied", "error_code": "otp_expired",
              "error_description": "Email link is invalid or has expired"}
    check("the PKCE link again -> 302 with error, error_code, error_description in the query and the fragment",
          st == 302 and loc.startswith(SITE + "/cb?error=") and q == expect and frag == expect, (st, loc))
    b = addr("pkce-expired")
    _, challenge = pkce_pair()
    auth("POST", "/otp", {"email": b, "create_user": True, "code_challenge": challenge,
                          "code_challenge_method": "s256"})
    link = link_in(MAIL.new_to(b), "/magiclink/verify") or link_in(MAIL.new_to(b, 0.1), "/verify")
    psql("update auth.one_time_tokens set expires_at = now() - interval '1 second' where relates_to = '%s'" % b)
    st, hdrs, _ = open_link(link or "http://x/auth/v1/verify?token=x")
    loc, q, frag = location(hdrs)
    check("an expired PKCE magic link -> the error in the query too, no flow state written",
          st == 302 and q.get("error_code") == "otp_expired" and frag.get("error_code") == "otp_expired"
          and psql("select count(*) from auth.flow_state f join auth.users u on u.id = f.user_id "
                   "where u.email = '%s'" % b) == "0", (st, loc))
    c = addr("implicit-err")
    auth("POST", "/signup", {"email": c, "password": PASSWORD})
    link = link_in(MAIL.new_to(c), "/verify")
    open_link(link)
    st, hdrs, _ = open_link(link)
    loc, q, frag = location(hdrs)
    check("an implicit-flow link again -> the error in the fragment only (GoTrue)",
          st == 302 and not q and frag.get("error_code") == "otp_expired", (st, loc))


def test_resend():
    new_client()
    a, s = signed_in_user("resend")
    b = addr("resend-new")
    request_change(s, b)
    old_new, old_cur = MAIL.new_to(b), MAIL.new_to(a)
    st, _, body = auth("POST", "/resend", {"type": "email_change", "email": a})
    new_new, new_cur = MAIL.new_to(b), MAIL.new_to(a)
    check("resend email_change -> 200 {}, both halves mailed again",
          st == 200 and body == {} and link_in(new_new, "/verify") and link_in(new_cur, "/verify"), (st, body))
    st, _, body = verify_code(a, code_in(old_cur))
    check("the first current-address code died with its token", st == 400, (st, body))
    st, _, body = verify_code(a, code_in(new_cur))
    check("the resent current-address code -> half confirmed", st == 200 and body.get("msg") == CONFIRM_OTHER,
          (st, body))
    auth("POST", "/resend", {"type": "email_change", "email": a})
    newest = MAIL.new_to(b)
    check("once the current address confirmed, resend mails the new address only",
          newest and MAIL.none_to(a, 0.3), "")
    st, _, body = verify_code(b, code_in(old_new))
    check("the first new-address code is void too", st == 400, (st, body))
    st, _, body = verify_code(b, code_in(newest))
    check("the latest new-address code completes the change", session_for(st, body, b), (st, body))


def test_anonymous_user():
    new_client()
    st, _, s = auth("POST", "/anonymous", {})
    b = addr("anon-new")
    st, _, user = request_change(s, b)
    msg = MAIL.new_to(b)
    check("an anonymous user (no address) asking for one -> one mail, to the new address",
          st == 200 and msg and user.get("new_email") == b, (st, user))
    st, _, body = verify_code(b, code_in(msg))
    check("its code alone moves the address (nothing to confirm from): a session, a regular user",
          session_for(st, body, b) and body["user"].get("is_anonymous") is False, (st, body))


def test_hostile():
    new_client()
    a, s = signed_in_user("hostile")
    b = addr("hostile-new")
    request_change(s, b)
    cur_code = code_in(MAIL.new_to(a))
    MAIL.new_to(b)
    before = email_of(a)
    for body, part in [({"email": a, "token": 123456, "type": "email_change"}, "token"),
                       ({"email": a, "token": "1" * 5000, "type": "email_change"}, "otp_expired"),
                       ({"email": a, "token": cur_code, "type": "email_change_current"}, "type must be"),
                       ({"email": [a], "token": cur_code, "type": "email_change"}, "email"),
                       ({"email": "not an address", "token": cur_code, "type": "email_change"}, "invalid email")]:
        st, _, reply = auth("POST", "/verify", body)
        check("POST /verify %s -> 400 (%s)" % (json.dumps(body)[:60], part),
              st == 400 and part in json.dumps(reply), (st, reply))
    st, _, reply = request_change(s, "x" * 400 + "@example.com")
    check("PUT /user with an overlong address -> 400", st == 400, (st, reply))
    st, _, reply = request_change(s, a.upper())
    check("PUT /user with the current address (other case) -> 200, nothing mailed",
          st == 200 and MAIL.none_to(a, 0.3), (st, reply))
    attempts = psql("select otp_attempts from auth.one_time_tokens where relates_to = '%s' "
                    "and token_type = 'email_change_current' and used_at is null" % a)
    check("malformed input changed nothing (%s); the current code still works" % attempts,
          email_of(a) == before and verify_code(a, cur_code)[0] == 200, (email_of(a), before))


def main():
    MAIL.mark_seen()
    for t in (test_links_current_first, test_codes_new_first, test_pkce, test_restart_and_conflict,
              test_generate_link_pair, test_pkce_error_redirects, test_resend, test_anonymous_user,
              test_hostile):
        try:
            t()
        except Exception as e:
            check(t.__name__ + " ran to the end", False, "%s: %s" % (type(e).__name__, e))
    return summary()


if __name__ == "__main__":
    sys.exit(main())
