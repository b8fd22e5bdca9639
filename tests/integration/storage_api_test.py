#!/usr/bin/env python3
"""Storage (/storage/v1) against the running stack: buckets, uploads (raw
and multipart, upsert, metadata), downloads through the web server's
X-Sendfile (headers, Range, If-None-Match, HEAD, a 5 MB file identical by
hash), info, list (both shapes), delete, move, copy; MIME types judged by
content (a real PNG passes, a script declared image/png does not); limits
(a 1KB bucket, a 51 MB body); hostile input (every traversal spelling, bad
names, bad JSON) with nothing created in the database or on disk; an upload
cut mid-body leaves no object; row-level security with two users and anon
under policies written as Supabase users write them; signed download and
upload URLs with tampering and expiry. Standard library only."""
import hashlib
import http.client
import json
import os
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (ANON, BASE, ROOT, SERVICE, call, check, psql, run_suite,  # noqa: E402
                     user_token)

AREA = "/storage/v1"
STORE = os.path.join(ROOT, ".dev", "storage")
USER_A = "aaaaaaaa-0000-4000-8000-00000000000a"
USER_B = "bbbbbbbb-0000-4000-8000-00000000000b"
TOKEN_A = user_token(USER_A)
TOKEN_B = user_token(USER_B)
# Apache answers a path with an encoded NUL with its own 404 (JSON error
# document) before any worker sees it; lighttpd passes it and the worker
# answers 400.
with open(os.path.join(ROOT, ".dev", "server")) as f:
    SERVER = f.read().strip()
BUCKETS = ["st-main", "st-img", "st-tiny", "st-rls", "st-pub", "st-del"]


def png_bytes():
    import struct
    import zlib

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PNG = png_bytes()
SCRIPT = b"#!/bin/sh\nrm -rf /\n"


def st(path, method="GET", token=SERVICE, headers=None, body=None, query="",
       content_type="application/json"):
    return call(path, query, method=method, token=token, headers=headers, body=body, area=AREA,
                content_type=content_type)


def quote(key):
    return urllib.parse.quote(key, safe="/")


def upload(bucket, key, data, token=SERVICE, content_type="text/plain", headers=None,
           method="POST"):
    return st("/object/%s/%s" % (bucket, quote(key)), method=method, token=token, body=data,
              content_type=content_type, headers=headers)


def raw_request(method, path, token=SERVICE, body=None, headers=None):
    """A request whose path is sent exactly as given (no normalisation)."""
    u = urllib.parse.urlsplit(BASE)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    h = {"apikey": ANON, "Authorization": "Bearer " + token}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data, r.headers


def object_count(bucket=None):
    where = " where bucket_id = '%s'" % bucket if bucket else ""
    return int(psql("select count(*) from storage.objects" + where))


def stored_files():
    out = []
    for d, _, files in os.walk(os.path.join(STORE, "objects")):
        out.extend(os.path.join(d, f) for f in files)
    return sorted(out)


def temp_files():
    tmp = os.path.join(STORE, "tmp")
    return os.listdir(tmp) if os.path.isdir(tmp) else []


# ------------------------------------------------------------------ fixture

POLICIES = """
drop policy if exists st_insert_own on storage.objects;
drop policy if exists st_select_own on storage.objects;
drop policy if exists st_delete_own on storage.objects;
drop policy if exists st_select_shared on storage.objects;
create policy st_insert_own on storage.objects for insert to authenticated
  with check (bucket_id = 'st-rls' and (storage.foldername(name))[1] = auth.uid()::text);
create policy st_select_own on storage.objects for select to authenticated
  using (bucket_id = 'st-rls' and owner_id = (select auth.uid()::text));
create policy st_delete_own on storage.objects for delete to authenticated
  using (bucket_id = 'st-rls' and owner = auth.uid());
create policy st_select_shared on storage.objects for select to authenticated
  using (bucket_id = 'st-rls' and (storage.foldername(name))[1] = 'shared');
"""


def cleanup():
    psql("set storage.allow_delete_query = 'true'; delete from storage.objects where bucket_id"
         " like 'st-%'; delete from storage.buckets where id like 'st-%';" + POLICIES.split(
             "create policy")[0])


def setup():
    cleanup()
    for body in ({"name": "st-main"}, {"id": "st-img", "allowed_mime_types": ["image/*"]},
                 {"id": "st-tiny", "file_size_limit": "1KB"}, {"id": "st-rls"},
                 {"id": "st-pub", "public": True}, {"id": "st-del"}):
        r = st("/bucket", "POST", body=body)
        if r.status != 201:
            raise RuntimeError("bucket %s: %r" % (body, r))
    psql(POLICIES)


