#!/usr/bin/env python3
"""Image transforms on the database backend (STORAGE_BACKEND=database, set
for this suite in suites.conf): the source is read through the backend's
streaming (no file), the render cache keeps its bytes as chunks in
storage.object_chunks, and `pgstack storage cleanup` drops them with the
stale render. The checks are those of storage_image_test.py but the input
limits. Standard library only (plus libvips through ctypes)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import storage_image_test as image  # noqa: E402
from harness import run_suite  # noqa: E402


def main():
    image.BACKEND = "database"
    return run_suite(image.setup, [image.test_resize_modes, image.test_cache,
                                   image.test_permissions, image.test_signed], image.cleanup)


if __name__ == "__main__":
    sys.exit(main())
