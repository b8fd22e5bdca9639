/* Object routes: upload, download, info, delete, move and copy, each in
 * one transaction as the caller under RLS; see handlers.h. */
#include "storage/backend.h"
#include "storage/body.h"
#include "storage/handlers.h"
#include "storage/key.h"
#include "storage/read.h"
#include "storage/reply.h"
#include "storage/write.h"

#include "worker/credentials.h"

#include <string.h>
#include <strings.h>

static void upload(request *req, response *res, bool upsert)
{
    storage_target t;
    if (!storage_target_get(req, res, true, &t))
        return;
    storage_write w = {
        .upsert = upsert,
        .caller = storage_caller(req, t.s),
        .owner = req->auth ? req->auth->sub : "",
    };
    storage_write_object(req, res, &t, &w);
}

void storage_object_upload(request *req, response *res)
{
    const char *upsert = request_header(req, "x-upsert");
    upload(req, res, upsert && strcasecmp(upsert, "true") == 0);
}

void storage_object_update(request *req, response *res)
{
    upload(req, res, true);
}

void storage_object_download(request *req, response *res)
{
    storage_target t;
    if (!storage_target_get(req, res, true, &t))
        return;
    db_caller caller = storage_caller(req, t.s);
    storage_read_object(req, res, &t, &caller, false);
}

void storage_object_public(request *req, response *res)
{
    storage_target t;
    if (!storage_target_get(req, res, true, &t))
        return;
    db_caller caller = storage_service_caller(req, t.s);
    storage_read_object(req, res, &t, &caller, true);
}

static const char INFO_SQL[] =
    "select pg_catalog.json_build_object('id', o.id, 'name', o.name, 'version', o.version,"
    " 'bucket_id', o.bucket_id, 'size', (o.metadata->>'size')::bigint,"
    " 'content_type', o.metadata->>'mimetype', 'cache_control', o.metadata->>'cacheControl',"
    " 'etag', o.metadata->>'eTag', 'metadata', o.user_metadata,"
    " 'last_modified', o.updated_at, 'created_at', o.created_at, 'updated_at', o.updated_at,"
    " 'owner_id', o.owner_id)::text from storage.objects o where o.bucket_id = $1 and o.name = $2";

void storage_object_info(request *req, response *res)
{
    storage_target t;
    if (!storage_target_get(req, res, true, &t))
        return;
    db_caller caller = storage_caller(req, t.s);
    db_txn *txn = db_txn_new(req->arena, req->app->db, &caller);
    const char *params[] = {t.bucket, t.key};
    int q = db_txn_add(txn, INFO_SQL, 2, params);
    db_status st = db_txn_run(txn, t.s->txn_wait_ms);
    if (st != DB_OK) {
        storage_db_failure(res, txn, st, "select");
        return;
    }
    PGresult *r = db_txn_result(txn, q);
    if (PQntuples(r) == 0)
        storage_not_found(res);
    else
        response_json(res, 200, PQgetvalue(r, 0, 0));
}

/* Deletes: the visible rows first, then the delete (RLS), in one
 * transaction that allows row deletes; files go after the commit. */
static const char VISIBLE_SQL[] =
    "select count(*) from storage.objects where bucket_id = $1 and name = any($2::text[])";
static const char DELETE_SQL[] =
    "with d as (delete from storage.objects where bucket_id = $1 and name = any($2::text[])"
    " returning *) select d.id, coalesce(d.version, ''), pg_catalog.json_build_object("
    "'id', d.id, 'name', d.name, 'bucket_id', d.bucket_id, 'owner', d.owner,"
    " 'owner_id', d.owner_id, 'metadata', d.metadata, 'user_metadata', d.user_metadata,"
    " 'version', d.version, 'created_at', d.created_at, 'updated_at', d.updated_at,"
    " 'last_accessed_at', d.last_accessed_at)::text from d";

