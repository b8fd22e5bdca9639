#!/usr/bin/env python3
"""Signed resumable uploads and storage cleanup against the running stack.

creation-defer-length: an upload created with Upload-Defer-Length: 1
learns its length from a later PATCH (HEAD says Upload-Defer-Length: 1
until then), a length over the bucket's limit or below the bytes received
is refused, and the object appears when that length is reached.
Signed TUS (/storage/v1/upload/resumable/sign, header x-signature with the
token of createSignedUploadUrl, only the anon key): creation checked
against the token's object, Location under /sign/, HEAD and PATCH in
several chunks with the token, the object written as the signer (owner_id)
under the token's upsert flag; refusals (no header, a tampered token, the
token of another object, the signed id on the unsigned route, a plain
caller's upload on the signed route). Cleanup: `pgstack storage cleanup`
removes expired uploads (row and part), stale spool files in tmp/ and part
files no row names, and keeps live ones. Standard library only."""
import base64
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, BASE, ROOT, SERVICE, check, psql, run_suite, user_token  # noqa: E402

AREA = "/storage/v1"
U = urllib.parse.urlsplit(BASE)
SPOOL = os.path.join(ROOT, ".dev", "storage")
USER_A = "aaaaaaaa-0000-4000-8000-0000000002a1"
USER_B = "bbbbbbbb-0000-4000-8000-0000000002b1"
TOKEN_A, TOKEN_B = user_token(USER_A), user_token(USER_B)
OCTETS = "application/offset+octet-stream"


def request(method, path, token=None, headers=None, body=None, tus=True):
    conn = http.client.HTTPConnection(U.hostname, U.port, timeout=120)
    h = {"apikey": ANON}
    if tus:
        h["Tus-Resumable"] = "1.0.0"
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


def signed_token(name, token=TOKEN_A, upsert=False):
    h = {"Content-Type": "application/json"}
    if upsert:
        h["x-upsert"] = "true"
    st, _, data = request("POST", AREA + "/object/upload/sign/tus-sig/" + urllib.parse.quote(name),
                          token, h, b"{}", tus=False)
    assert st == 200, (st, data)
    return json.loads(data)["token"]


def create(name, signature, length, bucket="tus-sig", extra=None):
    h = {"Upload-Length": str(length), "Upload-Metadata": meta(bucketName=bucket,
                                                               objectName=name,
                                                               contentType="application/pdf")}
    if signature is not None:
        h["x-signature"] = signature
    h.update(extra or {})
    return request("POST", AREA + "/upload/resumable/sign", None, h)


def patch(location, offset, data, signature):
    return request("PATCH", location, None, {"Upload-Offset": str(offset), "Content-Type": OCTETS,
                                             "x-signature": signature}, data)


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


def cleanup():
    ids = psql("select id from storage.uploads where bucket_id = 'tus-sig'").split()
    for upload_id in ids:
        try:
            os.unlink(os.path.join(SPOOL, "uploads", upload_id))
        except FileNotFoundError:
            pass
    psql("set storage.allow_delete_query = 'true'; delete from storage.uploads where bucket_id ="
         " 'tus-sig'; delete from storage.objects where bucket_id = 'tus-sig';"
         " delete from storage.buckets where id = 'tus-sig';"
         " drop policy if exists tus_sig_insert on storage.objects;"
         " drop policy if exists tus_sig_select on storage.objects;"
         " drop policy if exists tus_sig_update on storage.objects;")


def setup():
    cleanup()
    psql("insert into storage.buckets (id, name, file_size_limit)"
         " values ('tus-sig', 'tus-sig', 1000000);"
         " create policy tus_sig_insert on storage.objects for insert to authenticated"
         " with check (bucket_id = 'tus-sig' and (storage.foldername(name))[1] = auth.uid()::text);"
         " create policy tus_sig_select on storage.objects for select to authenticated"
         " using (bucket_id = 'tus-sig' and owner_id = (select auth.uid()::text));"
         " create policy tus_sig_update on storage.objects for update to authenticated"
         " using (bucket_id = 'tus-sig' and owner_id = (select auth.uid()::text));")


