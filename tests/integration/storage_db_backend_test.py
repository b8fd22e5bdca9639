#!/usr/bin/env python3
"""The database backend (STORAGE_BACKEND=database, set for this suite in
suites.conf): object bytes as chunks in storage.object_chunks, written in
the caller's transaction and streamed back by the worker. Uploads (raw,
multipart, a 5 MB object over several chunks, an upload refused by RLS),
downloads identical by hash, HEAD, upsert (the old version's chunks go),
copy (its own chunks, surviving the source's delete), move, delete and
bucket empty (chunks go with the rows), a resumable upload completing into
the database, and no object files on disk. Standard library only."""
import hashlib
import http.client
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, BASE, ROOT, SERVICE, check, psql, run_suite, user_token  # noqa: E402

AREA = "/storage/v1"
OBJECTS = os.path.join(ROOT, ".dev", "storage", "objects")
U = urllib.parse.urlsplit(BASE)
# Apache passes a body the worker streams in chunks as Transfer-Encoding:
# chunked and drops Content-Length from HEAD replies of proxied FastCGI
# responses; lighttpd keeps the worker's Content-Length.
with open(os.path.join(ROOT, ".dev", "server")) as f:
    APACHE = f.read().strip() == "apache"
USER = "dddddddd-0000-4000-8000-00000000000d"


