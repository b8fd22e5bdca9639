#!/usr/bin/env python3
"""TUS resumable uploads (/storage/v1/upload/resumable, tus 1.0.0) against the
running stack: OPTIONS, creation (with and without a first chunk), HEAD,
PATCH in several chunks up to a 55 MB object (beyond the 50 MB request
limit, within the bucket's 60 MB), offset conflicts, resuming after a
dropped connection, termination, expiry, refusals (version, metadata,
traversal keys, sizes, content type, another user's upload), and the
caller's INSERT policy run at creation and again at completion (no object
exists before the last byte). Standard library only."""
import base64
import hashlib
import http.client
import os
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, BASE, ROOT, SERVICE, check, psql, run_suite, user_token  # noqa: E402

AREA = "/storage/v1"
PARTS = os.path.join(ROOT, ".dev", "storage", "uploads")
USER_A = "aaaaaaaa-0000-4000-8000-0000000000a1"
USER_B = "bbbbbbbb-0000-4000-8000-0000000000b1"
TOKEN_A = user_token(USER_A)
TOKEN_B = user_token(USER_B)
OCTETS = "application/offset+octet-stream"
U = urllib.parse.urlsplit(BASE)


def request(method, path, token=SERVICE, headers=None, body=None):
    conn = http.client.HTTPConnection(U.hostname, U.port, timeout=120)
    h = {"apikey": ANON, "Tus-Resumable": "1.0.0"}
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    if body is None and method in ("POST", "PATCH"):
        h.setdefault("Content-Length", "0")
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.headers, data


def meta(**kv):
    return ",".join("%s %s" % (k, base64.b64encode(v.encode()).decode()) for k, v in kv.items())


def create(bucket, name, length, token=SERVICE, headers=None, body=None, **more):
    h = {"Upload-Length": str(length), "Upload-Metadata": meta(bucketName=bucket,
                                                               objectName=name, **more)}
    if body is not None:
        h["Content-Type"] = OCTETS
    h.update(headers or {})
    return request("POST", AREA + "/upload/resumable", token, h, body)


def patch(location, offset, data, token=SERVICE, content_type=OCTETS):
    return request("PATCH", location, token, {"Upload-Offset": str(offset),
                                              "Content-Type": content_type}, data)


def head(location, token=SERVICE):
    return request("HEAD", location, token)


def info(bucket, name, token=SERVICE):
    return request("GET", AREA + "/object/info/%s/%s" % (bucket, urllib.parse.quote(name)),
                   token)


def download(bucket, name):
    return request("GET", AREA + "/object/%s/%s" % (bucket, urllib.parse.quote(name)))


def upload_rows():
    return int(psql("select count(*) from storage.uploads where bucket_id like 'tus-%'"))


POLICIES = """
drop policy if exists tus_insert on storage.objects;
drop policy if exists tus_select on storage.objects;
create policy tus_insert on storage.objects for insert to authenticated
  with check (bucket_id = 'tus-rls' and (storage.foldername(name))[1] = auth.uid()::text);
create policy tus_select on storage.objects for select to authenticated
  using (bucket_id = 'tus-rls' and owner_id = (select auth.uid()::text));
"""


def cleanup():
    psql("set storage.allow_delete_query = 'true'; delete from storage.uploads where bucket_id like"
         " 'tus-%'; delete from storage.objects where bucket_id like 'tus-%';"
         " delete from storage.buckets where id like 'tus-%';"
         " drop policy if exists tus_insert on storage.objects;"
         " drop policy if exists tus_select on storage.objects;")


def setup():
    cleanup()
    psql("insert into storage.buckets (id, name, file_size_limit) values"
         " ('tus-big', 'tus-big', 60000000), ('tus-small', 'tus-small', 1000),"
         " ('tus-rls', 'tus-rls', null);" + POLICIES)


