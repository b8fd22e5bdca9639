#!/usr/bin/env python3
"""Edge functions: how workers learn of deployments without `_refresh`,
and the stack without a usable deno.

suites.conf runs it with DB_PREPARED_STATEMENTS=false (as behind PgBouncer
in transaction mode: no LISTEN session), so the workers' cached lookups are
dropped by the catalog version check (pgstack_functions.catalog_version(),
at most every second); functions_runtime_test covers the LISTEN/NOTIFY way.
Then the workers are restarted with DENO_PATH naming no deno: a deno
function answers 503 "Deno runtime not configured" while the database
runtime still works. Standard library only."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, ENV, ROOT, SERVICE, call, check, psql, run_suite  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "functions_fixtures")
PGSTACK = os.path.join(ENV.get("PGSTACK_BUILD_DIR", os.path.join(ROOT, ".dev", "build")), "pgstack")


def cli(*args):
    env = dict(os.environ, JWT_SECRET=ENV["JWT_SECRET"])
    out = subprocess.run([PGSTACK, "functions", *args, "--database-url", ENV["DATABASE_URL"]],
                         capture_output=True, text=True, timeout=60, env=env)
    if out.returncode != 0:
        raise RuntimeError("pgstack functions %s: %s" % (" ".join(args), out.stdout + out.stderr))
    return out.stdout


def invoke(name):
    return call("/" + name, area="/functions/v1", token=ANON)


def version_of(r):
    return (r.json if r.status == 200 and isinstance(r.json, dict) else {}).get("version")


def served_within(name, want, seconds=6.0):
    t0 = time.time()
    while True:
        r = invoke(name)
        if want(r):
            return r, time.time() - t0
        if time.time() - t0 > seconds:
            return r, None
        time.sleep(0.1)


def restart_workers(*settings):
    out = subprocess.run([os.path.join(ROOT, "scripts", "dev"), "workers", "restart", *settings],
                         capture_output=True, text=True, timeout=180)
    if out.returncode != 0:
        raise RuntimeError("scripts/dev workers restart: %s" % (out.stdout + out.stderr))


def setup():
    cli("deploy", "catver", os.path.join(FIXTURES, "version1"))
    psql("""create or replace function public.fn_catalog_ping(request jsonb) returns jsonb
            language sql as $$ select jsonb_build_object('pong', request->>'method') $$;""")
    cli("deploy", "catdb", "--runtime", "plv8", "--function", "public.fn_catalog_ping")


def teardown():
    for name in ("catver", "catdb"):
        try:
            cli("delete", name)
        except RuntimeError:
            pass
    psql("drop function if exists public.fn_catalog_ping(jsonb)")


def test_version_check_sees_deploys():
    first = [version_of(invoke("catver")) for _ in range(8)]  # cached by every worker
    check("a deployed function answers (version 1 on every call)", first == [1] * 8, first)
    cli("deploy", "catver", os.path.join(FIXTURES, "version2"))
    r, took = served_within("catver", lambda r: version_of(r) == 2)
    check("without LISTEN, a redeploy is served within seconds without _refresh (%s)" %
          ("%.2f s" % took if took is not None else "not within 6 s"), took is not None, r)
    time.sleep(1.2)  # past every worker's next version check
    after = [version_of(invoke("catver")) for _ in range(8)]
    check("then every worker serves the new version", after == [2] * 8, after)
    cli("delete", "catver")
    r, took = served_within("catver", lambda r: r.status == 404)
    check("a delete is noticed within seconds without _refresh (%s)" %
          ("%.2f s" % took if took is not None else "not within 6 s"),
          took is not None and r.json.get("code") == "NOT_FOUND", r)


def test_refresh_reaches_every_worker():
    cli("deploy", "catver", os.path.join(FIXTURES, "version1"))
    r, took = served_within("catver", lambda r: version_of(r) == 1)
    time.sleep(1.2)  # past every worker's version check (some cached it as missing)
    warm = [version_of(invoke("catver")) for _ in range(8)]  # cached by the workers
    check("deployed again: version 1 served (%s)" % ("%.2f s" % took if took is not None else "not within 6 s"),
          took is not None and warm == [1] * 8, warm)
    cli("deploy", "catver", os.path.join(FIXTURES, "version2"))
    r = call("/_refresh", area="/functions/v1", method="POST", token=SERVICE, body={})
    check("_refresh -> {\"ok\": true}", r.status == 200 and r.json == {"ok": True}, r)
    after = [version_of(invoke("catver")) for _ in range(8)]
    check("right after _refresh every call (any worker) serves the new version", after == [2] * 8, after)


def test_without_deno():
    restart_workers("DB_PREPARED_STATEMENTS=false", "DENO_PATH=/nonexistent/deno")
    r = invoke("catver")
    check("no usable deno: a deno function -> 503 \"Deno runtime not configured\" (JSON)",
          r.status == 503 and isinstance(r.json, dict) and
          r.json.get("error") == "Deno runtime not configured", r)
    r = call("/catdb", area="/functions/v1", method="POST", token=ANON, body={})
    check("no usable deno: the database runtime still answers",
          r.status == 200 and r.json == {"pong": "POST"}, r)


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_version_check_sees_deploys, test_refresh_reaches_every_worker,
                               test_without_deno], teardown))
