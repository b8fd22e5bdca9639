#!/usr/bin/env python3
"""Image transforms (/storage/v1/render/image/{public,authenticated,sign})
against the running stack, with real images (image_files.py) whose results
are decoded to check their size: cover, contain, fill, one side only,
format origin/webp/avif and quality, WebP chosen from Accept when no format
is given; the permission checks of the matching
downloads (public buckets only, the caller's SELECT policy with two users
and anon, signed tokens carrying the transform, tampering); the render
cache (miss then hit with the same bytes, a row in storage.renders and a
file on the backend, ETag and If-None-Match → 304, a new upload renders
again and `pgstack storage cleanup` sweeps the stale render); bad
parameters → 400 JSON; the input limits of suites.conf
(STORAGE_IMAGE_MAX_PIXELS=1000000, STORAGE_IMAGE_MAX_INPUT=2000000) → 413;
a non-image → 415. Standard library only (plus libvips through ctypes)."""
import hashlib
import http.client
import json
import os
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, BASE, ROOT, SERVICE, check, psql, run_suite, user_token  # noqa: E402
from image_files import dims, jpeg, png  # noqa: E402

AREA = "/storage/v1"
U = urllib.parse.urlsplit(BASE)
USER_A = "aaaaaaaa-0000-4000-8000-0000000001a1"
USER_B = "bbbbbbbb-0000-4000-8000-0000000001b1"
TOKEN_A, TOKEN_B = user_token(USER_A), user_token(USER_B)
BACKEND = os.environ.get("IMAGE_SUITE_BACKEND", "disk")
PNG = png(400, 300)


