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
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat_auth_test import COMPAT, TOTALS, prepare_node, report  # noqa: E402


def main():
    if prepare_node():
        cmd = ["node", os.path.join(COMPAT, "storage_image.test.mjs")]
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
            report('supabase-js storage images: node printed its "N passed, N failed"', False, "exit %d" % rc)
        else:
            TOTALS["passed"] += int(m.group(1))
            TOTALS["failed"] += int(m.group(2))
            if rc != 0 and int(m.group(2)) == 0:
                report("supabase-js storage images: node exit status", False, "exit %d" % rc)
    print("%d passed, %d failed" % (TOTALS["passed"], TOTALS["failed"]))
    return 0 if TOTALS["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
