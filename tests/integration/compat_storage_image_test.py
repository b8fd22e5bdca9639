#!/usr/bin/env python3
"""Image transforms through the official client: runs
tests/compat/storage_image.test.mjs (supabase-js download, getPublicUrl and
createSignedUrl with `transform`, results decoded for their size, RLS for
two users and anon) against the running stack and passes its lines through
with its "N passed, N failed". Same needs as compat_storage_test.py
(sign-ups confirmed at once; npm packages from `npm ci`). Standard library
only.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat_auth_test import node_suite_main  # noqa: E402


if __name__ == "__main__":
    sys.exit(node_suite_main("supabase-js storage images", ["storage_image.test.mjs"]))
