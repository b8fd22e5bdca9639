/* The render cache; see image_cache.h. */
#include "storage/image_cache.h"

#include "core/log.h"

#include <string.h>
#include <unistd.h>

static const char GET_SQL[] = "select id, version, content_type, size from storage.renders"
                              " where object_id = $1::uuid and source_version = $2 and params = $3";

static const char PUT_SQL[] =
    "insert into storage.renders (id, object_id, source_version, params, version, content_type,"
    " size) values ($1::uuid, $2::uuid, $3, $4, $5, $6, $7::bigint)"
    " on conflict (object_id, source_version, params) do nothing returning id";

bool storage_image_cache_get(request *req, const storage_target *t, const char *object_id,
                             const char *source_version, const char *params, storage_render *out)
{
    db_caller caller = storage_service_caller(req, t->s);
    db_txn *txn = db_txn_new(req->arena, req->app->db, &caller);
    const char *values[] = {object_id, source_version, params};
    int q = db_txn_add(txn, GET_SQL, 3, values);
    if (db_txn_run(txn, t->s->txn_wait_ms) != DB_OK)
        return false;
    PGresult *r = db_txn_result(txn, q);
    if (PQntuples(r) == 0)
        return false;
    const char **fields[] = {&out->id, &out->version, &out->type, &out->size};
    for (int i = 0; i < 4; i++)
        *fields[i] = arena_strdup(req->arena, PQgetvalue(r, 0, i));
    return true;
}

static bool write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* The row and the bytes in one transaction: a failed place() leaves no
 * row, a failed commit removes the bytes. */
static bool place_render(request *req, const storage_target *t, const char *const values[7],
                         storage_blob *blob)
{
    db_caller caller = storage_service_caller(req, t->s);
    db_txn *txn = db_txn_new_block(req->arena, req->app->db, &caller);
    int q = db_txn_add(txn, PUT_SQL, 7, values);
    bool ok = db_txn_run(txn, t->s->txn_wait_ms) == DB_OK;
    if (!ok || PQntuples(db_txn_result(txn, q)) == 0) { /* another worker was first */
        t->be->discard(blob);
        db_txn_end_block(txn, t->s->txn_wait_ms);
        return ok;
    }
    ok = t->be->place(t->s, req->arena, blob, values[0], values[4], txn);
    if (ok) {
        db_txn_add(txn, "commit", 0, NULL);
        ok = db_txn_run(txn, t->s->txn_wait_ms) == DB_OK;
        if (!ok)
            t->be->remove(t->s, req->arena, values[0], values[4]);
    }
    db_txn_end_block(txn, t->s->txn_wait_ms);
    return ok;
}

void storage_image_cache_put(request *req, const storage_target *t, const char *object_id,
                             const char *source_version, const char *params, const char *type,
                             const void *data, size_t len)
{
    storage_blob blob;
    if (!t->be->create(t->s, req->arena, &blob))
        return;
    if (!write_all(blob.fd, data, len)) {
        t->be->discard(&blob);
        log_event("storage: cannot keep a render of %s", object_id);
        return;
    }
    const char *values[7] = {storage_new_id(req->arena),
                             object_id,
                             source_version,
                             params,
                             storage_new_version(req->arena),
                             type,
                             arena_printf(req->arena, "%zu", len)};
    if (!place_render(req, t, values, &blob))
        log_event("storage: cannot keep a render of %s", object_id);
}

long storage_image_cache_sweep(const storage_settings *s, const storage_backend *be, arena *a,
                               db_conn *db, const db_caller *service, long limit)
{
    db_txn *txn = db_txn_new(a, db, service);
    const char *values[] = {arena_printf(a, "%ld", limit)};
    int q =
        db_txn_add(txn, "select id, version from storage.stale_renders($1::integer)", 1, values);
    if (db_txn_run(txn, s->txn_wait_ms) != DB_OK) {
        PGresult *err = db_txn_error(txn, NULL);
        log_event("storage: sweeping %s failed: %s", "renders",
                  err ? PQresultErrorMessage(err) : "database unavailable");
        return -1;
    }
    PGresult *r = db_txn_result(txn, q);
    for (int i = 0; i < PQntuples(r); i++)
        be->remove(s, a, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    return PQntuples(r);
}