# ------------------------------------------------------------------ buckets

def test_buckets():
    r = st("/bucket", "POST", body={"id": "st-x", "name": "ignored", "public": True,
                                     "file_size_limit": "2MB"})
    check("create bucket: 201 with id, name, public, file_size_limit (\"2MB\" = 2000000)",
          r.status == 201 and r.json["id"] == "st-x" and r.json["name"] == "st-x" and
          r.json["public"] is True and r.json["file_size_limit"] == 2000000 and
          "created_at" in r.json, r)
    r = st("/bucket", "POST", body={"name": "st-x"})
    check("create bucket twice: 409 The resource already exists",
          r.status == 409 and r.json["error"] == "The resource already exists", r)
    r = st("/bucket", "POST", token=TOKEN_A, body={"name": "st-y"})
    check("create bucket as a user: 403", r.status == 403 and "error" in r.json, r)
    r = st("/bucket/st-main")
    check("get bucket: default file_size_limit 52428800, allowed_mime_types null",
          r.status == 200 and r.json["file_size_limit"] == 52428800 and
          r.json["allowed_mime_types"] is None, r)
    r = st("/bucket")
    ids = [b["id"] for b in r.json] if r.status == 200 else []
    check("list buckets (service_role) has every bucket", all(b in ids for b in BUCKETS), r)
    r = st("/bucket", token=TOKEN_A)
    check("list buckets as a user without a policy on storage.buckets: []",
          r.status == 200 and r.json == [], r)
    r = st("/bucket/st-x", "PUT", body={"public": False, "allowed_mime_types": ["text/plain"]})
    r2 = st("/bucket/st-x")
    check("update bucket: only the given fields change",
          r.status == 200 and r2.json["public"] is False and
          r2.json["allowed_mime_types"] == ["text/plain"] and
          r2.json["file_size_limit"] == 2000000, (r, r2))
    check("get missing bucket: 404 Bucket not found",
          st("/bucket/st-none").status == 404, "")
    for bad in ({"name": "a/b"}, {"name": ".."}, {"name": ""}, {"name": "x" * 101}, {}):
        r = st("/bucket", "POST", body=bad)
        check("create bucket %r: 400" % (bad,)[:60], r.status == 400 and "error" in r.json, r)
    r = st("/bucket", "POST", body="{not json")
    check("create bucket with bad JSON: 400", r.status == 400 and "error" in r.json, r)
    r = st("/bucket", "POST", body={"name": "st-z", "file_size_limit": "lots"})
    check("create bucket with file_size_limit \"lots\": 400", r.status == 400, r)
    r = st("/bucket", "POST", body={"name": "st-z", "public": "yes"})
    check("create bucket with public \"yes\": 400", r.status == 400, r)
    upload("st-x", "a.txt", b"x")
    r = st("/bucket/st-x", "DELETE")
    check("delete a non-empty bucket: 409", r.status == 409 and "not empty" in r.json["error"], r)
    r = st("/bucket/st-x/empty", "POST", body={})
    check("empty bucket: 200, no objects left",
          r.status == 200 and object_count("st-x") == 0, r)
    r = st("/bucket/st-x", "DELETE")
    check("delete bucket: {\"message\": \"bucket deleted\"}",
          r.status == 200 and r.json == {"message": "bucket deleted"}, r)
    r = st("/bucket/st-x", "DELETE", token=TOKEN_A)
    check("delete bucket as a user: 403", r.status == 403, r)


# ------------------------------------------------------------------ objects