def test_signed_upload():
    name = USER_A + "/report.pdf"
    sig = signed_token(name)
    data = b"%PDF-1.4\n" + os.urandom(300000) + b"\n%%EOF\n"
    st, h, body = create(name, sig, len(data))
    loc = h["Location"] or ""
    check("signed creation with only the anon key and x-signature → 201, Location under /sign/",
          st == 201 and "/storage/v1/upload/resumable/sign/" in loc, (st, loc, body[:200]))
    path = urllib.parse.urlsplit(loc).path
    st, h, _ = request("HEAD", path, None, {"x-signature": sig})
    check("signed HEAD → offset 0 and the length", st == 200 and h["Upload-Offset"] == "0" and
          h["Upload-Length"] == str(len(data)), (st, dict(h)))
    st, _, _ = request("HEAD", path, None)
    check("HEAD on the signed route without x-signature → 400", st == 400, st)
    other = signed_token(USER_A + "/other.pdf")
    st, _, _ = request("HEAD", path, None, {"x-signature": other})
    check("HEAD with the token of another object → 404", st == 404, st)
    unsigned = path.replace("/resumable/sign/", "/resumable/")
    st, _, _ = request("HEAD", unsigned, TOKEN_A)
    check("the signed upload on the unsigned route, even as its signer → 404", st == 404, st)
    assert psql("select count(*) from storage.objects where bucket_id = 'tus-sig'") == "0"
    st, h, _ = patch(path, 0, data[:100000], sig)
    check("signed PATCH of the first chunk → 204 offset 100000",
          st == 204 and h["Upload-Offset"] == "100000", (st, dict(h)))
    st, h, _ = patch(path, 0, data[:10], sig)
    check("signed PATCH at a stale offset → 409", st == 409, st)
    st, h, _ = patch(path, 100000, data[100000:], sig)
    check("signed PATCH of the rest completes → 204 Tus-Complete",
          st == 204 and h["Tus-Complete"] == "1", (st, dict(h)))
    row = psql("select owner_id || ' ' || (metadata->>'size') from storage.objects"
               " where bucket_id = 'tus-sig' and name = '%s'" % name)
    check("the object is written as the signer (owner_id A) with every byte",
          row == "%s %d" % (USER_A, len(data)), row)
    st, _, got = request("GET", AREA + "/object/tus-sig/" + name, SERVICE, tus=False)
    check("its bytes are identical", st == 200 and got == data, (st, len(got)))
    st, _, _ = create(name, sig, 10)
    check("a token without upsert for an existing object → 409 at creation", st == 409, st)
    up = signed_token(name, upsert=True)
    st, h, _ = create(name, up, 9, extra={"Content-Type": OCTETS})
    path = urllib.parse.urlsplit(h["Location"] or "").path
    st2, h2, _ = patch(path, 0, b"%PDF-1.4\n", up)
    size = psql("select metadata->>'size' from storage.objects where bucket_id = 'tus-sig'"
                " and name = '%s'" % name)
    check("a token with upsert replaces the object", st == 201 and st2 == 204 and size == "9",
          (st, st2, size))


def test_signed_refusals():
    name = USER_A + "/x.pdf"
    st, _, body = create(name, None, 10)
    check("signed creation without x-signature → 400", st == 400, (st, body[:200]))
    sig = signed_token(name)
    st, _, body = create(name, sig[:-3] + ("aaa" if not sig.endswith("aaa") else "bbb"), 10)
    check("a tampered token → 400 InvalidJWT", st == 400 and b"InvalidJWT" in body, (st, body[:200]))
    st, _, body = create(USER_A + "/y.pdf", sig, 10)
    check("the token of another object → 400 InvalidSignature",
          st == 400 and b"InvalidSignature" in body, (st, body[:200]))
    st, h, _ = request("POST", AREA + "/upload/resumable", TOKEN_A,
                       {"Upload-Length": "5", "Upload-Metadata": meta(
                           bucketName="tus-sig", objectName=USER_A + "/plain.bin")})
    path = urllib.parse.urlsplit(h["Location"] or "").path
    st2, _, _ = request("HEAD", path.replace("/resumable/", "/resumable/sign/"), None,
                        {"x-signature": signed_token(USER_A + "/plain.bin")})
    check("a caller's own upload is not reachable on the signed route → 404",
          st == 201 and st2 == 404, (st, st2))
    try:
        signed_token(USER_B + "/z.pdf")
        ok = False
    except AssertionError as e:
        ok = "403" in str(e.args[0][0]) or e.args[0][0] == 403
    check("no signed upload token for a folder the caller may not write", ok, "")


