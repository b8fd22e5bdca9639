#!/usr/bin/env python3
"""supabase-js postgres_changes against the realtime daemon: runs
tests/compat/realtime_changes.test.mjs (every event, filters, RLS for a
signed-in user, an unpublished table's error, both serializers, and the
daemon restarted under the client) against the running stack and passes
its lines through with its "N passed, N failed" (compat_auth_test.py's
node_suite_main). Standard library only."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat_auth_test import node_suite_main  # noqa: E402


if __name__ == "__main__":
    sys.exit(node_suite_main("supabase-js postgres_changes", ["realtime_changes.test.mjs"]))
