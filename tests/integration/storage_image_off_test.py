#!/usr/bin/env python3
"""STORAGE_IMAGE_TRANSFORMS=false (set for this suite in suites.conf): the
three /render/image routes answer 400 JSON "image transformation is not
enabled" (after the usual target checks), while downloads keep working.
Standard library only."""
import http.client
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, BASE, SERVICE, check, psql, run_suite  # noqa: E402

U = urllib.parse.urlsplit(BASE)


def request(method, path, token=SERVICE, body=None, headers=None):
    conn = http.client.HTTPConnection(U.hostname, U.port, timeout=60)
    h = {"apikey": ANON, "Authorization": "Bearer " + token}
    h.update(headers or {})
    conn.request(method, "/storage/v1" + path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def cleanup():
    psql("set storage.allow_delete_query = 'true';"
         " delete from storage.objects where bucket_id = 'img-off';"
         " delete from storage.buckets where id = 'img-off';")


def setup():
    cleanup()
    psql("insert into storage.buckets (id, name, public) values ('img-off', 'img-off', true)")
    st, _ = request("POST", "/object/img-off/a.txt", body=b"hello",
                    headers={"Content-Type": "text/plain"})
    assert st == 200, st


def test_disabled():
    for kind in ("public", "authenticated", "sign"):
        st, data = request("GET", "/render/image/%s/img-off/a.txt?width=10" % kind)
        check("%s render with STORAGE_IMAGE_TRANSFORMS=false: 400 not enabled" % kind,
              st == 400 and b"image transformation is not enabled" in data, (st, data[:200]))
    st, data = request("GET", "/object/public/img-off/a.txt")
    check("downloads still work", st == 200 and data == b"hello", (st, data[:100]))


def main():
    return run_suite(setup, [test_disabled], cleanup)


if __name__ == "__main__":
    sys.exit(main())
