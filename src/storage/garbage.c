/* Removing queued garbage versions; see garbage.h. */
#include "storage/garbage.h"

#include "core/json_text.h"
#include "core/log.h"

#include <stdio.h>
#include <string.h>

/* Versions are 32 lowercase hex digits (storage_new_version): anything
 * else in the queue (a row edited with SQL) names no stored bytes, and is
 * never handed to the backend as part of a path or key. */
static bool version_valid(const char *v)
{
    return strlen(v) == 32 && strspn(v, "0123456789abcdef") == 32;
}

static PGresult *run_one(const storage_settings *s, arena *a, db_conn *db, const db_caller *service,
                         const char *sql, int n, const char **values)
{
    db_txn *txn = db_txn_new(a, db, service);
    int q = db_txn_add(txn, sql, n, values);
    if (db_txn_run(txn, s->txn_wait_ms) != DB_OK) {
        PGresult *err = db_txn_error(txn, NULL);
        log_event("storage: sweeping garbage failed: %s",
                  err ? PQresultErrorMessage(err) : "database unavailable");
        return NULL;
    }
    return db_txn_result(txn, q);
}

long storage_garbage_sweep(const storage_settings *s, const storage_backend *be, arena *a,
                           db_conn *db, const db_caller *service, long limit)
{
    const char *values[] = {arena_printf(a, "%ld", limit),
                            arena_printf(a, "%d", STORAGE_GARBAGE_GRACE_S)};
    PGresult *r = run_one(s, a, db, service,
                          "select object_id, version from storage.garbage"
                          " where queued_at < pg_catalog.now() - make_interval(secs => $2::integer)"
                          " order by queued_at limit $1::integer",
                          2, values);
    if (!r)
        return -1;
    /* the rows removed, as JSON: a version is any text a row may hold */
    json_object *done = json_arena_owned(a, json_object_new_array());
    int removed = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *id = PQgetvalue(r, i, 0), *version = PQgetvalue(r, i, 1);
        if (version_valid(version) && !be->remove(s, a, id, version))
            continue; /* stays queued for the next sweep */
        json_object *row = json_object_new_object();
        json_object_object_add(row, "object_id", json_object_new_string(id));
        json_object_object_add(row, "version", json_object_new_string(version));
        json_object_array_add(done, row);
        removed++;
    }
    const char *params[] = {json_text(a, done)};
    if (removed && !run_one(s, a, db, service,
                            "delete from storage.garbage g using"
                            " jsonb_to_recordset($1::jsonb) as d(object_id uuid, version text)"
                            " where g.object_id = d.object_id and g.version = d.version",
                            1, params))
        return -1;
    return removed;
}