def test_upload_download():
    r = upload("st-main", "docs/hello.txt", b"hello world\n")
    check("upload: 200 with id, key, Id, Key = bucket/path",
          r.status == 200 and r.json["key"] == "st-main/docs/hello.txt" and
          r.json["Key"] == r.json["key"] and r.json["Id"] == r.json["id"], r)
    r = upload("st-main", "docs/hello.txt", b"again")
    check("upload an existing key: 409 The resource already exists",
          r.status == 409 and r.json["message"] == "The resource already exists", r)
    r = upload("st-main", "docs/hello.txt", b"hello again\n", headers={"x-upsert": "true"})
    check("upload with x-upsert: true replaces it", r.status == 200, r)
    files_before = stored_files()
    r = st("/object/st-main/docs/hello.txt")
    check("download: the bytes", r.status == 200 and r.text == "hello again\n", r)
    check("download headers: Content-Type, nosniff, Cache-Control, ETag, Last-Modified, "
          "Accept-Ranges, Content-Length",
          r.header("Content-Type") == "text/plain" and
          r.header("X-Content-Type-Options") == "nosniff" and
          r.header("Cache-Control") == "max-age=3600" and
          r.header("ETag") == '"%s"' % hashlib.md5(b"hello again\n").hexdigest() and
          r.header("Last-Modified", ) and r.header("Accept-Ranges") == "bytes" and
          r.header("Content-Length") == "12", dict(r.headers))
    check("download: no X-Sendfile header or storage path reaches the client",
          not r.header("X-Sendfile") and not r.header("X-Sendfile2") and
          STORE not in str(r.headers), dict(r.headers))
    check("upsert removed the replaced version's file", len(files_before) == len(
        [f for f in stored_files() if f in files_before]) and
        len([f for f in stored_files() if "/objects/" in f]) >= 1, files_before)
    r = st("/object/authenticated/st-main/docs/hello.txt")
    check("GET /object/authenticated/...: the bytes", r.status == 200 and r.text == "hello again\n",
          r)
    r = st("/object/st-main/docs/hello.txt", headers={"Range": "bytes=0-4"})
    check("Range: 206 with Content-Range", r.status == 206 and r.text == "hello" and
          r.header("Content-Range") == "bytes 0-4/12", (r, dict(r.headers)))
    r = st("/object/st-main/docs/hello.txt", headers={"Range": "bytes=100-200"})
    check("Range past the end: 416", r.status == 416, r)
    etag = '"%s"' % hashlib.md5(b"hello again\n").hexdigest()
    r = st("/object/st-main/docs/hello.txt", headers={"If-None-Match": etag})
    check("If-None-Match: 304", r.status == 304 and r.text == "", r)
    r = st("/object/st-main/docs/hello.txt", "HEAD")
    check("HEAD: 200 with Content-Length and no body",
          r.status == 200 and r.header("Content-Length") == "12" and r.text == "", r)
    r = st("/object/st-main/docs/missing.txt", "HEAD")
    check("HEAD missing: 404", r.status == 404, r)
    r = st("/object/st-main/docs/missing.txt")
    check("download missing: 404 Object not found",
          r.status == 404 and r.json["error"] == "Object not found", r)
    r = st("/object/st-none/x.txt")
    check("download from a missing bucket: 404", r.status == 404, r)
    r = st("/object/info/st-main/docs/hello.txt")
    check("info: id, name, size, content_type, etag",
          r.status == 200 and r.json["name"] == "docs/hello.txt" and r.json["size"] == 12 and
          r.json["content_type"] == "text/plain" and r.json["etag"] == etag, r)
    check("?download: attachment", st("/object/st-main/docs/hello.txt", query="download").header(
        "Content-Disposition") == "attachment", "")
    cd = st("/object/st-main/docs/hello.txt", query="download=r%C3%A9sum%C3%A9.txt").header(
        "Content-Disposition")
    check("?download=name: attachment with filename*=UTF-8''",
          cd and cd.startswith("attachment; filename=") and
          "filename*=UTF-8''r%C3%A9sum%C3%A9.txt" in cd, cd)


def test_unicode_keys():
    key = "fotos/été 2024/Ünïcødé ✓ (1) #&+.txt"
    r = upload("st-main", key, b"u")
    check("a Unicode key with spaces and punctuation is accepted", r.status == 200, r)
    r = st("/object/st-main/" + quote(key))
    check("... and downloaded by that key", r.status == 200 and r.text == "u", r)


def multipart(fields, file_data, file_type, boundary="----pgstackBoundary7MA4YWxk"):
    out = b""
    for name, value in fields:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" %
                (boundary, name, value)).encode()
    out += ("--%s\r\nContent-Disposition: form-data; name=\"\"; filename=\"blob\"\r\n"
            "Content-Type: %s\r\n\r\n" % (boundary, file_type)).encode()
    out += file_data + ("\r\n--%s--\r\n" % boundary).encode()
    return out, "multipart/form-data; boundary=" + boundary


