#!/usr/bin/env python3
"""Stored versions no row names any more (storage.garbage, sql/0019) on the
disk backend, through the running stack: a row deleted with SQL (allowed by
storage.allow_delete_query) queues its version and leaves its file until
`pgstack storage cleanup` removes both; an upsert queues the replaced
version, which the worker has already removed, and the sweep just drops the
queue row; a queued version younger than the grace period waits; a queue
row whose version is not one of pgstack's (edited with SQL, `../..`) is
dropped without the filesystem being touched. Standard library only."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, SERVICE, call, check, psql, run_suite  # noqa: E402

DEV = os.path.join(ROOT, ".dev")
OBJECTS = os.path.join(DEV, "storage", "objects")
BUCKET = "garbage-test"


def storage(method, path, body=None, headers=None, content_type="application/json"):
    return call(path, method=method, token=SERVICE, headers=headers, body=body,
                area="/storage/v1", content_type=content_type)


def upload(name, data, upsert=False):
    headers = {"x-upsert": "true"} if upsert else None
    return storage("POST", "/object/%s/%s" % (BUCKET, name), data, headers, "text/plain").status


def cleanup_cli():
    env = dict(os.environ, PGSTACK_CONFIG=os.path.join(DEV, "pgstack.conf"))
    out = subprocess.run([os.path.join(DEV, "build", "pgstack"), "storage", "cleanup"],
                         capture_output=True, text=True, env=env)
    return out.returncode, out.stdout + out.stderr


def row(name):
    """(id, version) of the object's row."""
    out = psql("select id || ' ' || version from storage.objects"
               " where bucket_id = '%s' and name = '%s'" % (BUCKET, name))
    return tuple(out.split()) if out else (None, None)


def file_of(object_id, version):
    return os.path.join(OBJECTS, object_id[:2], object_id, version)


def queued(object_id):
    return int(psql("select count(*) from storage.garbage where object_id = '%s'" % object_id))


def age_queue(object_id):
    psql("update storage.garbage set queued_at = now() - interval '2 minutes'"
         " where object_id = '%s'" % object_id)


def setup():
    teardown()
    r = storage("POST", "/bucket", {"id": BUCKET})
    if r.status != 201:
        raise RuntimeError("create bucket: %s" % r)


def teardown():
    storage("POST", "/bucket/%s/empty" % BUCKET, {})
    storage("DELETE", "/bucket/" + BUCKET)


def test_sql_delete_then_cleanup():
    check("an object uploaded", upload("sql.txt", b"delete me with SQL") == 200)
    object_id, version = row("sql.txt")
    path = file_of(object_id, version)
    check("its file is on disk", os.path.isfile(path), path)
    psql("set storage.allow_delete_query = true;"
         " delete from storage.objects where id = '%s'" % object_id)
    check("a row deleted with SQL queues its version and leaves its file (for now)",
          queued(object_id) == 1 and os.path.isfile(path))
    rc, out = cleanup_cli()
    check("a version queued less than a minute ago waits",
          rc == 0 and "queued versions removed:" in out and os.path.isfile(path)
          and queued(object_id) == 1, out)
    age_queue(object_id)
    rc, out = cleanup_cli()
    check("`pgstack storage cleanup` removes the file and the queue row",
          rc == 0 and "queued versions removed: 0" not in out and not os.path.exists(path)
          and queued(object_id) == 0, out)


def test_upsert_queues_the_replaced_version():
    check("an object uploaded", upload("up.txt", b"first") == 200)
    object_id, first = row("up.txt")
    check("and replaced (x-upsert)", upload("up.txt", b"second", upsert=True) == 200)
    _, second = row("up.txt")
    check("the replaced version is queued, the worker already removed its file",
          queued(object_id) == 1 and not os.path.exists(file_of(object_id, first))
          and os.path.isfile(file_of(object_id, second)))
    age_queue(object_id)
    rc, out = cleanup_cli()
    check("the sweep drops the queue row (the file was already gone) and keeps the current one",
          rc == 0 and "queued versions removed: 0" not in out and queued(object_id) == 0
          and os.path.isfile(file_of(object_id, second)), out)
    r = storage("GET", "/object/%s/up.txt" % BUCKET)
    check("the object still downloads", r.status == 200 and r.text == "second", r)


def test_foreign_version_never_reaches_the_filesystem():
    check("an object uploaded", upload("x.txt", b"x") == 200)
    object_id, _ = row("x.txt")
    sentinel = os.path.join(OBJECTS, "sentinel-garbage-test")
    with open(sentinel, "w") as f:
        f.write("must stay")
    try:
        psql("insert into storage.garbage (object_id, version, queued_at) values"
             " ('%s', '../../sentinel-garbage-test', now() - interval '2 minutes'),"
             " ('%s', 'a\"b\\c,{}', now() - interval '2 minutes')" % (object_id, object_id))
        rc, out = cleanup_cli()
        check("queued versions that are not pgstack's (a path, quotes and braces) are dropped"
              " without touching the disk",
              rc == 0 and os.path.isfile(sentinel) and queued(object_id) == 0, out)
    finally:
        os.unlink(sentinel)


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_sql_delete_then_cleanup, test_upsert_queues_the_replaced_version,
                               test_foreign_version_never_reaches_the_filesystem], teardown))
