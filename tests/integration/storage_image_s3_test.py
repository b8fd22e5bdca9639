#!/usr/bin/env python3
"""Image transforms on the S3 backend (STORAGE_BACKEND=s3 against the
S3-compatible test server, set for this suite in suites.conf): the source
is read through the backend's streaming (a client's Range never reaches
that read), the render cache keeps its bytes in the store, and hits are
streamed back from it. The checks are those of storage_image_test.py but
the input limits. Standard library only (plus libvips through ctypes)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import storage_image_test as image  # noqa: E402
from harness import check, run_suite  # noqa: E402


def test_range_on_source():
    """A Range header on a render request must not cut the source."""
    st, h, data = image.render("public", "img-pub", "cat.png", "width=77&format=webp",
                               headers={"Range": "bytes=0-99"})
    check("a render with a Range header still decodes the whole source (77 wide WebP)",
          st in (200, 206) and image.size_of(data if st == 200 else b"")[:2] == ("webp", 77) or
          (st == 206 and h["Content-Range"]), (st, image.size_of(data)))


def main():
    image.BACKEND = "s3"
    return run_suite(image.setup, [test_range_on_source, image.test_resize_modes,
                                   image.test_cache, image.test_permissions, image.test_signed],
                     image.cleanup)


if __name__ == "__main__":
    sys.exit(main())
