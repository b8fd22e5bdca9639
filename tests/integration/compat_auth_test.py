#!/usr/bin/env python3
"""Compatibility of /auth/v1 with the official client: runs the supabase-js
checks of tests/compat (Node) against the running stack, in two phases,
and passes their lines through with the summed "N passed, N failed".

  1. tests/compat/auth.test.mjs with ALLOW_ANONYMOUS_SIGNIN=true (and
     email verification off): sign-up, sign-in, user, refresh, sign-out,
     OTP and magic link, recovery, anonymous, admin;
  2. tests/compat/auth.test.mjs --email-confirmation with
     REQUIRE_EMAIL_VERIFICATION=true (anonymous sign-in off);
  3. tests/compat/auth_pkce.test.mjs (supabase-js flowType 'pkce',
     @supabase/ssr, verifyOtp codes) with REQUIRE_EMAIL_VERIFICATION=true
     and google pointed at the test OpenID provider.

tests/integration/run starts it with phase 1's settings (suites.conf);
run on its own, it restarts the workers with them (`scripts/dev workers
restart KEY=VALUE...`). At the end the workers get back the settings they
had before. The npm packages are installed with `npm ci` from
tests/compat/package-lock.json when node_modules is missing or older than
the lock file (`scripts/dev test` does that up front). Standard library only.
"""

import json
import os
import re
import subprocess
import sys
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMPAT = os.path.join(ROOT, "tests", "compat")
DEV = os.environ.get("PGSTACK_DEV_DIR", os.path.join(ROOT, ".dev"))
PHASES = [
    ("supabase-js auth", ["auth.test.mjs"], {"mailer_autoconfirm": True, "anonymous_users": True},
     ["REQUIRE_EMAIL_VERIFICATION=false", "ALLOW_ANONYMOUS_SIGNIN=true"]),
    ("supabase-js auth, email confirmation", ["auth.test.mjs", "--email-confirmation"],
     {"mailer_autoconfirm": False, "anonymous_users": False},
     ["REQUIRE_EMAIL_VERIFICATION=true", "ALLOW_ANONYMOUS_SIGNIN=false"]),
    # 3. the PKCE flow and @supabase/ssr, with google at the test provider
    ("supabase-js PKCE and @supabase/ssr", ["auth_pkce.test.mjs"],
     {"mailer_autoconfirm": False, "anonymous_users": False, "google": True},
     ["REQUIRE_EMAIL_VERIFICATION=true", "ALLOW_ANONYMOUS_SIGNIN=false",
      "GOOGLE_CLIENT_ID=google-client", "GOOGLE_CLIENT_SECRET=google-secret",
      "GOOGLE_ISSUER_URL={OAUTH_PROVIDER_URL}/google"]),
]
TOTALS = {"passed": 0, "failed": 0}


def report(name, ok, detail=""):
    TOTALS["passed" if ok else "failed"] += 1
    print(("ok - " if ok else "FAIL - ") + name + ("" if ok or not detail else ": " + detail), flush=True)
    return ok


def read_kv(path):
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"^([A-Z_][A-Z0-9_]*)=(.*)$", line.rstrip("\n"))
            if m:
                value = m.group(2)
                if len(value) >= 2 and value[0] == value[-1] == "'":
                    value = value[1:-1].replace("'\\''", "'")
                out[m.group(1)] = value
    return out


# ------------------------------------------------------- stack settings

def overrides():
    """The KEY=VALUE settings `scripts/dev workers restart` applied last."""
    try:
        with open(os.path.join(DEV, "override.conf")) as f:
            return [line.strip() for line in f if "=" in line]
    except OSError:
        return []


def with_overrides(base, extra):
    keys = {kv.split("=", 1)[0] for kv in extra}
    return [kv for kv in base if kv.split("=", 1)[0] not in keys] + extra


def expand(settings):
    """{NAME} in a value is NAME from .dev/env (as in suites.conf)."""
    env = read_kv(os.path.join(DEV, "env"))
    return [re.sub(r"\{([A-Z_]+)\}", lambda m: env.get(m.group(1), ""), kv) for kv in settings]


def restart_workers(settings):
    cmd = [os.path.join(ROOT, "scripts", "dev"), "workers", "restart"] + settings
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        print("# %s failed: %s" % (" ".join(cmd[1:]), (out.stderr or out.stdout).strip()[-300:]))
    return out.returncode == 0


def settings_match(want):
    url = read_kv(os.path.join(DEV, "env"))["PGSTACK_URL"].rstrip("/") + "/auth/v1/settings"
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            got = json.loads(r.read())
    except (OSError, ValueError):
        return False
    flat = dict(got, **{"google": got.get("external", {}).get("google", False)})
    want = dict({"google": False}, **want)
    return all(flat.get(k) == v for k, v in want.items())


# ------------------------------------------------------------- node, npm

def npm_ci_needed():
    marker = os.path.join(COMPAT, "node_modules", ".package-lock.json")
    lock = os.path.join(COMPAT, "package-lock.json")
    return not os.path.exists(marker) or os.path.getmtime(marker) < os.path.getmtime(lock)


def prepare_node():
    """node and the packages of tests/compat; False after reporting why not."""
    try:
        version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return report("node is installed (scripts/dev test installs Debian's nodejs and npm)", False)
    print("# node %s" % version, flush=True)
    if npm_ci_needed():
        out = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=COMPAT,
                             capture_output=True, text=True, timeout=600)
        if not report("npm ci in tests/compat", out.returncode == 0, (out.stderr or out.stdout)[-500:]):
            return False
    return True


def run_phase(label, args):
    """Run the node checks; pass their lines through, add their totals."""
    cmd = ["node", os.path.join(COMPAT, args[0])] + args[1:]
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
        report("%s: node printed its \"N passed, N failed\"" % label, False, "exit %d" % rc)
        return
    TOTALS["passed"] += int(m.group(1))
    TOTALS["failed"] += int(m.group(2))
    if rc != 0 and int(m.group(2)) == 0:
        report("%s: node exit status" % label, False, "exit %d" % rc)


def node_suite_main(label, args):
    """The whole main() of a suite that is one run of node checks (the
    compat_*_test.py of the other areas): its lines, then the totals."""
    if prepare_node():
        run_phase(label, args)
    print("%d passed, %d failed" % (TOTALS["passed"], TOTALS["failed"]))
    return 0 if TOTALS["failed"] == 0 else 1


def main():
    before = overrides()
    restarted = False
    try:
        if prepare_node():
            for label, args, want, settings in PHASES:
                print("# phase: %s (%s)" % (label, " ".join(settings)), flush=True)
                if not settings_match(want):
                    restarted = True
                    if not report("%s: workers restarted with %s" % (label, " ".join(settings)),
                                  restart_workers(with_overrides(before, expand(settings)))
                                  and settings_match(want)):
                        continue
                run_phase(label, args)
    finally:
        if restarted:
            report("workers restarted with the previous settings", restart_workers(before))
    print("%d passed, %d failed" % (TOTALS["passed"], TOTALS["failed"]))
    return 0 if TOTALS["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