def test_multipart_and_metadata():
    body, ctype = multipart([("cacheControl", "120"), ("metadata", '{"owner":"ann"}')],
                            PNG, "image/png")
    r = upload("st-img", "forms/dot.png", body, content_type=ctype)
    check("multipart upload (storage-js form: file field \"\"): 200", r.status == 200, r)
    r = st("/object/st-img/forms/dot.png")
    check("multipart: the file part's bytes, type and cacheControl",
          r.status == 200 and r.header("Content-Type") == "image/png" and
          r.header("Cache-Control") == "max-age=120" and
          r.header("Content-Length") == str(len(PNG)), (r.status, dict(r.headers)))
    i = st("/object/info/st-img/forms/dot.png")
    check("multipart metadata field -> user metadata", i.json["metadata"] == {"owner": "ann"}, i)
    import base64
    meta = base64.b64encode(b'{"k": 1}').decode()
    r = upload("st-main", "meta.txt", b"m", headers={"x-metadata": meta})
    i = st("/object/info/st-main/meta.txt")
    check("x-metadata (base64 JSON) -> user metadata",
          r.status == 200 and i.json["metadata"] == {"k": 1}, i)
    r = upload("st-main", "meta2.txt", b"m", headers={"x-metadata": "bm90IGpzb24="})
    check("x-metadata that is not a JSON object: 400", r.status == 400, r)
    bad, ctype = b"--x\r\nno headers end", "multipart/form-data; boundary=x"
    r = upload("st-main", "bad-form.txt", bad, content_type=ctype)
    check("malformed multipart body: 400", r.status == 400 and "error" in r.json, r)


def test_mime():
    r = upload("st-img", "ok.png", PNG, content_type="image/png")
    check("a real PNG passes an image/* allowlist", r.status == 200, r)
    r = upload("st-img", "evil.png", SCRIPT, content_type="image/png")
    check("a shell script declared image/png: 415 naming the sniffed type",
          r.status == 415 and "text/x-shellscript" in r.json["error"], r)
    r = upload("st-main", "evil.png", SCRIPT, content_type="image/png")
    check("... refused even without an allowlist (STORAGE_STRICT_MIME)",
          r.status == 415 and r.json["code"] == "InvalidMimeType", r)
    r = upload("st-img", "text.png", b"just some words\n", content_type="image/png")
    check("text declared image/png: 415", r.status == 415, r)
    r = upload("st-img", "page.txt", b"just some words\n", content_type="text/plain")
    check("text in an image/* bucket: 415 mime type text/plain is not supported",
          r.status == 415 and r.json["error"] == "mime type text/plain is not supported", r)
    elf = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\x3e\x00" + b"\x00" * 100
    r = upload("st-main", "a.out.jpg", elf, content_type="image/jpeg")
    check("an ELF declared image/jpeg: 415", r.status == 415, r)
    r = upload("st-main", "png-as-text", PNG, content_type="text/plain;charset=UTF-8")
    i = st("/object/info/st-main/png-as-text")
    check("a PNG sent with storage-js's default text/plain is stored as image/png",
          r.status == 200 and i.json["content_type"] == "image/png", i)
    r = upload("st-main", "page.html", b"<html><body><script>alert(1)</script></body></html>",
               content_type="text/html")
    d = st("/object/st-main/page.html")
    check("HTML is served as an attachment with nosniff",
          r.status == 200 and d.header("Content-Disposition") == "attachment" and
          d.header("X-Content-Type-Options") == "nosniff", dict(d.headers))


def test_limits():
    r = upload("st-tiny", "small.txt", b"x" * 900)
    check("1KB bucket: 900 bytes pass", r.status == 200, r)
    r = upload("st-tiny", "big.txt", b"x" * 2000)
    check("1KB bucket: 2000 bytes -> 413 The object exceeded the maximum allowed size",
          r.status == 413 and r.json["message"] ==
          "The object exceeded the maximum allowed size", r)
    body, ctype = multipart([], b"y" * 2000, "text/plain")
    r = upload("st-tiny", "big-form.txt", body, content_type=ctype)
    check("1KB bucket: a 2000-byte multipart file -> 413", r.status == 413, r)
    before = object_count()
    r = upload("st-main", "huge.bin", b"\0" * (51 * 1024 * 1024),
               content_type="application/octet-stream")
    check("a 51 MB body: 413 JSON", r.status == 413 and r.json is not None, r)
    check("... and nothing was stored", object_count() == before and not temp_files(),
          temp_files())