def test_options_and_refusals():
    st, h, _ = request("OPTIONS", AREA + "/upload/resumable", token=None)
    check("OPTIONS: 204 with Tus-Version and Tus-Extension",
          st == 204 and h.get("Tus-Version") == "1.0.0" and
          "creation" in (h.get("Tus-Extension") or "") and
          "termination" in h.get("Tus-Extension"), (st, dict(h)))
    st, h, _ = request("POST", AREA + "/upload/resumable", headers={
        "Tus-Resumable": "0.2.2", "Upload-Length": "1", "Upload-Metadata": meta(
            bucketName="tus-big", objectName="a")})
    check("another Tus-Resumable version: 412 with Tus-Version",
          st == 412 and h.get("Tus-Version") == "1.0.0", st)
    st, _, data = request("POST", AREA + "/upload/resumable", headers={"Upload-Length": "1"})
    check("creation without Upload-Metadata: 400 Metadata header is required",
          st == 400 and b"Metadata header is required" in data, (st, data))
    st, _, _ = request("POST", AREA + "/upload/resumable", headers={
        "Upload-Metadata": meta(bucketName="tus-big", objectName="a")})
    check("creation without Upload-Length: 400", st == 400, st)
    st, _, _ = request("POST", AREA + "/upload/resumable", headers={
        "Upload-Length": "1", "Upload-Metadata": "bucketName !!!,objectName x"})
    check("malformed Upload-Metadata: 400", st == 400, st)
    before = upload_rows()
    for bad in ("../x", "a/../../b", "/abs", "a\\b", "C:/x", "a//b", ".."):
        st, _, _ = create("tus-big", bad, 10)
        check("objectName %r: 400" % bad, st == 400, st)
    st, _, _ = create("../tus-big", "x", 10)
    check("bucketName '../tus-big': 400", st == 400, st)
    check("refused creations stored nothing", upload_rows() == before, upload_rows())
    st, _, data = create("tus-small", "big.bin", 5000)
    check("Upload-Length over the bucket's limit: 413", st == 413, (st, data))
    st, _, _ = create("tus-none", "x.bin", 10)
    check("a missing bucket: 404", st == 404, st)


def test_chunks_beyond_50mb():
    size = 55 * 1000 * 1000
    data = os.urandom(size)
    st, h, _ = create("tus-big", "big/55mb.bin", size, contentType="application/octet-stream",
                      cacheControl="120", metadata='{"via": "tus"}')
    loc = h.get("Location")
    check("creation: 201 with Location and Tus-Resumable",
          st == 201 and loc and loc.startswith(AREA + "/upload/resumable/") and
          h.get("Tus-Resumable") == "1.0.0", (st, dict(h)))
    if not loc:
        return
    st, h, _ = head(loc)
    check("HEAD: Upload-Offset 0, Upload-Length, Cache-Control no-store",
          st == 200 and h.get("Upload-Offset") == "0" and h.get("Upload-Length") == str(size) and
          h.get("Cache-Control") == "no-store", (st, dict(h)))
    chunk = 20 * 1000 * 1000
    st, h, _ = patch(loc, 0, data[:chunk])
    check("PATCH 1 (20 MB): 204 with Upload-Offset", st == 204 and
          h.get("Upload-Offset") == str(chunk), (st, dict(h)))
    check("no object before the last byte", info("tus-big", "big/55mb.bin")[0] == 404, "")
    st, h, _ = patch(loc, 0, data[:10])
    check("PATCH at a stale offset: 409 with the current Upload-Offset",
          st == 409 and h.get("Upload-Offset") == str(chunk), (st, dict(h)))
    st, _, _ = patch(loc, chunk, b"x", content_type="application/octet-stream")
    check("PATCH with another Content-Type: 415", st == 415, st)
    st, h, _ = patch(loc, chunk, data[chunk:2 * chunk])
    check("PATCH 2 (20 MB)", st == 204 and h.get("Upload-Offset") == str(2 * chunk), st)
    st, h, _ = patch(loc, 2 * chunk, data[2 * chunk:] + b"extra")
    check("PATCH past Upload-Length: 413, offset unchanged",
          st == 413 and head(loc)[1].get("Upload-Offset") == str(2 * chunk), st)
    st, h, _ = patch(loc, 2 * chunk, data[2 * chunk:])
    check("last PATCH: 204, offset = length, Tus-Complete",
          st == 204 and h.get("Upload-Offset") == str(size) and h.get("Tus-Complete") == "1",
          (st, dict(h)))
    st, _, got = download("tus-big", "big/55mb.bin")
    check("the 55 MB object downloads identical by SHA-256",
          st == 200 and hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest(), st)
    import json
    st, _, body = info("tus-big", "big/55mb.bin")
    i = json.loads(body) if st == 200 else {}
    check("its metadata: size, cacheControl, user metadata",
          i.get("size") == size and i.get("cache_control") == "max-age=120" and
          i.get("metadata") == {"via": "tus"}, i)
    check("the finished upload is gone (HEAD 404, no part file)",
          head(loc)[0] == 404 and not os.listdir(PARTS), os.listdir(PARTS))


