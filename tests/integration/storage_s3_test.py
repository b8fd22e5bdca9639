#!/usr/bin/env python3
"""The S3 backend (STORAGE_BACKEND=s3, set for this suite in suites.conf)
against a real S3-compatible server on loopback: @20minutes/s3rver, which
scripts/dev installs (pinned) and runs, and which checks SigV4 signatures
of requests and presigned URLs. Object bytes must land in the store under
objects/<id[0..1]>/<id>/<version> (read back from its directory, .dev/s3),
never under STORAGE_ROOT/objects.

Uploads (raw, multipart, 5 MB), downloads identical by hash through the
worker, Range (206, suffix, 416), If-None-Match (304), HEAD, info, upsert
(the old version leaves the store), server-side copy (surviving the
source's delete), move, delete one and many, bucket empty, public and
signed downloads, a TUS upload in two chunks completing into the store, an
upload refused by RLS or cut mid-body storing nothing; the store stopped (`scripts/dev s3
stop`): uploads, downloads and copies answer 503 JSON and leave no row and
no spooled file; STORAGE_S3_REDIRECT=true: 302 to a presigned URL that the
store accepts (bytes, type, Range) and refuses once tampered; a wrong
STORAGE_S3_SECRET_KEY: the store refuses the signature, the upload is a
503 with no row; `pgstack doctor` tells a reachable store from refused keys
and a missing bucket. Standard library only."""
import base64
import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, BASE, ENV, ROOT, SERVICE, check, psql, run_suite, user_token  # noqa: E402

AREA = "/storage/v1"
DEV = os.path.join(ROOT, ".dev")
STORE = os.path.join(DEV, "s3", ENV.get("S3_TEST_BUCKET", "pgstack-test"))
DISK_OBJECTS = os.path.join(DEV, "storage", "objects")
SPOOL = os.path.join(DEV, "storage", "tmp")
U = urllib.parse.urlsplit(BASE)
with open(os.path.join(DEV, "server")) as f:
    APACHE = f.read().strip() == "apache"
USER = "53535353-0000-4000-8000-000000000001"
S3_SETTINGS = ["STORAGE_BACKEND=s3", "STORAGE_S3_ENDPOINT=" + ENV.get("S3_TEST_ENDPOINT", ""),
               "STORAGE_S3_BUCKET=" + ENV.get("S3_TEST_BUCKET", ""),
               "STORAGE_S3_ACCESS_KEY=" + ENV.get("S3_TEST_ACCESS_KEY", ""),
               "STORAGE_S3_SECRET_KEY=" + ENV.get("S3_TEST_SECRET_KEY", ""),
               "STORAGE_S3_TIMEOUT=3"]


def request(method, path, token=SERVICE, headers=None, body=None, base=None):
    u = urllib.parse.urlsplit(base) if base else U
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    h = {"apikey": ANON} if token is not None else {}
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    if body is None and method in ("POST", "PATCH", "PUT"):
        h.setdefault("Content-Length", "0")
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.headers, data


def obj(bucket, name):
    return AREA + "/object/%s/%s" % (bucket, urllib.parse.quote(name))


def upload(name, data, token=SERVICE, headers=None, content_type="application/octet-stream",
           bucket="s3t", method="POST"):
    h = {"Content-Type": content_type}
    h.update(headers or {})
    return request(method, obj(bucket, name), token, h, data)


