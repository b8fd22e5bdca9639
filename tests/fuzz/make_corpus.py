#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<name>/ from the inputs of
the unit tests (string literals of tests/unit, read per call or per field)
and a few hand-written ones, in each harness's input layout (see the
comment atop tests/fuzz/fuzz_<name>.c). Run it again after adding unit
tests; files are named by the SHA-1 of their content, as libFuzzer does.
Files named crash-* are inputs that once crashed a harness (each with its
fix and unit test); they are kept."""
import base64, hashlib, hmac, json, os, re, subprocess, urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNIT = os.path.join(ROOT, "tests", "unit")
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")
MAX_SEEDS = 60  # per harness: keep the corpora small

ESC = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "'": "'", "0": "\0", "?": "?"}


def c_unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            c = s[i + 1]
            if c == "x":
                m = re.match(r"[0-9a-fA-F]{1,2}", s[i + 2:])
                out.append(chr(int(m.group(0), 16)))
                i += 2 + len(m.group(0))
                continue
            if c in "01234567" and re.match(r"[0-7]{2,3}", s[i + 1:]):
                m = re.match(r"[0-7]{1,3}", s[i + 1:])
                out.append(chr(int(m.group(0), 8)))
                i += 1 + len(m.group(0))
                continue
            out.append(ESC.get(c, c))
            i += 2
            continue
        out.append(s[i])
        i += 1
    return "".join(out)


LIT = r'"(?:[^"\\\n]|\\.)*"'
GROUP = re.compile(r"(?:%s\s*)+" % LIT)


def literals(path, before=None):
    """Adjacent string literals joined, in order; with before, only those
    right after that regex (e.g. a call's name and its parenthesis)."""
    text = open(path, encoding="utf-8", errors="surrogateescape").read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out = []
    for m in GROUP.finditer(text):
        if before and not re.search(before + r"\s*$", text[max(0, m.start() - 80):m.start()]):
            continue
        parts = re.findall(LIT, m.group(0))
        out.append("".join(c_unescape(p[1:-1]) for p in parts))
    return out


def unit(*names):
    return [os.path.join(UNIT, n) for n in names]


def qs_pairs(qs):
    try:
        return urllib.parse.parse_qsl(qs, keep_blank_values=True, strict_parsing=False,
                                      errors="strict")
    except Exception:
        return []


def b(s):
    return s.encode("utf-8", "surrogateescape") if isinstance(s, str) else s


def nul(*fields):
    return b"\0".join(b(f) for f in fields)


seeds = {}


def add(name, data):
    seeds.setdefault(name, [])
    if data not in seeds[name]:
        seeds[name].append(data)


# ---- REST query strings of the parser, planner and SQL tests ------------
REST_FILES = unit("rest/test_parse_select.c", "rest/test_parse_filter.c", "rest/test_parse_logic.c",
                  "rest/test_parse_order.c", "rest/test_parse_paging.c", "rest/test_parse_request.c",
                  "rest/test_parse_hostile.c", "rest/test_plan.c", "rest/test_sql.c")
qss = []
for f in REST_FILES:
    qss += [s for s in literals(f) if "=" in s and " " not in s.split("=")[0]]
PAGING = ("limit", "offset", "tasks.limit", "tasks.offset")
LOGIC = ["or", "and", "not.or", "not.and", "clients.or", "tasks.and"]
ORDER = ["order", "clients.order", "tasks.order"]
for i, qs in enumerate(qss):
    pairs = qs_pairs(qs)
    pick = bytes([i % 11])
    filters = []
    paging = {}
    for k, v in pairs:
        if k == "select":
            add("select", pick + b(v))
        elif k in LOGIC:
            add("logic", pick + bytes([LOGIC.index(k)]) + b(v))
        elif k.endswith(".or") or k.endswith(".and"):
            add("logic", pick + bytes([4]) + b(v))
        elif k == "order" or k.endswith(".order"):
            add("order", pick + bytes([ORDER.index(k) if k in ORDER else 0]) + b(v))
        elif k in PAGING or k.endswith(".limit") or k.endswith(".offset"):
            paging[k if k in PAGING else ("tasks.limit" if k.endswith("limit") else "tasks.offset")] = v
        else:
            filters += [k, v]
    if filters:
        add("filter", pick + nul(*filters[:16]))
    if paging:
        add("paging", pick + nul(*[paging.get(k, "") for k in PAGING]))

for r, u in [("0-9", ""), ("5-", "items"), ("0-0", "items"), ("10-5", ""), ("-5", ""),
             ("0-9", "bytes"), ("items=0-9", ""), ("1-2,3-4", "")]:
    add("range", b"\0" + nul(r, u, ""))
    add("range", b"\1" + nul(r, u, "3"))
for s in literals(unit("rest/test_parse_paging.c")[0], r"with_range\([^,]*,[^,]*,"):
    add("range", b"\0" + nul(s, "items", ""))

for s in literals(unit("rest/test_parse_prefer.c")[0], r"prefer\(") + \
        literals(unit("rest/test_parse_prefer.c")[0], r"\.prefer\s*="):
    for m in range(0, 12, 5):
        add("prefer", bytes([m]) + b(s))
for s in literals(unit("rest/test_parse_accept.c")[0]):
    if "/" in s or s == "*":
        add("accept", bytes([len(s) % 4]) + b(s))
for s in ["public", "api", "nosuch", "", "Public", "public,api", "pg_catalog"]:
    for m in range(4):
        add("profile", bytes([m]) + b(s))

# ---- core/query ---------------------------------------------------------
for s in literals(unit("test_query.c")[0]):
    add("query", b(s))

# ---- writes ---------------------------------------------------------------
WRITE_FILES = unit("rest/test_plan_write.c", "rest/test_sql_write.c", "rest/test_write_body.c")
for f in WRITE_FILES:
    text = open(f).read()
    for case in re.finditer(r"\(write_case\)\s*\{(.*?)\}\s*\)", text, re.S):
        body = case.group(1)
        def field(n):
            m = re.search(r"\.%s\s*=\s*((?:%s\s*)+)" % (n, LIT), body)
            return "".join(c_unescape(p[1:-1]) for p in re.findall(LIT, m.group(1))) if m else ""
        meth = re.search(r"\.method\s*=\s*REST_(\w+)", body)
        mi = ["POST", "PATCH", "PUT", "DELETE"].index(meth.group(1)) if meth and meth.group(1) in \
            ("POST", "PATCH", "PUT", "DELETE") else 0
        add("write_json", bytes([mi]) + nul(field("body"), field("qs"), field("prefer")))
for s in literals(unit("rest/test_write_body.c")[0]):
    if s.lstrip().startswith(("{", "[")):
        add("write_json", b"\0" + nul(s, "", ""))
    if "," in s and "\n" in s and not s.lstrip().startswith(("{", "[")):
        add("write_csv", b"\0" + nul(s, ""))
        add("write_csv", b"\0" + nul(s, "columns=name,qty"))
add("write_csv", b"\0" + nul("name,qty\na,1\nb,2\n", ""))
add("write_csv", b"\0" + nul('name,note\n"x, ""y""",NULL\n', ""))

# ---- RPC ------------------------------------------------------------------
for f in unit("rest/test_plan_rpc.c", "rest/test_sql_rpc.c"):
    text = open(f).read()
    for m in re.finditer(r"rpc_(?:plan|plan_ok|plan_fail|sql_ok)\(\s*REST_(\w+)\s*,\s*(%s)\s*,\s*(%s|NULL)\s*,\s*((?:%s\s*)+|NULL)" % (LIT, LIT, LIT), text):
        meth, fn, qs, body = m.groups()
        fn = c_unescape(fn[1:-1])
        qs = c_unescape(qs[1:-1]) if qs != "NULL" else ""
        body = "".join(c_unescape(p[1:-1]) for p in re.findall(LIT, body)) if body != "NULL" else ""
        FUNCS = ["add", "projects_of", "series", "echo", "stats", "pick", "sumall", "store",
                 "on_change", 'odd"fn', "nosuch"]
        pick = FUNCS.index(fn) if fn in FUNCS else 10
        get = 1 if meth in ("GET", "HEAD") else 0
        add("rpc_args", bytes([(pick << 3) | get]) + nul(body, qs, ""))

# ---- batch ----------------------------------------------------------------
for s in literals(unit("rest/test_batch.c")[0]):
    if "operations" in s:
        add("batch", b(s))
add("batch", nul('{"operations": [{"id": "a", "method": "POST", "path": "/items", "body": {"name": "x"}},'
                 ' {"id": "b", "method": "GET", "path": "/projects?id=eq.{{a.id}}&select=id,name"}]}',
                 '{"id": 42, "name": "x"}'))
add("batch", nul('{"atomic": false, "operations": [{"id": "a", "method": "GET", "path": "/rest/v1/clients"},'
                 ' {"id": "b", "method": "PATCH", "path": "/owners?id=eq.{{a.id}}",'
                 ' "headers": {"Prefer": "return=representation"}, "body": {"name": "#{{a.name}}"}},'
                 ' {"id": "c", "method": "POST", "path": "/rpc/add", "body": {"a": "{{a.id}}"}}]}',
                 '[{"id": 1, "name": "n"}]', '{"id": 2}'))

# ---- auth -------------------------------------------------------------------
def b64u(data):
    return base64.urlsafe_b64encode(b(data)).rstrip(b"=").decode()

JWT_SECRET = b"0123456789abcdef0123456789abcdef-jwt-fuzz"
for alg, h in [("HS256", hashlib.sha256), ("HS384", hashlib.sha384), ("HS512", hashlib.sha512)]:
    for claims in ['{"role":"authenticated","sub":"u1","exp":1900000000}', '{"role":"anon"}',
                   '{"role":"service_role","nbf":1700000000,"iat":1700000000}',
                   '{"role":"admin"}', '{"sub":"x","exp":"soon"}', '{"role":"anon","exp":1}']:
        head = b64u('{"alg":"%s","typ":"JWT"}' % alg)
        body = b64u(claims)
        sig = base64.urlsafe_b64encode(hmac.new(JWT_SECRET, ("%s.%s" % (head, body)).encode(),
                                                h).digest()).rstrip(b"=").decode()
        i = ["HS256", "HS384", "HS512"].index(alg)
        add("jwt", bytes([i]) + nul("%s.%s.%s" % (head, body, sig), claims))
    add("jwt", bytes([i]) + nul(b64u('{"alg":"none"}') + "." + b64u('{"role":"anon"}') + ".", "{}"))

for p in range(5):
    add("oauth_state", bytes([p]) + nul("", "https://app.example.com/cb", "verifier-" + "x" * 43, "nonce-1"))
add("oauth_state", b"\1" + nul("AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", "v", ""))

ISS, AUD, NONCE = "https://issuer.example.com", "client-123", "nonce-abc"
good = {"iss": ISS, "sub": "user-1", "aud": AUD, "exp": 1800000600, "iat": 1799999990, "nonce": NONCE,
        "email": "a@example.com"}
for hdr in ['{"alg":"RS256","kid":"rsa-1"}', '{"alg":"RS256"}', '{"alg":"ES256","kid":"ec-1"}',
            '{"alg":"none"}', '{"alg":"HS256","kid":"rsa-1"}', '{"alg":"RS256","crit":["x"]}']:
    add("id_token", b"\1" + nul(hdr, json.dumps(good)))
for change in [{"aud": [AUD, "other"], "azp": AUD}, {"aud": [AUD, "other"]}, {"iss": "https://evil"},
               {"exp": 1}, {"nonce": "x"}, {"sub": ""}, {"iat": 1900000000}, {"nbf": 1900000000},
               {"iss": "https://login.example.com/{tenantid}/v2.0", "tid": "t1"}]:
    add("id_token", b"\1" + nul('{"alg":"RS256","kid":"rsa-1"}', json.dumps({**good, **change})))
add("id_token", b"\0" + nul(b64u('{"alg":"RS256","kid":"rsa-1"}') + "." + b64u(json.dumps(good)) + ".AAAA"))

for s in literals(unit("test_id_token.c")[0]):
    if '"kty"' in s or '"keys"' in s:
        add("jwks", b(s))
try:
    pem = subprocess.run(["openssl", "genrsa", "2048"], capture_output=True, check=True).stdout
    mod = subprocess.run(["openssl", "rsa", "-noout", "-modulus"], input=pem, capture_output=True,
                         check=True).stdout.decode().strip().split("=")[1]
    n = b64u(bytes.fromhex(mod))
    add("jwks", b(json.dumps({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": n,
                                         "e": "AQAB"}]})))
    add("jwks", b(json.dumps({"kty": "RSA", "n": n, "e": "AQAB"})))
