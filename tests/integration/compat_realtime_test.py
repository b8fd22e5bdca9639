#!/usr/bin/env python3
"""Compatibility of the realtime daemon with the official client: runs
tests/compat/realtime.test.mjs (supabase-js channels over the web server's
WebSocket proxy in vsn 1.0.0 and 2.0.0: broadcast, presence, joins,
tokens, heartbeats) against the running stack and passes its lines through
with its "N passed, N failed". suites.conf restarts the stack with
REALTIME_IDLE_TIMEOUT=5 for it. The npm packages come from `npm ci` as in
compat_auth_test.py, which runs node for it. Standard library only.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat_auth_test import node_suite_main  # noqa: E402


if __name__ == "__main__":
    sys.exit(node_suite_main("supabase-js realtime", ["realtime.test.mjs"]))