/* Runs the delete of names (a text[] literal); NULL after an error reply. */
static PGresult *delete_rows(request *req, response *res, const storage_target *t,
                             const char *names, long *visible)
{
    db_caller caller = storage_caller(req, t->s);
    db_txn *txn = db_txn_new(req->arena, req->app->db, &caller);
    const char *params[] = {t->bucket, names};
    db_txn_add(txn, "select pg_catalog.set_config('storage.allow_delete_query', 'true', true)", 0,
               NULL);
    int qv = db_txn_add(txn, VISIBLE_SQL, 2, params);
    int qd = db_txn_add(txn, DELETE_SQL, 2, params);
    db_status st = db_txn_run(txn, t->s->txn_wait_ms);
    if (st != DB_OK) {
        storage_db_failure(res, txn, st, "delete");
        return NULL;
    }
    *visible = atol(PQgetvalue(db_txn_result(txn, qv), 0, 0));
    PGresult *r = db_txn_result(txn, qd);
    for (int i = 0; i < PQntuples(r); i++)
        t->be->remove(t->s, req->arena, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    return r;
}

/* A text[] literal of the given strings: {"a","b"} with quotes escaped. */
static const char *text_array(arena *a, const char *const *items, size_t n)
{
    sbuf b;
    sbuf_init(&b, a, 64);
    sbuf_putc(&b, '{');
    for (size_t i = 0; i < n; i++) {
        sbuf_puts(&b, i ? ",\"" : "\"");
        for (const char *p = items[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                sbuf_putc(&b, '\\');
            sbuf_putc(&b, *p);
        }
        sbuf_putc(&b, '"');
    }
    sbuf_putc(&b, '}');
    return b.data;
}

void storage_object_delete(request *req, response *res)
{
    storage_target t;
    if (!storage_target_get(req, res, true, &t))
        return;
    long visible = 0;
    PGresult *r = delete_rows(req, res, &t, text_array(req->arena, &t.key, 1), &visible);
    if (!r)
        return;
    if (PQntuples(r) == 1)
        response_json(res, 200, "{\"message\":\"object deleted\"}");
    else if (visible > 0)
        storage_error(res, 403, "AccessDenied",
                      "row-level security policy refused this delete: the object is visible "
                      "(select) but the delete policy of storage.objects does not allow it");
    else
        storage_not_found(res);
}

/* The prefixes array of a bulk delete, each judged as a key. */
static const char **prefixes_of(request *req, response *res, json_object *body, size_t *n)
{
    json_object *arr;
    if (!json_object_object_get_ex(body, "prefixes", &arr) ||
        !json_object_is_type(arr, json_type_array)) {
        storage_error(res, 400, "InvalidRequest", "prefixes must be an array of object names");
        return NULL;
    }
    *n = json_object_array_length(arr);
    const char **items = arena_alloc(req->arena, sizeof(char *) * (*n + 1));
    for (size_t i = 0; i < *n; i++) {
        json_object *v = json_object_array_get_idx(arr, i);
        const char *why = "not a string";
        items[i] = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
        if (!items[i] || !storage_key_valid(items[i], &why)) {
            storage_invalid_key(res, items[i], why);
            return NULL;
        }
    }
    return items;
}

void storage_object_delete_many(request *req, response *res)
{
    storage_target t;
    if (!storage_target_get(req, res, false, &t))
        return;
    json_object *body = storage_body_object(req, res);
    size_t n = 0;
    const char **names = body ? prefixes_of(req, res, body, &n) : NULL;
    if (!names)
        return;
    long visible = 0;
    PGresult *r = delete_rows(req, res, &t, text_array(req->arena, names, n), &visible);
    if (!r)
        return;
    sbuf out;
    sbuf_init(&out, req->arena, 256);
    sbuf_putc(&out, '[');
    for (int i = 0; i < PQntuples(r); i++) {
        if (i)
            sbuf_putc(&out, ',');
        sbuf_puts(&out, PQgetvalue(r, i, 2));
    }
    sbuf_putc(&out, ']');
    response_json(res, 200, out.data);
}
