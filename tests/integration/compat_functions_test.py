#!/usr/bin/env python3
"""Compatibility of /functions/v1 with the official client: runs
tests/compat/functions.test.mjs (supabase-js functions.invoke with JSON,
text, Blob and FormData bodies, methods, sub-paths, custom headers and a
region; FunctionsHttpError with the status for a function's 400 and for
pgstack's 401/404/500; server-sent events; a signed-in user's token)
against the running stack and passes its lines through with its
"N passed, N failed".

The checks deploy and delete their own functions (cp_*) with
`pgstack functions` and sign a user up, so the stack must confirm sign-ups
at once (REQUIRE_EMAIL_VERIFICATION=false, the default). The npm packages
come from `npm ci` as in compat_auth_test.py, which runs node for it.
Standard library only.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat_auth_test import node_suite_main  # noqa: E402

# The pgstack command this suite runs reports sanitizer findings (a
# sanitizer build) to files under .dev/logs, where `scripts/dev test` looks.
_LOGS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     ".dev", "logs")
os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=0:halt_on_error=1:"
                      "disable_coredump=1:log_path=%s/asan" % _LOGS)
os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:log_path=%s/ubsan" % _LOGS)


if __name__ == "__main__":
    sys.exit(node_suite_main("supabase-js functions", ["functions.test.mjs"]))