def test_big_download():
    data = os.urandom(5 * 1024 * 1024)
    r = upload("st-main", "big/5mb.bin", data, content_type="application/octet-stream")
    d = st("/object/st-main/big/5mb.bin")
    u = urllib.parse.urlsplit(BASE)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("GET", AREA + "/object/st-main/big/5mb.bin",
                 headers={"apikey": ANON, "Authorization": "Bearer " + SERVICE})
    resp = conn.getresponse()
    got = resp.read()
    conn.close()
    check("5 MB upload and download identical by SHA-256",
          r.status == 200 and d.status == 200 and
          hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest(), r)


def test_cut_upload():
    before = object_count()
    u = urllib.parse.urlsplit(BASE)
    s = socket.create_connection((u.hostname, u.port), timeout=10)
    s.sendall(("POST %s/object/st-main/cut.bin HTTP/1.1\r\nHost: x\r\napikey: %s\r\n"
               "Authorization: Bearer %s\r\nContent-Type: application/octet-stream\r\n"
               "Content-Length: 2000000\r\n\r\n" % (AREA, ANON, SERVICE)).encode())
    s.sendall(b"z" * 300000)
    s.close()
    time.sleep(1.0)
    r = st("/object/info/st-main/cut.bin")
    check("an upload cut mid-body leaves no object (row, file or temp file)",
          r.status == 404 and object_count() == before and not temp_files(), (r, temp_files()))


TRAVERSALS = [
    "../x", "a/../b", "a/./b", "./a", "a/..", "%2e%2e/x", "a/%2E%2E/b", "a/.%2e/b",
    "a%2fb", "a%2F..%2Fb", "%2e%2e%2fetc%2fpasswd", "a%5cb", "a%5c..%5cb", "%5cserver%5cshare",
    "a%00b", "/etc/passwd", "//server/share", "C:/Windows/x", "c:%5cwin", "a//b", "a/b/",
    "a%01b", "..", ".",
]


def test_traversal():
    rows, files = object_count(), stored_files()
    for spelling in TRAVERSALS:
        status, data, _ = raw_request("POST", AREA + "/object/st-main/" + spelling,
                                      body=b"payload", headers={"Content-Type": "text/plain"})
        try:
            body = json.loads(data)
        except ValueError:
            body = None
        want = (400, 404) if "%00" in spelling and SERVER == "apache" else (400,)
        check("upload key %s: 400 JSON" % spelling, status in want and isinstance(body, dict) and
              "error" in body, (status, data[:200]))
        status, data, _ = raw_request("GET", AREA + "/object/st-main/" + spelling)
        check("download key %s: 400" % spelling, status in want, (status, data[:200]))
    status, _, _ = raw_request("POST", AREA + "/object/st-main%2f..%2fst-img/x.png", body=b"x")
    check("encoded slash in the bucket segment: 400", status == 400, status)
    status, _, _ = raw_request("POST", AREA + "/object/..%5cst-img/x.png", body=b"x")
    check("backslash bucket: 400", status == 400, status)
    for field, value in (("sourceKey", "../x"), ("destinationKey", "a/../../b"),
                         ("destinationKey", "/abs"), ("destinationKey", "a\\b"),
                         ("destinationBucket", "../st-img")):
        body = {"bucketId": "st-main", "sourceKey": "docs/hello.txt", "destinationKey": "n.txt"}
        body[field] = value
        for op in ("move", "copy"):
            r = st("/object/" + op, "POST", body=body)
            check("%s with %s %r: 400" % (op, field, value), r.status == 400, r)
    r = st("/object/st-main", "DELETE", body={"prefixes": ["ok.txt", "../../x"]})
    check("bulk delete with a traversal prefix: 400", r.status == 400, r)
    r = st("/object/sign/st-main", "POST", body={"expiresIn": 60, "paths": ["a/../b"]})
    check("sign many with a traversal path: 400", r.status == 400, r)
    check("traversal attempts created nothing in the database or on disk",
          object_count() == rows and stored_files() == files and not temp_files(),
          (object_count(), rows))


def test_bad_json():
    for path, body in (("/object/move", "{"), ("/object/copy", "[1]"),
                       ("/object/list/st-main", "nope"), ("/object/sign/st-main/docs/hello.txt",
                                                           "{\"expiresIn\": \"soon\"}")):
        r = st(path, "POST", body=body)
        check("POST %s with %s: 400 JSON" % (path, body), r.status == 400 and "error" in r.json, r)
    r = st("/object/list/st-main", "POST", body={"limit": -1})
    check("list with a negative limit: 400", r.status == 400, r)
    r = st("/object/st-main", "DELETE", body={"prefixes": "x"})
    check("bulk delete with prefixes not an array: 400", r.status == 400, r)
    r = st("/render/image/public/st-pub/none.png", query="width=10")
    check("image transform of a missing object: 404 JSON (storage_image_test.py has the rest)",
          r.status == 404 and r.json["error"] == "Object not found", r)