def post_json(path, body, token=SERVICE, headers=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return request("POST", AREA + path, token, h, json.dumps(body).encode())


def row(name, bucket="s3t"):
    """(id, version) of the object's row, or None."""
    out = psql("select id || ' ' || version from storage.objects where bucket_id = '%s'"
               " and name = '%s'" % (bucket, name.replace("'", "''")))
    return tuple(out.split()) if out else None


def stored(ident, version):
    """The bytes the store holds for (id, version), or None (s3rver keeps an
    object's bytes in <key>._S3rver_object)."""
    path = os.path.join(STORE, "objects", ident[:2], ident, version + "._S3rver_object")
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return f.read()


def store_count():
    n = 0
    for _, _, files in os.walk(os.path.join(STORE, "objects")):
        n += sum(1 for f in files if f.endswith("._S3rver_object"))
    return n


def disk_files():
    found = []
    for _, _, files in os.walk(DISK_OBJECTS):
        found += files
    return found


def spool_files():
    return os.listdir(SPOOL) if os.path.isdir(SPOOL) else []


def scripts_dev(*args):
    out = subprocess.run([os.path.join(ROOT, "scripts", "dev")] + list(args),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if out.returncode != 0:
        raise RuntimeError("scripts/dev %s: %s" % (" ".join(args[:2]), out.stdout[-400:]))


def workers_with(*extra):
    scripts_dev("workers", "restart", *(S3_SETTINGS + list(extra)))


def cleanup():
    for b in ("s3t", "s3pub"):  # through pgstack, so the store is emptied too
        request("POST", AREA + "/bucket/%s/empty" % b, headers={"Content-Type": "application/json"},
                body=b"{}")
        request("DELETE", AREA + "/bucket/" + b)
    psql("drop policy if exists s3t_insert_own on storage.objects;"
         " drop policy if exists s3t_select_own on storage.objects;")


def setup():
    cleanup()
    st, _, body = post_json("/bucket", {"name": "s3t"})
    assert st in (200, 201), (st, body)
    st, _, body = post_json("/bucket", {"name": "s3pub", "public": True})
    assert st in (200, 201), (st, body)
    psql("create policy s3t_insert_own on storage.objects for insert to authenticated"
         " with check (bucket_id = 's3t' and (storage.foldername(name))[1] = auth.uid()::text);"
         " create policy s3t_select_own on storage.objects for select to authenticated"
         " using (bucket_id = 's3t' and owner_id = (select auth.uid()::text));")


def test_upload_lands_in_the_store():
    data = os.urandom(5 * 1024 * 1024)
    before_disk = len(disk_files())
    st, _, body = upload("big/5mb.bin", data)
    reply = json.loads(body) if st == 200 else {}
    check("upload (5 MB): 200 with id, key, Id, Key",
          st == 200 and reply.get("Key") == "s3t/big/5mb.bin" and reply.get("id") == reply.get("Id"),
          (st, body[:200]))
    r = row("big/5mb.bin")
    check("the bytes are in the store at objects/<id[0..1]>/<id>/<version>",
          r is not None and stored(*r) == data, r)
    check("nothing under STORAGE_ROOT/objects, nothing left in the spool",
          len(disk_files()) == before_disk and not spool_files(), (disk_files(), spool_files()))
    st, h, got = request("GET", obj("s3t", "big/5mb.bin"))
    check("download through the worker: identical by SHA-256",
          st == 200 and hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest(), st)
    check("download headers: type, ETag (MD5), Last-Modified, Accept-Ranges, nosniff",
          h.get("Content-Type") == "application/octet-stream" and
          h.get("ETag") == '"%s"' % hashlib.md5(data).hexdigest() and h.get("Last-Modified") and
          h.get("Accept-Ranges") == "bytes" and h.get("X-Content-Type-Options") == "nosniff",
          dict(h))
    if not APACHE:
        check("download Content-Length", h.get("Content-Length") == str(len(data)), dict(h))
    st, h, got = request("HEAD", obj("s3t", "big/5mb.bin"))
    check("HEAD: 200, no body", st == 200 and got == b"", st)
    st, _, body = request("GET", AREA + "/object/info/s3t/big/5mb.bin")
    info = json.loads(body) if st == 200 else {}
    check("info: size and type from the row", info.get("size") == len(data), (st, body[:200]))


def test_multipart_upload():
    boundary = "s3boundary"
    payload = b"multipart bytes for s3"
    body = (b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"cacheControl\""
            b"\r\n\r\n60\r\n--" + boundary.encode() +
            b"\r\nContent-Disposition: form-data; name=\"\"; filename=\"m.txt\"\r\n"
            b"Content-Type: text/plain\r\n\r\n" + payload + b"\r\n--" + boundary.encode() +
            b"--\r\n")
    st, _, reply = upload("forms/m.txt", body,
                          content_type="multipart/form-data; boundary=" + boundary)
    r = row("forms/m.txt")
    check("multipart upload: the file part alone is stored",
          st == 200 and r is not None and stored(*r) == payload, (st, reply[:200]))
    st, h, got = request("GET", obj("s3t", "forms/m.txt"))
    check("and downloads with its type and cache-control",
          st == 200 and got == payload and h.get("Content-Type") == "text/plain" and
          h.get("Cache-Control") == "max-age=60", (st, dict(h)))


def test_range_and_etag():
    data = bytes(range(256)) * 64
    upload("r/range.bin", data)
    st, h, got = request("GET", obj("s3t", "r/range.bin"), headers={"Range": "bytes=100-199"})
    check("Range bytes=100-199: 206, Content-Range, the slice",
          st == 206 and got == data[100:200] and
          h.get("Content-Range") == "bytes 100-199/%d" % len(data), (st, dict(h)))
    st, h, got = request("GET", obj("s3t", "r/range.bin"), headers={"Range": "bytes=-10"})
    check("Range bytes=-10: the last 10 bytes", st == 206 and got == data[-10:], st)
    st, h, got = request("GET", obj("s3t", "r/range.bin"), headers={"Range": "bytes=16000-"})
    check("Range bytes=16000-: to the end", st == 206 and got == data[16000:], st)
    st, h, body = request("GET", obj("s3t", "r/range.bin"),
                          headers={"Range": "bytes=%d-" % len(data)})
    check("Range past the end: 416 JSON with bytes */size",
          st == 416 and h.get("Content-Range") == "bytes */%d" % len(data) and
          b"not satisfiable" in body, (st, dict(h), body[:200]))
    etag = request("GET", obj("s3t", "r/range.bin"))[1].get("ETag")
    st, _, got = request("GET", obj("s3t", "r/range.bin"), headers={"If-None-Match": etag})
    check("If-None-Match with the ETag: 304, no body", st == 304 and got == b"", st)


def test_upsert_copy_move_delete():
    upload("t/a.txt", b"first version", content_type="text/plain")
    old = row("t/a.txt")
    st, _, _ = upload("t/a.txt", b"second version", content_type="text/plain",
                      headers={"x-upsert": "true"})
    new = row("t/a.txt")
    check("upsert: the new version is stored, the old one leaves the store",
          st == 200 and new and old and new[1] != old[1] and stored(*new) == b"second version" and
          stored(*old) is None, (st, old, new))
    st, _, body = post_json("/object/copy", {"bucketId": "s3t", "sourceKey": "t/a.txt",
                                             "destinationKey": "t/copy.txt"})
    c = row("t/copy.txt")
    check("copy: 200 and its own object in the store (server-side CopyObject)",
          st == 200 and c and c[0] != new[0] and stored(*c) == b"second version", (st, body, c))
    st, _, body = post_json("/object/move", {"bucketId": "s3t", "sourceKey": "t/copy.txt",
                                             "destinationKey": "t/moved.txt"})
    st2, _, got = request("GET", obj("s3t", "t/moved.txt"))
    check("move: the row is renamed, the stored object is the same",
          st == 200 and row("t/moved.txt") == c and st2 == 200 and got == b"second version",
          (st, body, st2))
    st, _, body = request("DELETE", obj("s3t", "t/a.txt"))
    check("delete: 200 object deleted, the source leaves the store",
          st == 200 and json.loads(body) == {"message": "object deleted"} and
          stored(*new) is None, (st, body))
    st, _, got = request("GET", obj("s3t", "t/moved.txt"))
    check("the copy outlives its source's delete", st == 200 and got == b"second version", st)
    upload("many/1.txt", b"one", content_type="text/plain")
    upload("many/2.txt", b"two", content_type="text/plain")
    keys = [row("many/1.txt"), row("many/2.txt")]
    st, _, body = request("DELETE", AREA + "/object/s3t", headers={
        "Content-Type": "application/json"}, body=json.dumps(
        {"prefixes": ["many/1.txt", "many/2.txt"]}).encode())
    check("delete many: both rows and both stored objects go",
          st == 200 and len(json.loads(body)) == 2 and all(stored(*k) is None for k in keys),
          (st, body[:200]))


def test_public_signed_and_tus():
    upload("p/pub.txt", b"public bytes", content_type="text/plain", bucket="s3pub")
    st, _, got = request("GET", AREA + "/object/public/s3pub/p/pub.txt", token=None)
    check("public download with no headers", st == 200 and got == b"public bytes", st)
    upload("s/signed.txt", b"signed bytes", content_type="text/plain")
    st, _, body = post_json("/object/sign/s3t/s/signed.txt", {"expiresIn": 60})
    url = json.loads(body).get("signedURL", "") if st == 200 else ""
    st, _, got = request("GET", AREA + url, token=None)
    check("signed URL download with no headers", st == 200 and got == b"signed bytes", (st, url))
    data = os.urandom(300000)
    meta = ",".join("%s %s" % (k, base64.b64encode(v.encode()).decode()) for k, v in
                    (("bucketName", "s3t"), ("objectName", "tus/two.bin"),
                     ("contentType", "application/octet-stream")))
    st, h, _ = request("POST", AREA + "/upload/resumable", headers={
        "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)), "Upload-Metadata": meta})
    loc = h.get("Location") or ""
    tus = {"Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream"}
    st1, _, _ = request("PATCH", loc, headers=dict(tus, **{"Upload-Offset": "0"}),
                        body=data[:100000])
    mid = row("tus/two.bin")
    st2, _, _ = request("PATCH", loc, headers=dict(tus, **{"Upload-Offset": "100000"}),
                        body=data[100000:])
    r = row("tus/two.bin")
    check("TUS in two chunks: no object before the last byte, then the whole in the store",
          st == 201 and st1 == 204 and mid is None and st2 == 204 and r and stored(*r) == data,
          (st, st1, mid, st2, r))


def test_rls_refusal_stores_nothing():
    token = user_token(USER)
    n = store_count()
    st, _, body = upload("someone-else/x.txt", b"nope", token=token, content_type="text/plain")
    check("an upload the INSERT policy refuses: 403, nothing in the store or the spool",
          st == 403 and store_count() == n and row("someone-else/x.txt") is None and
          not spool_files(), (st, body[:200]))
    st, _, body = upload(USER + "/mine.txt", b"mine", token=token, content_type="text/plain")
    st2, _, got = request("GET", obj("s3t", USER + "/mine.txt"), token=token)
    check("the owner's own folder: stored and readable under RLS",
          st == 200 and st2 == 200 and got == b"mine", (st, body[:200], st2))
    st, _, _ = request("GET", obj("s3t", USER + "/mine.txt"), token=user_token(
        "53535353-0000-4000-8000-000000000002"))
    check("another user cannot read it (404, nothing fetched)", st in (400, 404), st)


def test_cut_upload():
    n = store_count()
    s = socket.create_connection((U.hostname, U.port), timeout=10)
    s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\napikey: %s\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/octet-stream\r\nContent-Length: 2000000\r\n\r\n"
               % (obj("s3t", "cut/cut.bin"), ANON, SERVICE)).encode())
    s.sendall(b"z" * 300000)
    s.close()
    time.sleep(1.0)
    check("an upload cut mid-body: no row, nothing in the store or the spool",
          row("cut/cut.bin") is None and store_count() == n and not spool_files(),
          (store_count(), n, spool_files()))


def is_503_json(st, body):
    try:
        j = json.loads(body)
    except ValueError:
        return False
    return st == 503 and j.get("statusCode") == "503" and "unavailable" in j.get("error", "")


def test_store_down():
    upload("down/kept.txt", b"kept", content_type="text/plain")
    upload("down/gone.txt", b"deleted while the store is down", content_type="text/plain")
    gone = row("down/gone.txt")
    scripts_dev("s3", "stop")
    try:
        st, _, body = request("DELETE", obj("s3t", "down/gone.txt"))
        check("store down: a delete still removes the row, and queues the version",
              st == 200 and row("down/gone.txt") is None and
              psql("select count(*) from storage.garbage where object_id = '%s'" % gone[0]) == "1",
              (st, body[:200]))
        st, _, body = upload("down/new.txt", b"never stored", content_type="text/plain")
        check("store down: upload 503 JSON, no row, nothing spooled",
              is_503_json(st, body) and row("down/new.txt") is None and not spool_files(),
              (st, body[:200], spool_files()))
        st, h, body = request("GET", obj("s3t", "down/kept.txt"))
        check("store down: download 503 JSON without the object's ETag, not cacheable",
              is_503_json(st, body) and not h.get("ETag") and h.get("Cache-Control") == "no-store",
              (st, dict(h), body[:200]))
        st, _, body = post_json("/object/copy", {"bucketId": "s3t", "sourceKey": "down/kept.txt",
                                                 "destinationKey": "down/copy.txt"})
        check("store down: copy 503 JSON, no row", is_503_json(st, body) and
              row("down/copy.txt") is None, (st, body[:200]))
    finally:
        scripts_dev("s3", "start")
    st, _, got = request("GET", obj("s3t", "down/kept.txt"))
    check("store back: the object downloads again", st == 200 and got == b"kept", st)
    check("store back: the deleted object's bytes are still in the store", stored(*gone) is not None)
    psql("update storage.garbage set queued_at = now() - interval '2 minutes'")
    rc, out = storage_cleanup()
    check("`pgstack storage cleanup` removes them from the store and drops the queue row",
          rc == 0 and stored(*gone) is None and
          psql("select count(*) from storage.garbage where object_id = '%s'" % gone[0]) == "0", out)


def test_redirect():
    data = b"redirected bytes " * 100
    upload("red/r.txt", data, content_type="text/plain")
    workers_with("STORAGE_S3_REDIRECT=true", "STORAGE_S3_REDIRECT_EXPIRY=30")
    st, h, _ = request("GET", obj("s3t", "red/r.txt"))
    loc = h.get("Location") or ""
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
    check("STORAGE_S3_REDIRECT=true: 302 to the store with a SigV4 presigned query, 30 s",
          st == 302 and loc.startswith(ENV["S3_TEST_ENDPOINT"] + "/") and
          q.get("X-Amz-Expires") == ["30"] and q.get("X-Amz-Signature") and
          h.get("Cache-Control") == "no-store", (st, dict(h)))
    st, h2, got = request("GET", loc[len(ENV["S3_TEST_ENDPOINT"]):], token=None,
                          base=ENV["S3_TEST_ENDPOINT"])
    check("the presigned URL: the store checks it and sends the bytes with the stored type",
          st == 200 and got == data and h2.get("Content-Type") == "text/plain", (st, dict(h2)))
    st, _, got = request("GET", loc[len(ENV["S3_TEST_ENDPOINT"]):], token=None,
                         base=ENV["S3_TEST_ENDPOINT"], headers={"Range": "bytes=0-7"})
    check("the presigned URL serves a Range", st == 206 and got == data[:8], st)
    forged = loc.replace("X-Amz-Expires=30", "X-Amz-Expires=600")
    st, _, _ = request("GET", forged[len(ENV["S3_TEST_ENDPOINT"]):], token=None,
                       base=ENV["S3_TEST_ENDPOINT"])
    check("a presigned URL with its expiry changed: the store refuses it (403)", st == 403, st)
    etag = request("HEAD", obj("s3t", "red/r.txt"))[1].get("ETag")
    st, _, _ = request("GET", obj("s3t", "red/r.txt"), headers={"If-None-Match": etag})
    check("redirect mode: If-None-Match still answers 304 in pgstack", st == 304, st)
    st, h, _ = request("GET", obj("s3t", "red/r.txt") + "?download")
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(h.get("Location") or "").query)
    check("?download: the presigned URL asks the store for Content-Disposition: attachment",
          st == 302 and q.get("response-content-disposition") == ["attachment"], (st, q))
    st, h, _ = request("GET", AREA + "/object/public/s3pub/p/pub.txt", token=None)
    check("public downloads redirect too", st == 302 and "X-Amz-Signature=" in
          (h.get("Location") or ""), st)
    st, _, body = post_json("/object/sign/s3t/red/r.txt", {"expiresIn": 60})
    url = json.loads(body).get("signedURL", "") if st == 200 else ""
    st, h, _ = request("GET", AREA + url, token=None)
    loc = h.get("Location") or ""
    st2, _, got = request("GET", loc[len(ENV["S3_TEST_ENDPOINT"]):], token=None,
                          base=ENV["S3_TEST_ENDPOINT"]) if loc else (0, None, b"")
    check("signed URL downloads redirect too, and the store serves them",
          st == 302 and st2 == 200 and got == data, (st, st2))
    st, _, _ = request("GET", obj("s3t", "red/missing.txt"))
    check("a missing object is still 404 (no redirect)", st == 404, st)


def test_wrong_secret():
    log_path = os.path.join(DEV, "logs", "storage.log")
    workers_with("STORAGE_S3_SECRET_KEY=not-the-secret")
    start = os.path.getsize(log_path)
    try:
        st, _, body = upload("wrong/secret.txt", b"refused", content_type="text/plain")
        check("a wrong STORAGE_S3_SECRET_KEY: the store refuses the signature, 503, no row",
              is_503_json(st, body) and row("wrong/secret.txt") is None, (st, body[:200]))
        with open(log_path, errors="replace") as f:
            f.seek(start)
            log = f.read()
        check("the log names SignatureDoesNotMatch and never the secret",
              "SignatureDoesNotMatch" in log and "not-the-secret" not in log, "")
    finally:
        workers_with()


def storage_cleanup():
    """`pgstack storage cleanup` with the settings the workers run with."""
    env = dict(os.environ, PGSTACK_CONFIG=os.path.join(DEV, "pgstack.conf"))
    env.update(kv.split("=", 1) for kv in S3_SETTINGS)
    out = subprocess.run([os.path.join(DEV, "build", "pgstack"), "storage", "cleanup"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60,
                         env=env)
    return out.returncode, out.stdout


def doctor(*extra):
    env = dict(os.environ, PGSTACK_CONFIG=os.path.join(DEV, "pgstack.conf"),
               REALTIME_ADDR=ENV.get("REALTIME_ADDR", "127.0.0.1:4000"))
    env.update(kv.split("=", 1) for kv in S3_SETTINGS + list(extra))
    out = subprocess.run([os.path.join(DEV, "build", "pgstack"), "doctor", "--run-dir",
                          os.path.join(DEV, "run"), "--url", BASE, "--database-url",
                          ENV["DATABASE_URL"], "--dir", os.path.join(ROOT, "sql")],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60,
                         env=env)
    return [line for line in out.stdout.splitlines() if "S3 store" in line]


def test_doctor():
    lines = doctor()
    check("pgstack doctor: the S3 store is reachable with the keys",
          len(lines) == 1 and lines[0].startswith("ok   storage S3 store reachable"), lines)
    lines = doctor("STORAGE_S3_SECRET_KEY=not-the-secret")
    check("pgstack doctor: a wrong secret is a FAIL naming the keys, not the secret",
          len(lines) == 1 and lines[0].startswith("FAIL") and "403" in lines[0] and
          "not-the-secret" not in lines[0], lines)
    lines = doctor("STORAGE_S3_BUCKET=no-such-bucket")
    check("pgstack doctor: a missing bucket is a FAIL naming it",
          len(lines) == 1 and lines[0].startswith("FAIL") and "no-such-bucket" in lines[0], lines)


def test_bucket_empty():
    n = store_count()
    ids = psql("select count(*) from storage.objects where bucket_id = 's3t'")
    st, _, body = request("POST", AREA + "/bucket/s3t/empty", headers={
        "Content-Type": "application/json"}, body=b"{}")
    check("bucket empty: its objects leave the store",
          st == 200 and store_count() == n - int(ids), (st, body[:200], n, ids, store_count()))


def teardown():
    cleanup()


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_upload_lands_in_the_store, test_multipart_upload,
                               test_range_and_etag, test_upsert_copy_move_delete,
                               test_public_signed_and_tus, test_rls_refusal_stores_nothing,
                               test_cut_upload,
                               test_store_down, test_redirect, test_wrong_secret,
                               test_doctor, test_bucket_empty], teardown))