except (OSError, subprocess.CalledProcessError):
    pass
add("jwks", b'{"keys":[{"kty":"EC","crv":"P-256","x":"' + b(b64u(b"\1" * 32)) + b'","y":"' +
    b(b64u(b"\2" * 32)) + b'"},{"kty":"oct","k":"c2VjcmV0"}]}')

for f in unit("test_auth_mail.c", "test_auth_urls.c"):
    for s in literals(f):
        if "@" in s and len(s) < 300:
            add("email", b(s))
text = open(unit("test_auth_mail.c")[0]).read()
for m in re.finditer(r"(?:render|refused)\(\s*((?:%s\s*)+),\s*((?:%s\s*)+),\s*((?:%s\s*)+),\s*((?:%s\s*)+)" %
                     (LIT, LIT, LIT, LIT), text):
    fields = ["".join(c_unescape(p[1:-1]) for p in re.findall(LIT, g)) for g in m.groups()]
    add("mail_header", nul(*fields))
add("mail_header", nul('"Ünïcode, Name" <noreply@example.com>', "user@example.com",
                       "Bestätigen Sie Ihre Adresse " * 4, "Hallo,\n\n.\nline with trailing space \n" + "x" * 200))

for i, s in enumerate(literals(unit("test_config.c")[0])):
    if "=" in s and ("\n" in s or "URL" in s or "SECRET" in s):
        add("config", bytes([i % 6]) + b(s))