def request(method, path, token=SERVICE, headers=None, body=None):
    conn = http.client.HTTPConnection(U.hostname, U.port, timeout=120)
    h = {"apikey": ANON}
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    if body is None and method in ("POST", "PATCH", "PUT"):
        h.setdefault("Content-Length", "0")
    conn.request(method, AREA + path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.headers, data


def upload(name, data, token=SERVICE, headers=None, content_type="application/octet-stream"):
    h = {"Content-Type": content_type}
    h.update(headers or {})
    return request("POST", "/object/dbb/" + urllib.parse.quote(name), token, h, data)


def chunks(name=None):
    where = "" if name is None else (
        " where object_id = (select id from storage.objects where bucket_id = 'dbb'"
        " and name = '%s')" % name)
    return int(psql("select count(*) from storage.object_chunks" + where))


def object_files():
    if not os.path.isdir(OBJECTS):
        return []
    return [f for _, _, files in os.walk(OBJECTS) for f in files]


def cleanup():
    psql("set storage.allow_delete_query = 'true'; delete from storage.uploads where bucket_id ="
         " 'dbb'; delete from storage.objects where bucket_id = 'dbb';"
         " delete from storage.buckets where id = 'dbb';"
         " drop policy if exists dbb_insert on storage.objects;")


def setup():
    cleanup()
    psql("insert into storage.buckets (id, name) values ('dbb', 'dbb');"
         " create policy dbb_insert on storage.objects for insert to authenticated"
         " with check (bucket_id = 'dbb' and (storage.foldername(name))[1] = auth.uid()::text);")


def test_round_trip():
    files = len(object_files())
    data = os.urandom(5 * 1024 * 1024 + 12345)
    st, _, _ = upload("big/5mb.bin", data)
    check("upload 5 MB: 200, stored as 6 chunks, no file on disk",
          st == 200 and chunks("big/5mb.bin") == 6 and len(object_files()) == files, st)
    st, h, got = request("GET", "/object/dbb/big/5mb.bin")
    check("download: identical by SHA-256, Content-Length, ETag",
          st == 200 and hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest() and
          (APACHE or h.get("Content-Length") == str(len(data))) and
          h.get("ETag") == '"%s"' % hashlib.md5(data).hexdigest(), (st, dict(h)))
    st, h, got = request("HEAD", "/object/dbb/big/5mb.bin")
    check("HEAD: Content-Length, no body", st == 200 and
          (APACHE or h.get("Content-Length") == str(len(data))) and got == b"", (st, dict(h)))
    st, _, _ = upload("empty.txt", b"", content_type="text/plain")
    st2, _, got = request("GET", "/object/dbb/empty.txt")
    check("an empty object round-trips", st == 200 and st2 == 200 and got == b"", (st, st2))
    boundary = "dbbBoundary"
    form = ("--%s\r\nContent-Disposition: form-data; name=\"cacheControl\"\r\n\r\n60\r\n"
            "--%s\r\nContent-Disposition: form-data; name=\"\"; filename=\"blob\"\r\n"
            "Content-Type: text/plain\r\n\r\nform bytes\r\n--%s--\r\n" % (
                boundary, boundary, boundary)).encode()
    st, _, _ = upload("form.txt", form, content_type="multipart/form-data; boundary=" + boundary)
    check("multipart upload round-trips", st == 200 and
          request("GET", "/object/dbb/form.txt")[2] == b"form bytes", st)


def test_versions_copy_move_delete():
    upload("v.txt", b"one", content_type="text/plain")
    st, _, _ = upload("v.txt", b"two!", headers={"x-upsert": "true"}, content_type="text/plain")
    check("upsert: the new bytes, the old version's chunks gone",
          st == 200 and request("GET", "/object/dbb/v.txt")[2] == b"two!" and
          chunks("v.txt") == 1, chunks("v.txt"))
    st, _, _ = request("POST", "/object/copy", headers={"Content-Type": "application/json"},
                       body=b'{"bucketId":"dbb","sourceKey":"v.txt","destinationKey":"c.txt"}')
    check("copy: its own chunks", st == 200 and chunks("c.txt") == 1 and
          request("GET", "/object/dbb/c.txt")[2] == b"two!", st)
    st, _, _ = request("POST", "/object/move", headers={"Content-Type": "application/json"},
                       body=b'{"bucketId":"dbb","sourceKey":"c.txt","destinationKey":"m.txt"}')
    check("move keeps the bytes", st == 200 and request("GET", "/object/dbb/m.txt")[2] == b"two!",
          st)
    before = chunks()
    st, _, _ = request("DELETE", "/object/dbb/v.txt")
    check("delete: the row's chunks go, the copy survives",
          st == 200 and chunks() == before - 1 and
          request("GET", "/object/dbb/m.txt")[2] == b"two!", (st, chunks(), before))


def test_rls_and_tus():
    before = chunks()
    st, _, _ = upload("other/x.bin", b"x" * 100, token=user_token(USER))
    check("an upload the INSERT policy refuses: 403 and no chunks", st == 403 and
          chunks() == before, st)
    st, _, _ = upload(USER + "/x.bin", b"y" * 100, token=user_token(USER))
    check("an upload the policy allows", st == 200 and chunks() == before + 1, st)
    import base64
    meta = ",".join("%s %s" % (k, base64.b64encode(v.encode()).decode())
                    for k, v in (("bucketName", "dbb"), ("objectName", "tus.bin")))
    data = os.urandom(1500000)
    st, h, _ = request("POST", "/upload/resumable", headers={
        "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)), "Upload-Metadata": meta})
    loc = h.get("Location", "")[len(AREA):]
    st1, _, _ = request("PATCH", loc, headers={"Tus-Resumable": "1.0.0", "Upload-Offset": "0",
                        "Content-Type": "application/offset+octet-stream"}, body=data[:700000])
    st2, _, _ = request("PATCH", loc, headers={"Tus-Resumable": "1.0.0",
                        "Upload-Offset": "700000",
                        "Content-Type": "application/offset+octet-stream"}, body=data[700000:])
    check("a resumable upload completes into the database",
          (st, st1, st2) == (201, 204, 204) and chunks("tus.bin") == 2 and
          request("GET", "/object/dbb/tus.bin")[2] == data, (st, st1, st2))
    st, _, _ = request("POST", "/bucket/dbb/empty", headers={"Content-Type": "application/json"},
                       body=b"{}")
    check("emptying the bucket removes every chunk", st == 200 and chunks() == 0 and
          int(psql("select count(*) from storage.objects where bucket_id = 'dbb'")) == 0, st)


def main():
    return run_suite(setup, [test_round_trip, test_versions_copy_move_delete, test_rls_and_tus],
                     cleanup)


if __name__ == "__main__":
    sys.exit(main())
