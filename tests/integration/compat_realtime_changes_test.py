#!/usr/bin/env python3
"""supabase-js postgres_changes against the realtime daemon: runs
tests/compat/realtime_changes.test.mjs (every event, a filter, RLS for a
signed-in user, an unpublished table's error, both serializers, and the
daemon restarted under the client) against the running stack and passes
its lines through with its "N passed, N failed". The npm packages come from
`npm ci` as in compat_auth_test.py (shared here). Standard library only."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat_auth_test import TOTALS, prepare_node, run_phase  # noqa: E402


def main():
    if prepare_node():
        run_phase("supabase-js postgres_changes", ["realtime_changes.test.mjs"])
    print("%d passed, %d failed" % (TOTALS["passed"], TOTALS["failed"]))
    return 0 if TOTALS["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
