#!/usr/bin/env python3
"""Downloads sent by the storage worker itself (STORAGE_SENDFILE_HEADER
empty, set for this suite in suites.conf: for web servers without
X-Sendfile): private, public and signed downloads identical by hash with
their headers, HEAD, If-None-Match, and a Range request answered with the
whole object (ranges are the web server's job). Standard library only."""
import hashlib
import http.client
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, BASE, ROOT, SERVICE, check, psql, run_suite  # noqa: E402

AREA = "/storage/v1"
U = urllib.parse.urlsplit(BASE)
DATA = os.urandom(3 * 1024 * 1024 + 7)
# Apache passes a body the worker streams in chunks as Transfer-Encoding:
# chunked and drops Content-Length from HEAD replies of proxied FastCGI
# responses; lighttpd keeps the worker's Content-Length.
with open(os.path.join(ROOT, ".dev", "server")) as f:
    APACHE = f.read().strip() == "apache"


def request(method, path, token=SERVICE, headers=None, body=None):
    conn = http.client.HTTPConnection(U.hostname, U.port, timeout=60)
    h = {"apikey": ANON} if token else {}
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    conn.request(method, AREA + path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.headers, data


def cleanup():
    psql("set storage.allow_delete_query = 'true'; delete from storage.objects where bucket_id"
         " = 'stream-pub'; delete from storage.buckets where id = 'stream-pub';")


def setup():
    cleanup()
    psql("insert into storage.buckets (id, name, public) values ('stream-pub', 'stream-pub', true)")
    st, _, data = request("POST", "/object/stream-pub/s/3mb.bin", body=DATA,
                          headers={"Content-Type": "application/octet-stream"})
    if st != 200:
        raise RuntimeError("upload: %s %s" % (st, data[:200]))


def test_streamed():
    etag = '"%s"' % hashlib.md5(DATA).hexdigest()
    st, h, got = request("GET", "/object/stream-pub/s/3mb.bin")
    check("private download streamed by the worker: identical, Content-Length, ETag, nosniff",
          st == 200 and got == DATA and
          (APACHE or h.get("Content-Length") == str(len(DATA))) and
          h.get("ETag") == etag and h.get("X-Content-Type-Options") == "nosniff" and
          not h.get("X-Sendfile"), (st, dict(h)))
    st, h, got = request("HEAD", "/object/stream-pub/s/3mb.bin")
    check("HEAD: Content-Length, no body",
          st == 200 and (APACHE or h.get("Content-Length") == str(len(DATA))) and got == b"",
          (st, dict(h)))
    st, _, got = request("GET", "/object/stream-pub/s/3mb.bin", headers={"If-None-Match": etag})
    check("If-None-Match: 304", st == 304 and got == b"", st)
    st, h, got = request("GET", "/object/stream-pub/s/3mb.bin", headers={"Range": "bytes=0-9"})
    check("Range without a web server to serve it: the whole object (200)",
          st == 200 and got == DATA, (st, len(got)))
    st, _, got = request("GET", "/object/public/stream-pub/s/3mb.bin", token=None)
    check("public download streamed", st == 200 and got == DATA, st)
    import json
    st, _, body = request("POST", "/object/sign/stream-pub/s/3mb.bin", body=b'{"expiresIn": 60}',
                          headers={"Content-Type": "application/json"})
    url = json.loads(body)["signedURL"] if st == 200 else ""
    st, _, got = request("GET", url, token=None)
    check("signed download streamed", st == 200 and got == DATA, st)


def main():
    return run_suite(setup, [test_streamed], cleanup)


if __name__ == "__main__":
    sys.exit(main())