def test_list_move_copy_delete():
    for key in ("l/a.txt", "l/b.txt", "l/sub/c.txt", "l/sub/deeper/d.txt"):
        upload("st-main", key, b"x")
    r = st("/object/list/st-main", "POST", body={"prefix": "l", "limit": 100, "offset": 0,
                                                  "sortBy": {"column": "name", "order": "asc"}})
    names = [(e["name"], e["id"] is None) for e in r.json] if r.status == 200 else []
    check("POST list: one folder level, names relative, folders with null id",
          names == [("a.txt", False), ("b.txt", False), ("sub", True)], r)
    r = st("/object/list/st-main", "POST", body={"prefix": "l/", "search": "B"})
    check("POST list search: case-insensitive prefix",
          r.status == 200 and [e["name"] for e in r.json] == ["b.txt"], r)
    r = st("/object/list/st-main", "POST", body={"prefix": "l", "limit": 1, "offset": 1,
                                                  "sortBy": {"column": "name", "order": "desc"}})
    check("POST list limit/offset/desc", r.status == 200 and [e["name"] for e in r.json] ==
          ["b.txt"], r)
    r = st("/object/list/st-main", query="prefix=l/sub/")
    check("GET list ?prefix=: flat, full names, size, mime_type",
          r.status == 200 and [e["name"] for e in r.json] == ["l/sub/c.txt", "l/sub/deeper/d.txt"]
          and r.json[0]["size"] == 1 and r.json[0]["mime_type"] == "text/plain", r)
    r = st("/object/move", "POST", body={"bucketId": "st-main", "sourceKey": "l/a.txt",
                                          "destinationKey": "m/a.txt"})
    check("move: 200, old key gone, new key serves the bytes",
          r.status == 200 and st("/object/st-main/l/a.txt").status == 404 and
          st("/object/st-main/m/a.txt").text == "x", r)
    r = st("/object/move", "POST", body={"bucketId": "st-main", "sourceKey": "l/b.txt",
                                          "destinationKey": "m/a.txt"})
    check("move onto an existing key: 409", r.status == 409, r)
    r = st("/object/move", "POST", body={"bucketId": "st-main", "sourceKey": "nope",
                                          "destinationKey": "m/z.txt"})
    check("move a missing object: 404", r.status == 404, r)
    r = st("/object/copy", "POST", body={"bucketId": "st-main", "sourceKey": "m/a.txt",
                                          "destinationKey": "c/a.txt",
                                          "destinationBucket": "st-del"})
    check("copy to another bucket: 200 with Key", r.status == 200 and
          r.json["Key"] == "st-del/c/a.txt" and st("/object/st-del/c/a.txt").text == "x" and
          st("/object/st-main/m/a.txt").text == "x", r)
    r = st("/object/copy", "POST", body={"bucketId": "st-main", "sourceKey": "m/a.txt",
                                          "destinationKey": "x", "destinationBucket": "st-none"})
    check("copy to a missing bucket: 404", r.status == 404, r)
    files = len(stored_files())
    r = st("/object/st-main/m/a.txt", "DELETE")
    check("delete: {\"message\": \"object deleted\"}, its file removed",
          r.status == 200 and r.json == {"message": "object deleted"} and
          len(stored_files()) == files - 1, r)
    check("the copy survives the source's delete", st("/object/st-del/c/a.txt").text == "x", "")
    r = st("/object/st-main/m/a.txt", "DELETE")
    check("delete again: 404", r.status == 404, r)
    r = st("/object/st-main", "DELETE", body={"prefixes": ["l/b.txt", "l/sub/c.txt", "nope"]})
    check("bulk delete: the array of deleted objects",
          r.status == 200 and sorted(o["name"] for o in r.json) == ["l/b.txt", "l/sub/c.txt"], r)
    try:
        psql("delete from storage.objects where bucket_id = 'st-main'")
        refused = False
    except RuntimeError as e:
        refused = "Direct deletion" in str(e)
    check("DELETE FROM storage.objects in SQL is refused (files would be orphaned)", refused, "")