def test_defer_length():
    st, h, _ = request("OPTIONS", AREA + "/upload/resumable")
    check("OPTIONS advertises creation-defer-length",
          "creation-defer-length" in (h["Tus-Extension"] or ""), h["Tus-Extension"])
    name = USER_A + "/deferred.bin"
    md = meta(bucketName="tus-sig", objectName=name, contentType="application/octet-stream")
    st, h, body = request("POST", AREA + "/upload/resumable", TOKEN_A,
                          {"Upload-Defer-Length": "1", "Upload-Metadata": md})
    path = urllib.parse.urlsplit(h["Location"] or "").path
    check("creation with Upload-Defer-Length: 1 → 201", st == 201 and path, (st, body[:200]))
    st, h, _ = request("HEAD", path, TOKEN_A)
    check("HEAD of a deferred upload: Upload-Defer-Length: 1, no Upload-Length",
          st == 200 and h["Upload-Defer-Length"] == "1" and h["Upload-Length"] is None and
          h["Upload-Offset"] == "0", dict(h))
    data = os.urandom(250000)
    st, h, _ = request("PATCH", path, TOKEN_A, {"Upload-Offset": "0", "Content-Type": OCTETS},
                       data[:100000])
    check("a PATCH without Upload-Length: 204, still deferred",
          st == 204 and h["Upload-Offset"] == "100000" and h["Upload-Defer-Length"] == "1",
          (st, dict(h)))
    st, _, _ = request("PATCH", path, TOKEN_A, {"Upload-Offset": "100000", "Content-Type": OCTETS,
                                                "Upload-Length": "99999"}, data[100000:])
    check("an Upload-Length below the bytes received → 400", st == 400, st)
    st, _, _ = request("PATCH", path, TOKEN_A, {"Upload-Offset": "100000", "Content-Type": OCTETS,
                                                "Upload-Length": "2000000"}, data[100000:])
    check("an Upload-Length over the bucket's limit (1 MB) → 413", st == 413, st)
    st, h, _ = request("PATCH", path, TOKEN_A, {"Upload-Offset": "100000", "Content-Type": OCTETS,
                                                "Upload-Length": str(len(data))}, data[100000:])
    check("the last PATCH names the length and completes → 204 Tus-Complete",
          st == 204 and h["Tus-Complete"] == "1" and h["Upload-Length"] == str(len(data)),
          (st, dict(h)))
    st, _, got = request("GET", AREA + "/object/tus-sig/" + name, SERVICE, tus=False)
    check("the deferred upload's object has every byte", st == 200 and got == data,
          (st, len(got)))
    st, _, _ = request("POST", AREA + "/upload/resumable", TOKEN_A,
                       {"Upload-Defer-Length": "1", "Upload-Length": "5", "Upload-Metadata": md})
    check("Upload-Defer-Length with Upload-Length → 400", st == 400, st)
    st, _, _ = request("POST", AREA + "/upload/resumable", TOKEN_A,
                       {"Upload-Defer-Length": "2", "Upload-Metadata": md})
    check("Upload-Defer-Length other than 1 → 400", st == 400, st)
    st, h, _ = request("POST", AREA + "/upload/resumable", TOKEN_A,
                       {"Upload-Defer-Length": "1", "Upload-Metadata": md, "x-upsert": "true"})
    path = urllib.parse.urlsplit(h["Location"] or "").path
    st2, _, _ = request("PATCH", path, TOKEN_A, {"Upload-Offset": "0", "Content-Type": OCTETS},
                        os.urandom(1000001))
    check("a deferred upload cannot grow past the bucket's limit (1 MB) → 413",
          st == 201 and st2 == 413, (st, st2))
    request("DELETE", path, TOKEN_A)


def test_cleanup():
    st, h, _ = request("POST", AREA + "/upload/resumable", TOKEN_A,
                       {"Upload-Length": "100", "Upload-Metadata": meta(
                           bucketName="tus-sig", objectName=USER_A + "/old.bin"),
                        "Content-Type": OCTETS}, b"x" * 10)
    old_id = (h["Location"] or "").rsplit("/", 1)[-1]
    st2, h2, _ = request("POST", AREA + "/upload/resumable", TOKEN_A,
                         {"Upload-Length": "100", "Upload-Metadata": meta(
                             bucketName="tus-sig", objectName=USER_A + "/live.bin"),
                          "Content-Type": OCTETS}, b"y" * 10)
    live_id = (h2["Location"] or "").rsplit("/", 1)[-1]
    parts = os.path.join(SPOOL, "uploads")
    assert st == st2 == 201 and os.path.exists(os.path.join(parts, old_id))
    psql("update storage.uploads set expires_at = now() - interval '1 minute' where id = '%s'"
         % old_id)
    stale_tmp = os.path.join(SPOOL, "tmp", "leftover-of-a-crash")
    orphan = os.path.join(parts, "00000000-0000-4000-8000-00000000dead")
    fresh_tmp = os.path.join(SPOOL, "tmp", "upload-in-progress")
    long_ago = time.time() - 3 * 86400
    for f in (stale_tmp, orphan, fresh_tmp):
        with open(f, "wb") as out:
            out.write(b"z" * 100)
    for f in (stale_tmp, orphan):
        os.utime(f, (long_ago, long_ago))
    os.utime(os.path.join(parts, live_id), (long_ago, long_ago))  # old file, live row
    rc, out = cli(["storage", "cleanup"])
    rows = psql("select string_agg(id::text, ',') from storage.uploads where bucket_id = 'tus-sig'")
    check("`pgstack storage cleanup`: exit 0, the expired upload's row and part are gone",
          rc == 0 and old_id not in (rows or "") and
          not os.path.exists(os.path.join(parts, old_id)) and "expired uploads removed: 1" in out,
          (rc, out, rows))
    check("… the live upload (row and part) stays", live_id in (rows or "") and
          os.path.exists(os.path.join(parts, live_id)), rows)
    check("… an old spool file and a part no row names are removed; a fresh one stays",
          not os.path.exists(stale_tmp) and not os.path.exists(orphan) and
          os.path.exists(fresh_tmp) and "spool files removed: 0" not in out, out)
    os.unlink(fresh_tmp)
    rc, out = cli(["storage", "cleanup", "--bogus"])
    check("an unknown option → exit 2 with usage", rc == 2 and "usage" in out, (rc, out))


def main():
    return run_suite(setup, [test_signed_upload, test_signed_refusals, test_defer_length,
                             test_cleanup], cleanup)


if __name__ == "__main__":
    sys.exit(main())
