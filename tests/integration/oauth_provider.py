#!/usr/bin/env python3
"""tests/integration/oauth_provider.py — a small OAuth 2.0 / OpenID Connect
provider on loopback for the integration tests (started by scripts/dev up).

    oauth_provider.py --port PORT --dir KEYDIR

Python 3 standard library; signatures are made by the `openssl` command
(RS256 with an RSA key, ES256 with a P-256 key, both published in the JWKS;
a third key is never published). Every provider below lives under its own
path prefix, with client id "<name>-client" and secret "<name>-secret":

  /google, /apple, /oidc            OpenID providers: discovery
  /microsoft/common/v2.0            (.well-known/openid-configuration),
                                    authorize, token, userinfo, jwks
  /github/login/oauth/authorize     GitHub: authorize, access_token, and the
  /github/login/oauth/access_token  API's /user and /user/emails
  /github/api/...

authorize approves at once: it redirects to redirect_uri with code, state
and (OpenID, RFC 9207) iss — or, with response_mode=form_post (Apple),
answers an HTML form that posts them. It insists on PKCE (S256); token
checks the client's credentials with the method the provider's discovery
document advertises (apple: client_secret_post only; oidc:
client_secret_basic only; google and microsoft: both), the code (single
use, same redirect_uri) and the code_verifier against the challenge, and
answers access_token and (OpenID) an id_token for the authorized user.

The tests choose the user and the misbehaviour by adding parameters to the
authorization URL pgstack redirected them to: x_sub, x_email,
x_email_verified (true|false|"string" for Apple's "true"), x_name, x_tid,
x_edov (Microsoft's xms_edov), x_login (GitHub), x_emails (GitHub's
/user/emails as JSON), and x_mode: deny (error=access_denied), token_error,
wrong_nonce, no_nonce, wrong_aud, wrong_iss, expired, other_key (signed by
the unpublished key under a published kid), unknown_kid, alg_none, hs256,
es256, no_id_token, wrong_iss_param. GET /_log lists the token requests seen
(client authentication method, parameters without secrets).
"""

import argparse
import base64
import hashlib
import hmac
import html
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OIDC = {
    "google": {"methods": ["client_secret_post", "client_secret_basic"]},
    "apple": {"methods": ["client_secret_post"]},
    "oidc": {"methods": ["client_secret_basic"]},
    "microsoft/common/v2.0": {"methods": ["client_secret_basic", "client_secret_post"],
                              "template": "microsoft/{tenantid}/v2.0"},
}
LOCK = threading.Lock()
CODES = {}      # code -> what authorize saw
TOKENS = {}     # access token -> the user
LOG = []        # token requests seen
KEYS = {}       # name -> PEM path
JWKS = {}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def openssl(*args, data=None):
    return subprocess.run(["openssl"] + list(args), input=data, capture_output=True,
                          check=True).stdout


def make_keys(directory):
    os.makedirs(directory, exist_ok=True)
    specs = {"rsa": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
             "rsa-other": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
             "ec": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]}
    for name, spec in specs.items():
        path = os.path.join(directory, name + ".pem")
        if not os.path.exists(path):
            openssl("genpkey", *spec, "-out", path)
        KEYS[name] = path
    modulus = openssl("rsa", "-in", KEYS["rsa"], "-noout", "-modulus").decode().split("=", 1)[1]
    point = openssl("pkey", "-in", KEYS["ec"], "-pubout", "-outform", "DER")[-65:]
    JWKS["keys"] = [
        {"kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256",
         "n": b64url(bytes.fromhex(modulus.strip())), "e": "AQAB"},
        {"kty": "EC", "kid": "ec-1", "use": "sig", "alg": "ES256", "crv": "P-256",
         "x": b64url(point[1:33]), "y": b64url(point[33:65])},
    ]