def test_public():
    upload("st-pub", "p/dot.png", PNG, content_type="image/png")
    status, data, headers = raw_request("GET", AREA + "/object/public/st-pub/p/dot.png",
                                        token="", headers={"apikey": "", "Authorization": ""})
    check("public bucket: download with no credentials", status == 200 and data == PNG, status)
    upload("st-main", "private.txt", b"secret")
    status, data, _ = raw_request("GET", AREA + "/object/public/st-main/private.txt", token="",
                                  headers={"apikey": "", "Authorization": ""})
    check("public URL of a private bucket: 404 JSON", status == 404 and b"error" in data, status)
    r = st("/object/st-main/private.txt", token=None)
    check("anon key cannot download from a private bucket without a policy", r.status == 404, r)


# ------------------------------------------------------------------ RLS

def test_rls():
    r = upload("st-rls", USER_A + "/a.txt", b"from A", token=TOKEN_A)
    check("user A uploads into its folder (INSERT policy with storage.foldername)",
          r.status == 200, r)
    owner = psql("select owner::text || ' ' || owner_id from storage.objects where "
                 "bucket_id = 'st-rls' and name = '%s/a.txt'" % USER_A)
    check("owner and owner_id come from the JWT sub", owner == USER_A + " " + USER_A, owner)
    r = upload("st-rls", USER_B + "/a.txt", b"from A", token=TOKEN_A)
    check("user A uploading into B's folder: 403 naming the insert policy",
          r.status == 403 and "insert" in r.json["error"], r)
    check("... and nothing is stored", not temp_files() and object_count("st-rls") == 1, "")
    r = upload("st-rls", USER_A + "/anon.txt", b"x", token=None)
    check("anon upload: 403", r.status == 403, r)
    r = upload("st-rls", USER_A + "/a.txt", b"new", token=TOKEN_A, headers={"x-upsert": "true"})
    check("upsert without an UPDATE policy: 403 naming the update policy",
          r.status == 403 and "update" in r.json["error"], r)
    r = st("/object/st-rls/%s/a.txt" % USER_A, token=TOKEN_A)
    check("A downloads its object", r.status == 200 and r.text == "from A", r)
    r = st("/object/st-rls/%s/a.txt" % USER_A, token=TOKEN_B)
    check("B cannot download A's object: 404", r.status == 404, r)
    r = st("/object/list/st-rls", "POST", token=TOKEN_B, body={"prefix": USER_A})
    check("B lists A's folder: []", r.status == 200 and r.json == [], r)
    r = st("/object/list/st-rls", "POST", token=TOKEN_A, body={"prefix": USER_A})
    check("A lists its folder", r.status == 200 and [e["name"] for e in r.json] == ["a.txt"], r)
    psql("set storage.allow_delete_query = 'true';"
         " insert into storage.objects (bucket_id, name, owner_id, metadata, version)"
         " values ('st-rls', 'shared/s.txt', '%s', '{}', 'none')" % USER_B)
    r = st("/object/st-rls/shared/s.txt", "DELETE", token=TOKEN_A)
    check("delete an object A sees but may not delete: 403 naming the delete policy",
          r.status == 403 and "delete" in r.json["error"], r)
    r = st("/object/st-rls/%s/a.txt" % USER_A, "DELETE", token=TOKEN_B)
    check("B deleting A's invisible object: 404", r.status == 404, r)
    r = st("/object/move", "POST", token=TOKEN_A, body={
        "bucketId": "st-rls", "sourceKey": USER_A + "/a.txt", "destinationKey": USER_A + "/b.txt"})
    check("move without an UPDATE policy: 403", r.status == 403, r)
    r = st("/object/sign/st-rls/%s/a.txt" % USER_A, "POST", token=TOKEN_B,
           body={"expiresIn": 60})
    check("B cannot sign A's object: 404", r.status == 404, r)
    r = st("/object/st-rls/%s/a.txt" % USER_A, "DELETE", token=TOKEN_A)
    check("A deletes its object", r.status == 200, r)


# ------------------------------------------------------------------ signed URLs

