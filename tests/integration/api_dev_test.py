#!/usr/bin/env python3
"""The dev-only endpoints of pgstack-api, through the running stack:
POST /api/sql (ENABLE_SQL_ENDPOINT=true: one statement in one transaction
as service_role, rows as a JSON array with typed values, errors as JSON with
the SQLSTATE, the statement timeout, no session setting left behind; 404
when off) and POST /api/demo (mounted when SERVICE_ROLE_KEY is configured
or ENABLE_DEMO_ENDPOINT=true; it needs the service_role key; increment,
list, reset on the demo tables of sql/0009; 404 when neither is set).

suites.conf runs it with ENABLE_SQL_ENDPOINT=true; the off states restart
the workers with other settings (scripts/dev workers restart), and the
runner restores the usual ones afterwards. Standard library only."""
import os
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
from harness import ANON, ROOT, SERVICE, call, check, psql, run_suite  # noqa: E402


def api(path, body, token=SERVICE):
    return call(path, method="POST", token=token, body=body, area="/api")


def sql(query, token=SERVICE):
    return api("/sql", {"query": query}, token)


def restart_workers(*settings):
    out = subprocess.run([os.path.join(ROOT, "scripts", "dev"), "workers", "restart", *settings],
                         capture_output=True, text=True, timeout=180)
    if out.returncode != 0:
        raise RuntimeError(out.stdout + out.stderr)


def setup():
    psql("create table if not exists public.dev_sql_t (id int primary key, label text);"
         "grant all on public.dev_sql_t to service_role;"
         "insert into public.dev_sql_t values (1, 'one'), (2, null) on conflict do nothing;")


def teardown():
    psql("drop table if exists public.dev_sql_t; truncate pgstack_demo.counters, pgstack_demo.events;")


def test_sql_rows():
    r = sql("select id, label, id * 1.5 as half, id > 1 as big, jsonb_build_object('id', id) as j "
            "from public.dev_sql_t order by id")
    check("POST /api/sql: rows as a JSON array with typed values",
          r.status == 200 and r.json == [
              {"id": 1, "label": "one", "half": 1.5, "big": False, "j": {"id": 1}},
              {"id": 2, "label": None, "half": 3.0, "big": True, "j": {"id": 2}}], r)
    r = sql("select current_user as u, current_setting('request.jwt.claims', true)::jsonb->>'role' as r")
    check("POST /api/sql runs as service_role", r.json == [{"u": "service_role", "r": "service_role"}], r)
    r = sql("update public.dev_sql_t set label = 'two' where id = 2")
    check("a statement without rows answers []", r.status == 200 and r.json == [], r)
    r = sql("insert into public.dev_sql_t values (3, 'three') returning id")
    check("insert ... returning answers its rows", r.json == [{"id": 3}], r)


def test_sql_errors():
    r = sql("select 1/0")
    check("an error: JSON with the SQLSTATE", r.status == 400 and r.json == {
        "error": "division by zero", "code": "22012"}, r)
    r = sql("insert into public.dev_sql_t values (1, 'dup')")
    check("a unique violation: 409 with 23505", r.status == 409 and r.json["code"] == "23505", r)
    r = sql("select 1; select 2")
    check("two statements are refused (one statement per call)",
          r.status == 400 and r.json["code"] == "42601", r)
    r = sql("insert into public.dev_sql_t values (10, 'x') returning 1/0")
    check("a failed statement is rolled back", psql("select count(*) from public.dev_sql_t where id = 10") == "0", r)
    r = api("/sql", {"nope": 1})
    check("a body without query -> 400 JSON", r.status == 400 and "query" in r.json["error"], r)
    r = api("/sql", "not json")
    check("a body that is not JSON -> 400 JSON", r.status == 400, r)
    r = sql("select 1", token=ANON)
    check("the anon key is refused (service_role only)", r.status == 403, r)
    r = sql("select pg_sleep(30)")
    check("the statement timeout applies", r.status >= 500 and r.json["code"] == "57014", r)
    seen = []
    for _ in range(8):  # several rounds, so some land on the worker that ran the SET
        sql("set datestyle = 'SQL, DMY'")
        seen.append(sql("select '2026-12-06'::date::text as d").json)
    check("a session setting does not outlive its call",
          all(s == [{"d": "2026-12-06"}] for s in seen), seen)


def test_demo():
    api("/demo", {"action": "reset"})
    r1 = api("/demo", {"action": "increment", "name": "clicks"})
    r2 = api("/demo", {"action": "increment", "name": "clicks", "by": 5})
    check("POST /api/demo increment", r1.json == {"name": "clicks", "value": 1} and
          r2.json == {"name": "clicks", "value": 6}, (r1, r2))
    r = api("/demo", {"action": "list"})
    check("POST /api/demo list", r.status == 200 and [(c["name"], c["value"]) for c in r.json] == [("clicks", 6)], r)
    check("each increment is recorded in pgstack_demo.events",
          psql("select count(*) from pgstack_demo.events") == "2")
    r = api("/demo", {"action": "drop everything"})
    check("an unknown action -> 400 JSON", r.status == 400 and "action" in r.json["error"], r)
    r = api("/demo", {"action": "increment", "by": "lots"})
    check("a bad increment -> 400 JSON", r.status == 400, r)
    r = api("/demo", {"action": "list"}, token=ANON)
    check("/api/demo needs the service_role key (SERVICE_ROLE_KEY is configured)", r.status == 403, r)
    r = api("/demo", {"action": "reset"})
    check("POST /api/demo reset", r.json == {"ok": True} and
          psql("select count(*) from pgstack_demo.counters") == "0", r)


def test_off_states():
    restart_workers("SERVICE_ROLE_KEY=")
    r = api("/demo", {"action": "list"})
    check("/api/demo is not mounted without SERVICE_ROLE_KEY or ENABLE_DEMO_ENDPOINT -> 404",
          r.status == 404, r)
    r = sql("select 1")
    check("/api/sql is 404 when ENABLE_SQL_ENDPOINT is not true", r.status == 404, r)
    restart_workers("SERVICE_ROLE_KEY=", "ENABLE_DEMO_ENDPOINT=true")
    r = api("/demo", {"action": "list"})
    check("ENABLE_DEMO_ENDPOINT=true mounts /api/demo", r.status == 200, r)


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_sql_rows, test_sql_errors, test_demo, test_off_states], teardown))