def request(method, path, token=SERVICE, headers=None, body=None):
    conn = http.client.HTTPConnection(U.hostname, U.port, timeout=120)
    h = {"apikey": ANON}
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    if body is None and method in ("POST", "PUT"):
        h.setdefault("Content-Length", "0")
    conn.request(method, AREA + path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.headers, data


def upload(bucket, name, data, token=SERVICE, content_type="image/png"):
    return request("POST", "/object/%s/%s" % (bucket, urllib.parse.quote(name)), token,
                   {"Content-Type": content_type, "x-upsert": "true"}, data)


def render(kind, bucket, name, query, token=None, headers=None):
    return request("GET", "/render/image/%s/%s/%s?%s" % (kind, bucket, urllib.parse.quote(name),
                                                          query), token, headers)


def size_of(data):
    try:
        return dims(data)
    except (ValueError, KeyError, IndexError, Exception) as e:  # noqa: BLE001
        return ("undecodable", str(e)[:60], data[:40])


def error_of(data):
    try:
        return json.loads(data)
    except ValueError:
        return {}


def renders(name=None):
    where = "" if name is None else (
        " where object_id in (select id from storage.objects where name = '%s')" % name)
    return int(psql("select count(*) from storage.renders" + where))


def cleanup():
    psql("set storage.allow_delete_query = 'true';"
         " delete from storage.objects where bucket_id like 'img-%';"
         " delete from storage.buckets where id like 'img-%';"
         " drop policy if exists img_select on storage.objects;"
         " drop policy if exists img_insert on storage.objects;"
         " drop policy if exists img_update on storage.objects;")
    cli(["storage", "cleanup"])


def cli(args):
    exe = os.path.join(ROOT, ".dev", "build", "pgstack")
    env = dict(os.environ, PGSTACK_CONFIG=os.path.join(ROOT, ".dev", "pgstack.conf"))
    try:  # the settings the workers run with now (suites.conf), as the workers see them
        with open(os.path.join(ROOT, ".dev", "override.conf")) as f:
            env.update(line.strip().split("=", 1) for line in f if "=" in line)
    except OSError:
        pass
    out = subprocess.run([exe] + args, capture_output=True, text=True, env=env)
    return out.returncode, out.stdout + out.stderr


def setup():
    cleanup()
    psql("insert into storage.buckets (id, name, public) values ('img-pub', 'img-pub', true),"
         " ('img-priv', 'img-priv', false);"
         " create policy img_select on storage.objects for select to authenticated"
         " using (bucket_id = 'img-priv' and owner_id = (select auth.uid()::text));"
         " create policy img_insert on storage.objects for insert to authenticated"
         " with check (bucket_id = 'img-priv' and (storage.foldername(name))[1] = auth.uid()::text);"
         " create policy img_update on storage.objects for update to authenticated"
         " using (bucket_id = 'img-priv' and owner_id = (select auth.uid()::text));")
    assert upload("img-pub", "cat.png", PNG)[0] == 200
    assert upload("img-priv", USER_A + "/dog.jpg", jpeg(320, 240), TOKEN_A, "image/jpeg")[0] == 200


def test_resize_modes():
    cases = [("width=100&height=100", ("png", 100, 100), "image/png"),
             ("width=100&height=100&resize=cover", ("png", 100, 100), "image/png"),
             ("width=100&height=100&resize=contain", ("png", 100, 75), "image/png"),
             ("width=100&height=50&resize=fill", ("png", 100, 50), "image/png"),
             ("width=200", ("png", 200, 150), "image/png"),
             ("height=60", ("png", 80, 60), "image/png"),
             ("width=120&format=webp&quality=90", ("webp", 120, 90), "image/webp"),
             ("width=80&height=80&format=avif&quality=50", ("avif", 80, 80), "image/avif"),
             ("format=origin", ("png", 400, 300), "image/png")]
    for query, want, ctype in cases:
        st, h, data = render("public", "img-pub", "cat.png", query)
        check("public render %s → 200 %s %dx%d" % (query, want[0], want[1], want[2]),
              st == 200 and h["Content-Type"] == ctype and size_of(data) == want and
              h["X-Content-Type-Options"] == "nosniff", (st, h["Content-Type"], size_of(data)))
    _, _, q50 = render("public", "img-pub", "cat.png", "width=300&format=webp&quality=20")
    _, _, q100 = render("public", "img-pub", "cat.png", "width=300&format=webp&quality=100")
    check("quality changes the encoding (20 smaller than 100)", 0 < len(q50) < len(q100),
          (len(q50), len(q100)))


def test_format_from_accept():
    browser = {"Accept": "image/avif,image/webp,image/apng,*/*;q=0.8"}
    st, h, data = render("public", "img-pub", "cat.png", "width=90", headers=browser)
    check("no format, Accept lists image/webp → WebP with Vary: Accept (as Supabase)",
          st == 200 and h["Content-Type"] == "image/webp" and size_of(data) == ("webp", 90, 68)
          and "Accept" in h.get_all("Vary", []), (st, h["Content-Type"], h.get_all("Vary")))
    st, h, data = render("public", "img-pub", "cat.png", "width=90", headers={"Accept": "*/*"})
    check("no format, Accept */* → the origin format (PNG), cached apart from the WebP",
          st == 200 and h["Content-Type"] == "image/png" and size_of(data) == ("png", 90, 68)
          and h["X-Render-Cache"] == "miss", (st, h["Content-Type"], h["X-Render-Cache"]))
    st, h, data = render("public", "img-pub", "cat.png", "width=90", headers=browser)
    check("the WebP variant is served from the cache",
          st == 200 and h["X-Render-Cache"] == "hit" and h["Content-Type"] == "image/webp",
          (st, h["X-Render-Cache"], h["Content-Type"]))
    st, h, data = render("public", "img-pub", "cat.png", "width=90&format=origin", headers=browser)
    check("format=origin opts out: PNG for a WebP-capable client, no Vary: Accept",
          st == 200 and h["Content-Type"] == "image/png" and "Accept" not in h.get_all("Vary", []),
          (st, h["Content-Type"], h.get_all("Vary")))
    st, h, data = render("public", "img-pub", "cat.png", "width=90",
                         headers={"Accept": "image/webp;q=0, image/png"})
    check("image/webp with q=0 is a refusal: PNG", st == 200 and h["Content-Type"] == "image/png",
          (st, h["Content-Type"]))


def test_cache():
    query = "width=64&height=48&format=webp"
    before = renders("cat.png")
    st1, h1, d1 = render("public", "img-pub", "cat.png", query)
    st2, h2, d2 = render("public", "img-pub", "cat.png", query)
    check("first render is a miss, the second a hit with the same bytes",
          st1 == st2 == 200 and h1["X-Render-Cache"] == "miss" and
          h2["X-Render-Cache"] == "hit" and d1 == d2 and h2["Content-Type"] == "image/webp",
          (st1, st2, h1["X-Render-Cache"], h2["X-Render-Cache"], len(d1), len(d2)))
    check("the render is one row of storage.renders", renders("cat.png") == before + 1,
          (before, renders("cat.png")))
    row = psql("select id || '/' || version || '/' || size from storage.renders r where params ="
               " 'width=64&height=48&resize=cover&quality=80&format=webp'")
    rid, version, size = row.split("/")
    path = os.path.join(ROOT, ".dev", "storage", "objects", rid[:2], rid, version)
    if BACKEND == "disk":
        check("disk backend: the render is a file of the backend",
              os.path.isfile(path) and os.path.getsize(path) == int(size) == len(d1), path)
    elif BACKEND == "database":
        n = int(psql("select count(*) from storage.object_chunks where object_id = '%s'" % rid))
        check("database backend: the render's bytes are chunks", n == 1, n)
    else:
        check("s3 backend: the render is not a local file (its bytes are in the store)",
              not os.path.exists(path) and int(size) == len(d1), path)
    etag = h2["ETag"]
    st, h, _ = render("public", "img-pub", "cat.png", query, headers={"If-None-Match": etag})
    check("If-None-Match with the render's ETag → 304", st == 304, (st, etag))
    _, h3, _ = render("public", "img-pub", "cat.png", "width=65&height=48&format=webp")
    check("other parameters → another ETag", h3["ETag"] != etag, (h3["ETag"], etag))
    check("cache headers: the object's Cache-Control and Last-Modified",
          h2["Cache-Control"] == "max-age=3600" and h2["Last-Modified"], dict(h2))
    # a new version of the object: the render is stale, swept by the
    # command, and the new version is rendered again
    assert upload("img-pub", "cat.png", png(200, 100))[0] == 200
    stale = stale_renders()
    rc, out = cli(["storage", "cleanup"])
    gone = (not os.path.exists(path)) if BACKEND != "database" else int(psql(
        "select count(*) from storage.object_chunks where object_id = '%s'" % rid)) == 0
    check("`pgstack storage cleanup` sweeps the stale renders, rows and bytes",
          rc == 0 and stale > 0 and stale_renders() == 0 and gone and
          "stale renders removed: %d" % stale in out, (rc, out, stale, gone))
    st, h, d = render("public", "img-pub", "cat.png", query)
    check("after a new upload: a miss with the new image (64x48 cover of 200x100)",
          st == 200 and h["X-Render-Cache"] == "miss" and size_of(d) == ("webp", 64, 48) and
          h["ETag"] != etag, (st, h["X-Render-Cache"], size_of(d)))
    assert upload("img-pub", "cat.png", PNG)[0] == 200
    stale = stale_renders()
    render("public", "img-pub", "cat.png", "width=33")
    check("a render miss also sweeps stale renders (the worker, opportunistically)",
          stale > 0 and stale_renders() == 0, (stale, stale_renders()))


def stale_renders():
    return int(psql("select count(*) from storage.renders r where not exists (select from"
                    " storage.objects o where o.id = r.object_id and o.version ="
                    " r.source_version)"))


def test_permissions():
    st, _, data = render("public", "img-priv", USER_A + "/dog.jpg", "width=50")
    check("public route on a private bucket → 404 JSON", st == 404 and error_of(data).get("error"),
          (st, data[:200]))
    st, h, data = render("authenticated", "img-priv", USER_A + "/dog.jpg", "width=160", TOKEN_A)
    check("authenticated: the owner gets the JPEG resized (160x120 jpeg)",
          st == 200 and h["Content-Type"] == "image/jpeg" and size_of(data) == ("jpeg", 160, 120),
          (st, size_of(data)))
    st, _, data = render("authenticated", "img-priv", USER_A + "/dog.jpg", "width=160", TOKEN_B)
    check("authenticated: another user (RLS) → 404", st == 404, (st, data[:200]))
    st, _, data = render("authenticated", "img-priv", USER_A + "/dog.jpg", "width=160", ANON)
    check("authenticated: anon → 404", st == 404, (st, data[:200]))
    st, _, data = render("authenticated", "img-priv", USER_A + "/dog.jpg", "width=160", None,
                         {"apikey": ""})
    check("authenticated: no credentials → 401", st == 401, (st, data[:200]))
    st, _, data = render("authenticated", "img-pub", "../img-priv/x.png", "width=10", SERVICE)
    check("a traversal key → 400", st == 400, (st, data[:200]))


def sign(name, body, token=TOKEN_A):
    st, _, data = request("POST", "/object/sign/img-priv/" + urllib.parse.quote(name), token,
                          {"Content-Type": "application/json"}, json.dumps(body).encode())
    return st, error_of(data)


def test_signed():
    name = USER_A + "/dog.jpg"
    st, body = sign(name, {"expiresIn": 60, "transform": {"width": 64, "height": 64,
                                                           "resize": "cover", "format": "webp"}})
    url = body.get("signedURL", "")
    check("createSignedUrl with transform → a /render/image/sign URL",
          st == 200 and url.startswith("/render/image/sign/img-priv/" + name + "?token="),
          (st, body))
    st, h, data = request("GET", url, None)
    check("the signed render needs no credentials and applies the token's transform",
          st == 200 and size_of(data) == ("webp", 64, 64), (st, size_of(data)))
    st, h, data = request("GET", url + "&width=300&format=origin", None)
    check("query parameters cannot change a signed transform",
          st == 200 and size_of(data) == ("webp", 64, 64), (st, size_of(data)))
    st, _, data = request("GET", url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb"), None)
    check("a tampered token → 400 InvalidJWT", st == 400 and error_of(data).get("code") ==
          "InvalidJWT", (st, data[:200]))
    other = url.replace("/dog.jpg?", "/cat.jpg?")
    st, _, data = request("GET", other, None)
    check("the token of another object → 400", st == 400, (st, data[:200]))
    st, h, data = request("GET", url + "&download=small.webp", None)
    check("?download=name on a signed render: attachment with the name",
          st == 200 and h["Content-Disposition"] ==
          "attachment; filename=small.webp; filename*=UTF-8''small.webp" and
          size_of(data) == ("webp", 64, 64), (st, h["Content-Disposition"]))
    st, body = sign(name, {"expiresIn": 60})
    plain = body.get("signedURL", "")
    st, h, data = request("GET", plain.replace("/object/sign/", "/render/image/sign/") +
                          "&width=32", None)
    check("a plain signed token on /render/image/sign uses the query (32 wide)",
          st == 200 and size_of(data) == ("jpeg", 32, 24), (st, size_of(data)))
    st, body = sign(name, {"expiresIn": 60, "transform": {"width": 0}})
    check("createSignedUrl with a bad transform → 400", st == 400, (st, body))
    st, body = sign(name, {"expiresIn": 60, "transform": {"width": 10}}, TOKEN_B)
    check("createSignedUrl with transform by a user who cannot see it → 404", st == 404,
          (st, body))


def test_bad_parameters():
    for query in ["width=0", "width=abc", "height=2501", "width=-5", "resize=stretch",
                  "format=gif", "quality=5", "quality=101", "width=1.5"]:
        st, h, data = render("public", "img-pub", "cat.png", query)
        err = error_of(data)
        check("%s → 400 JSON naming the parameter" % query,
              st == 400 and query.split("=")[0] in err.get("error", ""), (st, data[:200]))


def test_limits():
    big = png(1200, 1000, flat=True)  # 1.2 megapixels, over STORAGE_IMAGE_MAX_PIXELS=1000000
    assert upload("img-pub", "big.png", big)[0] == 200
    st, _, data = render("public", "img-pub", "big.png", "width=100")
    check("input over STORAGE_IMAGE_MAX_PIXELS → 413 JSON", st == 413 and
          "STORAGE_IMAGE_MAX_PIXELS" in error_of(data).get("error", ""), (st, data[:200]))
    heavy = os.urandom(2100000)
    assert upload("img-pub", "heavy.bin", heavy, content_type="application/octet-stream")[0] == 200
    st, _, data = render("public", "img-pub", "heavy.bin", "width=100")
    check("input over STORAGE_IMAGE_MAX_INPUT → 413 JSON", st == 413 and
          "STORAGE_IMAGE_MAX_INPUT" in error_of(data).get("error", ""), (st, data[:200]))
    assert upload("img-pub", "notes.txt", b"just text\n" * 50, content_type="text/plain")[0] == 200
    st, _, data = render("public", "img-pub", "notes.txt", "width=100")
    check("a non-image → 415 JSON", st == 415 and error_of(data).get("error"), (st, data[:200]))
    st, _, data = render("public", "img-pub", "missing.png", "width=100")
    check("a missing object → 404", st == 404, (st, data[:200]))
    digest = hashlib.sha256(render("public", "img-pub", "cat.png", "width=10")[2]).hexdigest()
    check("renders are deterministic (same bytes twice)",
          digest == hashlib.sha256(render("public", "img-pub", "cat.png", "width=10")[2])
          .hexdigest(), digest)


def main():
    return run_suite(setup, [test_resize_modes, test_format_from_accept, test_cache, test_permissions, test_signed,
                             test_bad_parameters, test_limits], cleanup)


if __name__ == "__main__":
    sys.exit(main())
