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
come from `npm ci` as in compat_auth_test.py (shared here). Standard
library only.
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The pgstack command this suite runs reports sanitizer findings (a
# sanitizer build) to files under .dev/logs, where `scripts/dev test` looks.
_LOGS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     ".dev", "logs")
os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=0:halt_on_error=1:"
                      "disable_coredump=1:log_path=%s/asan" % _LOGS)
os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:log_path=%s/ubsan" % _LOGS)
from compat_auth_test import COMPAT, TOTALS, prepare_node, report  # noqa: E402


def main():
    if prepare_node():
        cmd = ["node", os.path.join(COMPAT, "functions.test.mjs")]
        try:
            out = subprocess.run(cmd, cwd=COMPAT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, timeout=600)
            text, rc = out.stdout, out.returncode
        except subprocess.TimeoutExpired as e:
            text, rc = (e.stdout or b"").decode("utf-8", "replace") + "\n(timed out)", -1
        lines = text.rstrip("\n").splitlines()
        m = re.match(r"^(\d+) passed, (\d+) failed$", lines[-1]) if lines else None
        for line in (lines[:-1] if m else lines):
            print(line, flush=True)
        if not m:
            report('supabase-js functions: node printed its "N passed, N failed"', False, "exit %d" % rc)
        else:
            TOTALS["passed"] += int(m.group(1))
            TOTALS["failed"] += int(m.group(2))
            if rc != 0 and int(m.group(2)) == 0:
                report("supabase-js functions: node exit status", False, "exit %d" % rc)
    print("%d passed, %d failed" % (TOTALS["passed"], TOTALS["failed"]))
    return 0 if TOTALS["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