def der_to_raw(der):
    """ECDSA-Sig-Value (DER) -> r || s, 32 bytes each."""
    def integer(buf, i):
        assert buf[i] == 0x02
        n = buf[i + 1]
        return int.from_bytes(buf[i + 2:i + 2 + n], "big"), i + 2 + n
    i = 2 if der[1] < 0x80 else 3
    r, i = integer(der, i)
    s, _ = integer(der, i)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def jws(header, claims, key=None, hmac_secret=None):
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    if hmac_secret is not None:
        sig = hmac.new(hmac_secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    elif key is None:
        sig = b""
    else:
        sig = openssl("dgst", "-sha256", "-sign", KEYS[key], data=signing_input.encode())
        if key == "ec":
            sig = der_to_raw(sig)
    return signing_input + "." + b64url(sig)


def client_name(prefix):
    return prefix.split("/")[0]


def issuer(base, prefix, tid=None):
    template = OIDC[prefix].get("template")
    if template:
        return base + "/" + template.replace("{tenantid}", tid or "{tenantid}")
    return base + "/" + prefix


def id_token(base, prefix, grant):
    mode, now = grant["mode"], int(time.time())
    name = client_name(prefix)
    claims = {"iss": issuer(base, prefix, grant["tid"]), "sub": grant["sub"],
              "aud": name + "-client", "iat": now, "exp": now + 300}
    if grant["nonce"] is not None:
        claims["nonce"] = grant["nonce"]
    if grant["email"]:
        claims["email"] = grant["email"]
        verified = grant["email_verified"]
        if verified == "string":
            claims["email_verified"] = "true"
        elif name != "microsoft":
            claims["email_verified"] = verified == "true"
    if grant["edov"]:
        claims["xms_edov"] = True
    if grant["name"]:
        claims["name"] = grant["name"]
    if prefix.startswith("microsoft"):
        claims["tid"] = grant["tid"]
    header, key, secret = {"alg": "RS256", "kid": "rsa-1", "typ": "JWT"}, "rsa", None
    if mode == "wrong_nonce":
        claims["nonce"] = "not-the-nonce-that-was-sent"
    elif mode == "no_nonce":
        claims.pop("nonce", None)
    elif mode == "wrong_aud":
        claims["aud"] = "someone-else-client"
    elif mode == "wrong_iss":
        claims["iss"] = "http://evil.example"
    elif mode == "expired":
        claims["iat"], claims["exp"] = now - 7200, now - 3600
    elif mode == "other_key":
        key = "rsa-other"
    elif mode == "unknown_kid":
        header["kid"], key = "rsa-unknown", "rsa-other"
    elif mode == "alg_none":
        header, key = {"alg": "none"}, None
    elif mode == "hs256":
        header, key, secret = {"alg": "HS256", "kid": "rsa-1"}, None, name + "-secret"
    elif mode == "es256" or prefix == "oidc":
        header, key = {"alg": "ES256", "kid": "ec-1"}, "ec"
    return jws(header, claims, key, secret)


class Handler(BaseHTTPRequestHandler):
    server_version = "pgstack-test-oauth/1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    @property
    def base(self):
        return "http://%s" % self.headers.get("Host", "127.0.0.1")

    def reply(self, status, body, ctype="application/json", headers=None):
        data = body if isinstance(body, bytes) else (
            json.dumps(body).encode() if ctype == "application/json" else body.encode())
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def form(self):
        n = int(self.headers.get("Content-Length") or 0)
        return dict(urllib.parse.parse_qsl(self.rfile.read(n).decode(), keep_blank_values=True))

    # ------------------------------------------------------------- routing

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        path = url.path.strip("/")
        if path == "_log":
            with LOCK:
                return self.reply(200, LOG)
        if path == "github/login/oauth/authorize":
            return self.authorize("github", q)
        if path.startswith("github/api/"):
            return self.github_api(path[len("github/api/"):])
        for prefix in OIDC:
            if path == prefix + "/.well-known/openid-configuration":
                return self.discovery(prefix)
            if path == prefix + "/authorize":
                return self.authorize(prefix, q)
            if path == prefix + "/jwks":
                return self.reply(200, JWKS)
            if path == prefix + "/userinfo":
                return self.userinfo()
        self.reply(404, {"error": "not_found"})

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path.strip("/")
        if path == "github/login/oauth/access_token":
            return self.token("github", self.form())
        for prefix in OIDC:
            if path == prefix + "/token":
                return self.token(prefix, self.form())
        self.reply(404, {"error": "not_found"})

    # ----------------------------------------------------------- endpoints

    def discovery(self, prefix):
        root = self.base + "/" + prefix
        self.reply(200, {
            "issuer": issuer(self.base, prefix),
            "authorization_endpoint": root + "/authorize",
            "token_endpoint": root + "/token",
            "userinfo_endpoint": root + "/userinfo",
            "jwks_uri": root + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "token_endpoint_auth_methods_supported": OIDC[prefix]["methods"],
            "authorization_response_iss_parameter_supported": True,
        })

    def authorize(self, prefix, q):
        name = client_name(prefix)
        redirect = q.get("redirect_uri", "")
        if q.get("client_id") != name + "-client" or not redirect:
            return self.reply(400, {"error": "invalid_request", "error_description": "client_id"})
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256" \
                or len(q.get("code_challenge", "")) != 43:
            return self.reply(400, {"error": "invalid_request", "error_description": "PKCE S256 required"})
        mode = q.get("x_mode", "")
        params = {"state": q.get("state", "")}
        if mode == "deny":
            params.update(error="access_denied", error_description="The user denied the request")
        else:
            code = secrets.token_urlsafe(24)
            with LOCK:
                CODES[code] = {
                    "prefix": prefix, "redirect_uri": redirect, "challenge": q["code_challenge"],
                    "nonce": q.get("nonce"), "mode": mode, "sub": q.get("x_sub", "sub-default"),
                    "email": q.get("x_email", ""), "email_verified": q.get("x_email_verified", "true"),
                    "name": q.get("x_name", ""), "tid": q.get("x_tid", "9188040d-6c67-4c5b-b112-36a304b66dad"),
                    "edov": q.get("x_edov") == "true", "login": q.get("x_login", "octocat"),
                    "emails": q.get("x_emails"), "scope": q.get("scope", ""), "used": False}
            params["code"] = code
        if prefix in OIDC:
            params["iss"] = "http://evil.example" if mode == "wrong_iss_param" else issuer(self.base, prefix)
        if q.get("response_mode") == "form_post":
            fields = "".join('<input type="hidden" name="%s" value="%s">' % (html.escape(k), html.escape(v))
                             for k, v in params.items())
            page = ('<!doctype html><html><body onload="document.forms[0].submit()">'
                    '<form method="post" action="%s">%s</form></body></html>' % (html.escape(redirect), fields))
            return self.reply(200, page, "text/html; charset=utf-8")
        sep = "&" if "?" in redirect else "?"
        self.reply(302, b"", "text/plain", {"Location": redirect + sep + urllib.parse.urlencode(params)})

    def client_auth(self, prefix, form):
        """(method, client_id, secret) as the client authenticated."""
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            return "client_secret_basic", urllib.parse.unquote(user), urllib.parse.unquote(pw)
        return "client_secret_post", form.get("client_id"), form.get("client_secret")

    def token(self, prefix, form):
        name = client_name(prefix)
        method, client_id, secret = self.client_auth(prefix, form)
        allowed = OIDC[prefix]["methods"] if prefix in OIDC else ["client_secret_post"]
        with LOCK:
            LOG.append({"provider": name, "method": method,
                        "params": sorted(k for k in form if k != "client_secret")})
            grant = CODES.get(form.get("code", ""))
            used = grant["used"] if grant else None
            if grant:
                grant["used"] = True
        if method not in allowed or client_id != name + "-client" or secret != name + "-secret":
            return self.reply(401, {"error": "invalid_client"})
        if form.get("grant_type") != "authorization_code" or not grant or used \
                or grant["prefix"] != prefix or grant["redirect_uri"] != form.get("redirect_uri"):
            return self.token_error(prefix, "invalid_grant")
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return self.token_error(prefix, "invalid_grant", "PKCE verification failed")
        if grant["mode"] == "token_error":
            return self.token_error(prefix, "invalid_grant", "the code was revoked")
        access = secrets.token_urlsafe(24)
        with LOCK:
            TOKENS[access] = grant
        body = {"access_token": access, "token_type": "Bearer", "expires_in": 3600,
                "scope": grant["scope"]}
        if prefix in OIDC:
            body["refresh_token"] = "provider-refresh-" + secrets.token_urlsafe(8)
            if grant["mode"] != "no_id_token":
                body["id_token"] = id_token(self.base, prefix, grant)
        self.reply(200, body)

    def token_error(self, prefix, error, description=None):
        body = {"error": error}
        if description:
            body["error_description"] = description
        # GitHub answers errors with 200, as the real one does
        self.reply(200 if prefix == "github" else 400, body)

    def bearer_grant(self):
        auth = self.headers.get("Authorization", "")
        token = auth.split(" ", 1)[1] if " " in auth else ""
        with LOCK:
            return TOKENS.get(token)

    def userinfo(self):
        grant = self.bearer_grant()
        if not grant:
            return self.reply(401, {"error": "invalid_token"})
        self.reply(200, {"sub": grant["sub"], "email": grant["email"]})

    def github_api(self, path):
        grant = self.bearer_grant()
        if not self.headers.get("User-Agent"):
            return self.reply(403, {"message": "User-Agent required"})
        if not grant:
            return self.reply(401, {"message": "Bad credentials"})
        if path == "user":
            return self.reply(200, {"id": int(grant["sub"]), "login": grant["login"],
                                    "name": grant["name"] or None,
                                    "avatar_url": "https://avatars.example/u/" + grant["sub"],
                                    "email": None})
        if path == "user/emails":
            if grant["emails"]:
                return self.reply(200, json.loads(grant["emails"]))
            emails = [{"email": grant["email"], "primary": True,
                       "verified": grant["email_verified"] == "true", "visibility": "public"}]
            return self.reply(200, emails if grant["email"] else [])
        self.reply(404, {"message": "Not Found"})


def main():
    ap = argparse.ArgumentParser(description="test OAuth 2.0 / OpenID Connect provider")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True, help="where the signing keys are kept")
    args = ap.parse_args()
    make_keys(args.dir)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    sys.stderr.write("test OAuth provider on http://127.0.0.1:%d\n" % args.port)
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