def test_signed_urls():
    upload("st-main", "s/file.txt", b"signed bytes")
    r = st("/object/sign/st-main/s/file.txt", "POST", body={"expiresIn": 60})
    url = r.json.get("signedURL") if r.status == 200 else None
    check("sign: 200 with a signedURL relative to /storage/v1",
          url and url.startswith("/object/sign/st-main/s/file.txt?token="), r)
    if not url:
        return
    status, data, _ = raw_request("GET", AREA + url, token="",
                                  headers={"apikey": "", "Authorization": ""})
    check("signed URL: download with no headers", status == 200 and data == b"signed bytes",
          status)
    token = url.split("token=", 1)[1]
    status, data, _ = raw_request("GET", AREA + "/object/sign/st-main/other.txt?token=" + token,
                                  token="", headers={"apikey": "", "Authorization": ""})
    check("the token for another path: 400 Invalid signature",
          status == 400 and b"Invalid signature" in data, (status, data))
    head, payload, sig = token.split(".")
    bad = head + "." + payload + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
    status, data, _ = raw_request("GET", AREA + "/object/sign/st-main/s/file.txt?token=" + bad,
                                  token="", headers={"apikey": "", "Authorization": ""})
    check("a tampered token: 400", status == 400, status)
    status, _, _ = raw_request("GET", AREA + "/object/sign/st-main/s/file.txt?token=" + SERVICE,
                               token="", headers={"apikey": "", "Authorization": ""})
    check("an API key is not a URL token: 400", status == 400, status)
    r = st("/object/st-main/s/file.txt", token=token)
    check("a URL token is not an API credential: 401", r.status == 401, r)
    r = st("/object/sign/st-main/s/file.txt", "POST", body={"expiresIn": 1})
    time.sleep(2.1)
    status, data, _ = raw_request("GET", AREA + r.json["signedURL"], token="",
                                  headers={"apikey": "", "Authorization": ""})
    check("an expired token: 400 The provided token has expired.",
          status == 400 and b"The provided token has expired." in data, (status, data))
    r = st("/object/sign/st-main", "POST", body={"expiresIn": 60,
                                                  "paths": ["s/file.txt", "s/none.txt"]})
    ok = r.status == 200 and len(r.json) == 2
    check("sign many: per-path results, error for the missing one",
          ok and r.json[0]["signedURL"] and r.json[0]["error"] is None and
          r.json[1]["signedURL"] is None and r.json[1]["error"], r)


def test_signed_upload():
    r = st("/object/upload/sign/st-rls/%s/up.txt" % USER_A, "POST", token=TOKEN_A, body={})
    check("signed upload URL: url and token", r.status == 200 and r.json.get("token") and
          r.json["url"].startswith("/object/upload/sign/st-rls/%s/up.txt?token=" % USER_A), r)
    if r.status != 200:
        return
    url = r.json["url"]
    status, data, _ = raw_request("PUT", AREA + url, token="", body=b"via signed url",
                                  headers={"apikey": "", "Authorization": "",
                                           "Content-Type": "text/plain"})
    check("PUT to the signed upload URL with no credentials: 200 with Key",
          status == 200 and json.loads(data)["Key"] == "st-rls/%s/up.txt" % USER_A, (status, data))
    owner = psql("select owner_id from storage.objects where bucket_id = 'st-rls' and name ="
                 " '%s/up.txt'" % USER_A)
    check("... written as the signer (owner_id)", owner == USER_A, owner)
    status, data, _ = raw_request("PUT", AREA + url, token="", body=b"again",
                                  headers={"apikey": "", "Authorization": ""})
    check("the same URL again without upsert: 409", status == 409, (status, data))
    token = url.split("token=", 1)[1]
    status, _, _ = raw_request("PUT", AREA + "/object/upload/sign/st-rls/%s/other.txt?token=%s" %
                               (USER_A, token), token="", body=b"x",
                               headers={"apikey": "", "Authorization": ""})
    check("the upload token for another path: 400", status == 400, status)
    r = st("/object/upload/sign/st-rls/%s/up.txt" % USER_B, "POST", token=TOKEN_A, body={})
    check("signing an upload the INSERT policy refuses: 403", r.status == 403, r)
    r = st("/object/sign/st-rls/%s/up.txt" % USER_A, "POST", token=TOKEN_A,
           body={"expiresIn": 60})
    status, _, _ = raw_request("PUT", AREA + "/object/upload/sign/st-rls/%s/up.txt?token=%s" % (
        USER_A, r.json["signedURL"].split("token=")[1]), token="", body=b"x",
        headers={"apikey": "", "Authorization": ""})
    check("a download token cannot upload: 400", status == 400, status)


def main():
    return run_suite(setup, [test_buckets, test_upload_download, test_unicode_keys,
                             test_multipart_and_metadata, test_mime, test_limits,
                             test_big_download, test_cut_upload, test_traversal, test_bad_json,
                             test_list_move_copy_delete, test_public, test_rls,
                             test_signed_urls, test_signed_upload], cleanup)


if __name__ == "__main__":
    sys.exit(main())
