#!/usr/bin/env python3
"""Compatibility of /rest/v1 with the official client: runs
tests/compat/rest.test.mjs (supabase-js: select with filters, embedding,
order, range and count; insert, update, upsert and delete with .select();
.single() and .maybeSingle(); error codes; row-level security for anon
and two signed-up users) against the running stack and passes its lines
through with its "N passed, N failed".

The checks create and drop their own tables (rc_*) as the superuser and sign
users up, so the stack must confirm sign-ups at once
(REQUIRE_EMAIL_VERIFICATION=false, the default). The npm packages come from
`npm ci` as in compat_auth_test.py, which runs node for it. Standard library only.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat_auth_test import node_suite_main  # noqa: E402


if __name__ == "__main__":
    sys.exit(node_suite_main("supabase-js rest", ["rest.test.mjs"]))