def test_creation_with_upload_and_resume():
    data = os.urandom(3 * 1000 * 1000)
    st, h, _ = create("tus-big", "resume.bin", len(data), body=data[:1000000])
    loc = h.get("Location")
    check("creation-with-upload: 201 with Upload-Offset",
          st == 201 and h.get("Upload-Offset") == "1000000", (st, dict(h)))
    if not loc:
        return
    s = socket.create_connection((U.hostname, U.port), timeout=10)
    s.sendall(("PATCH %s HTTP/1.1\r\nHost: x\r\napikey: %s\r\nAuthorization: Bearer %s\r\n"
               "Tus-Resumable: 1.0.0\r\nUpload-Offset: 1000000\r\nContent-Type: %s\r\n"
               "Content-Length: 2000000\r\n\r\n" % (loc, ANON, SERVICE, OCTETS)).encode())
    s.sendall(data[1000000:1300000])
    s.close()
    time.sleep(1)
    st, h, _ = head(loc)
    offset = int(h.get("Upload-Offset", "-1"))
    check("after a dropped PATCH, HEAD tells where to resume",
          st == 200 and 1000000 <= offset <= 1300000, (st, dict(h)))
    st, h, _ = patch(loc, offset, data[offset:])
    check("resumed PATCH completes the upload", st == 204 and
          h.get("Upload-Offset") == str(len(data)), st)
    st, _, got = download("tus-big", "resume.bin")
    check("the resumed object is identical", st == 200 and got == data, st)
    st, _, _ = create("tus-big", "resume.bin", 10)
    check("creating an upload for an existing key without x-upsert: 409", st == 409, st)
    st, h, _ = create("tus-big", "resume.bin", 4, headers={"x-upsert": "true"})
    st2, _, _ = patch(h.get("Location"), 0, b"new!")
    check("with x-upsert the completed upload replaces it",
          st == 201 and st2 == 204 and download("tus-big", "resume.bin")[2] == b"new!", (st, st2))


def test_termination_and_expiry():
    st, h, _ = create("tus-big", "gone.bin", 100)
    loc = h.get("Location")
    patch(loc, 0, b"x" * 10)
    st, _, _ = request("DELETE", loc)
    check("DELETE (termination): 204, then HEAD 404, no part file",
          st == 204 and head(loc)[0] == 404 and not os.listdir(PARTS), st)
    st, _, _ = head(AREA + "/upload/resumable/not-a-uuid")
    check("HEAD of a malformed id: 404", st == 404, st)
    st, h, _ = create("tus-big", "old.bin", 100)
    loc = h.get("Location")
    patch(loc, 0, b"x" * 10)
    upload_id = loc.rsplit("/", 1)[1]
    psql("update storage.uploads set expires_at = now() - interval '1 second' where id = '%s'"
         % upload_id)
    check("an expired upload: HEAD 410", head(loc)[0] == 410, "")
    create("tus-big", "trigger.bin", 1)
    check("the next creation removes expired uploads (row and part file)",
          psql("select count(*) from storage.uploads where id = '%s'" % upload_id) == "0" and
          not os.path.exists(os.path.join(PARTS, upload_id)), "")


def test_rls():
    st, h, _ = create("tus-rls", USER_A + "/a.bin", 4, token=TOKEN_A)
    loc = h.get("Location")
    check("user A creates an upload in its folder (INSERT policy)", st == 201, st)
    st, _, _ = create("tus-rls", USER_B + "/a.bin", 4, token=TOKEN_A)
    check("user A in B's folder: 403 at creation", st == 403, st)
    st, _, _ = create("tus-rls", USER_A + "/anon.bin", 4, token=None)
    check("anon creation: 403", st == 403, st)
    check("user B cannot see A's upload (HEAD 404)", head(loc, TOKEN_B)[0] == 404, "")
    check("user B cannot write A's upload (PATCH 404)", patch(loc, 0, b"abcd", TOKEN_B)[0] == 404,
          "")
    st, _, _ = patch(loc, 0, b"abcd", TOKEN_A)
    check("user A completes it; A owns the object", st == 204 and psql(
        "select owner_id from storage.objects where bucket_id = 'tus-rls' and name = '%s/a.bin'"
        % USER_A) == USER_A, st)
    st, h, _ = create("tus-rls", USER_A + "/late.bin", 4, token=TOKEN_A)
    loc = h.get("Location")
    psql("drop policy tus_insert on storage.objects")
    st, _, data = patch(loc, 0, b"abcd", TOKEN_A)
    check("the INSERT policy runs again at completion: 403, no object",
          st == 403 and info("tus-rls", USER_A + "/late.bin", TOKEN_A)[0] == 404, (st, data))
    check("... and the refused upload is dropped", head(loc, TOKEN_A)[0] == 404 and
          not os.listdir(PARTS), "")


def main():
    return run_suite(setup, [test_options_and_refusals, test_chunks_beyond_50mb,
                             test_creation_with_upload_and_resume, test_termination_and_expiry,
                             test_rls], cleanup)


if __name__ == "__main__":
    sys.exit(main())
