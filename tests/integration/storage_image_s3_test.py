#!/usr/bin/env python3
"""Image transforms on the S3 backend (STORAGE_BACKEND=s3 against the
S3-compatible test server, set for this suite in suites.conf): the source
is read through the backend's streaming (a client's Range never reaches
that read), the render cache keeps its bytes in the store, and hits are
streamed back from it. The checks are those of storage_image_test.py but
the input limits. Standard library only (plus libvips through ctypes)."""
import http.client
import os
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import storage_image_test as image  # noqa: E402
from harness import ENV, ROOT, check, run_suite  # noqa: E402

S3_SETTINGS = ["STORAGE_BACKEND=s3", "STORAGE_S3_ENDPOINT=" + ENV["S3_TEST_ENDPOINT"],
               "STORAGE_S3_BUCKET=" + ENV["S3_TEST_BUCKET"],
               "STORAGE_S3_ACCESS_KEY=" + ENV["S3_TEST_ACCESS_KEY"],
               "STORAGE_S3_SECRET_KEY=" + ENV["S3_TEST_SECRET_KEY"]]


def workers_with(*extra):
    subprocess.run([os.path.join(ROOT, "scripts", "dev"), "workers", "restart"] + S3_SETTINGS +
                   list(extra), capture_output=True, timeout=300, check=True)


def fetch(url):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("GET", u.path + ("?" + u.query if u.query else ""))
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.headers, data


def test_redirect_mode():
    """STORAGE_S3_REDIRECT=true: the source is still read whole by the
    worker; a cached render is a 302 to the store with its own type."""
    workers_with("STORAGE_S3_REDIRECT=true")
    try:
        st, h, data = image.render("public", "img-pub", "cat.png", "width=55&format=webp")
        check("redirect mode: a render miss reads the source itself (200, 55 wide WebP)",
              st == 200 and image.size_of(data)[:2] == ("webp", 55), (st, image.size_of(data)))
        st, h, _ = image.render("public", "img-pub", "cat.png", "width=55&format=webp")
        loc = h["Location"] or ""
        check("redirect mode: a cached render is a 302 to a presigned URL of the store",
              st == 302 and loc.startswith(ENV["S3_TEST_ENDPOINT"] + "/"), (st, dict(h)))
        st, h2, got = fetch(loc)
        check("… which serves the render with its Content-Type",
              st == 200 and image.size_of(got)[:2] == ("webp", 55) and
              h2["Content-Type"] == "image/webp", (st, dict(h2)))
    finally:
        workers_with()


def test_range_on_source():
    """A Range header on a render request must not cut the source."""
    st, h, data = image.render("public", "img-pub", "cat.png", "width=77&format=webp",
                               headers={"Range": "bytes=0-99"})
    # the worker answers 200 with the whole render; the web server may cut
    # that reply to the Range itself (lighttpd does for a complete reply)
    check("a render miss with a Range header still decodes the whole source (77 wide WebP)",
          st in (200, 206) and image.size_of(data)[:2] == ("webp", 77),
          (st, image.size_of(data)))
    st, h, data = image.render("public", "img-pub", "cat.png", "width=77&format=webp",
                               headers={"Range": "bytes=0-99"})
    check("the cached render honours the Range (206, 100 bytes from the store)",
          st == 206 and len(data) == 100 and h["X-Render-Cache"] == "hit", (st, len(data)))


def main():
    image.BACKEND = "s3"
    return run_suite(image.setup, [test_range_on_source, test_redirect_mode,
                                   image.test_resize_modes,
                                   image.test_cache, image.test_permissions, image.test_signed],
                     image.cleanup)


if __name__ == "__main__":
    sys.exit(main())