# ---- storage ----------------------------------------------------------------
for s in literals(unit("storage/test_key.c")[0]):
    if len(s) < 200:
        add("storage_key", b(s))
for s in ("a%2Fb", "a%5cb", "%2e%2e/x", "%00", "caf%C3%A9/x.png", "a/%2E%2E/b", "%ff"):
    add("storage_key", b(s))

FORM = ('--XyZ\r\nContent-Disposition: form-data; name="cacheControl"\r\n\r\n3600\r\n'
        '--XyZ\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"a":1}\r\n'
        '--XyZ\r\nContent-Disposition: form-data; name=""; filename="blob"\r\n'
        'Content-Type: image/png\r\n\r\n\x89PNG\r\n--Xy not a boundary\r\n--XyZ--\r\n')
add("multipart", nul("multipart/form-data; boundary=XyZ", FORM))
add("multipart", nul('multipart/form-data; boundary="XyZ"', FORM))
add("multipart", nul("multipart/form-data; boundary=XyZ", FORM[:40]))


def b64s(text):
    return base64.b64encode(b(text)).decode()


add("tus_meta", b"\0" + b("bucketName %s,objectName %s,contentType %s" %
                           (b64s("avatars"), b64s("folder/été.png"), b64s("image/png"))))
add("tus_meta", b"\0" + b("bucketName %s, objectName %s,cacheControl %s,metadata %s,flag" %
                           (b64s("b"), b64s("k"), b64s("3600"), b64s('{"a":1}'))))
