#!/usr/bin/env python3
"""Compatibility of /storage/v1 with the official client: runs
tests/compat/storage.test.mjs (supabase-js storage: buckets, upload of
strings, Buffers and Blobs, download, info, exists, update, list with
folders and search, move, copy, remove, getPublicUrl, signed URLs and signed
uploads, limits and MIME refusals, row-level security for anon and two
signed-up users) against the running stack and passes its lines through
with its "N passed, N failed".

The checks create and drop their own buckets (sc-*) and policies and sign
users up, so the stack must confirm sign-ups at once
(REQUIRE_EMAIL_VERIFICATION=false, the default). The npm packages come from
`npm ci` as in compat_auth_test.py, which runs node for it. Standard library only.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat_auth_test import node_suite_main  # noqa: E402


if __name__ == "__main__":
    sys.exit(node_suite_main("supabase-js storage", ["storage.test.mjs"]))
