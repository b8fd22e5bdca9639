#!/usr/bin/env python3
"""supabase-js storage (tests/compat/storage.test.mjs, every check of
compat_storage_test.py) with the S3 backend: suites.conf points the workers
at the S3-compatible test server scripts/dev runs, so every upload, download,
copy, move, signed URL and removal of the official client goes through the
store. Standard library only."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat_auth_test import node_suite_main  # noqa: E402

if __name__ == "__main__":
    sys.exit(node_suite_main("supabase-js storage (S3)", ["storage.test.mjs"]))