add("tus_meta", b"\1" + nul("avatars", "folder/x.png", "image/png", "3600", '{"a":1}'))

add("storage_token", b"\1" + nul("avatars/folder/x.png", "d", "user-1", "<"))
add("storage_token", b"\1" + nul("b/été ✓.txt", "u", "", "\xff"))
add("storage_token", b"\0" + nul("eyJhbGciOiJIUzI1NiJ9.eyJ1cmwiOiJiL2sifQ.AAAA", "b/k", "download"))

# ---- realtime ---------------------------------------------------------------
HEAD = ("GET /realtime/v1/websocket?apikey=k&vsn=2.0.0 HTTP/1.1\r\nHost: h\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\nOrigin: http://localhost:3000\r\n\r\n")
add("rt_http", b(HEAD))
add("rt_http", b(HEAD) + b"\x81\x85abcd" + b"hello")
add("rt_http", b("POST /realtime/v1/api/broadcast HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}"))
add("rt_http", b("GET /ws/_presence/room HTTP/1.1\r\nAuthorization: Bearer x\r\n\r\n"))

for s in literals(unit("realtime/test_phx_frame.c")[0]):
    if s.startswith(("{", "[")):
        add("phx_frame", bytes([0 if s.startswith("{") else 1]) + b(s))
bframe = bytes([3, 1, 9, 5, 1]) + b"1" + b"realtime:room" + b"event" + b"{}"
add("phx_frame", bytes([3]) + bframe)
add("phx_frame", b"\1" + b('["1","1","realtime:room","phx_join",{"config":{"broadcast":{"self":true},'
                          '"presence":{"key":"k"},"postgres_changes":[{"event":"*","schema":"public"}],'
                          '"private":false},"access_token":"t"}]'))


def ws_frame(opcode, payload, fin=True, mask=b"abcd"):
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([0x80 | 127]) + n.to_bytes(8, "big")
    return head + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(payload))


add("ws_frames", b"\xff" + ws_frame(1, b'{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"1"}'))
add("ws_frames", b"\x03" + ws_frame(1, b"hel", fin=False) + ws_frame(9, b"p") + ws_frame(0, b"lo"))
add("ws_frames", b"\x10" + ws_frame(2, bytes(200)) + ws_frame(8, b"\x03\xe8bye"))
add("ws_frames", b"\xff" + ws_frame(1, "é".encode()[:1]))

# ---- auth redirects ---------------------------------------------------------
for s in literals(unit("test_auth_urls.c")[0]):
    if s.startswith("http") and len(s) < 300:
        add("auth_redirect", b(s))
for s in ("https://app.example.com/app/done?x=1", "http://localhost:3000/", "https://[::1]:8443/cb/x",
          "https://app.example.com.evil.com/app", "https://app.example.com@evil.com/app"):
    add("auth_redirect", b(s))

# ---- write ------------------------------------------------------------------
for name, items in sorted(seeds.items()):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if not f.startswith("crash-"):
            os.remove(os.path.join(d, f))
    for data in items[:MAX_SEEDS]:
        with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as fh:
            fh.write(data)
    print("%-12s %3d seeds" % (name, min(len(items), MAX_SEEDS)))
