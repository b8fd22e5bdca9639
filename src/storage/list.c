/* Listing objects as the caller (RLS decides which rows are seen):
 * POST /object/list/{bucket} (storage-js: one folder level, storage.
 * list_folder) and GET /object/list/{bucket}?prefix= (spec: a flat array
 * of full names with size and mime_type). */
#include "storage/body.h"
#include "storage/handlers.h"
#include "storage/reply.h"
#include "storage/target.h"

#include "core/query.h"

#include <stdlib.h>
#include <string.h>

#define LIST_MAX 1500

static void run_json(request *req, response *res, const storage_target *t, const char *sql, int n,
                     const char *const *params)
{
    db_caller caller = storage_caller(req, t->s);
    db_txn *txn = db_txn_new(req->arena, req->app->db, &caller);
    int q = db_txn_add(txn, sql, n, params);
    db_status st = db_txn_run(txn, t->s->txn_wait_ms);
    if (st != DB_OK) {
        storage_db_failure(res, txn, st, "select");
        return;
    }
    response_json(res, 200, PQgetvalue(db_txn_result(txn, q), 0, 0));
}

static bool sort_of(response *res, json_object *body, const char **column, const char **order)
{
    json_object *sort;
    *column = "name";
    *order = "asc";
    if (!json_object_object_get_ex(body, "sortBy", &sort) ||
        json_object_is_type(sort, json_type_null))
        return true;
    if (!json_object_is_type(sort, json_type_object)) {
        storage_error(res, 400, "InvalidRequest", "sortBy must be an object");
        return false;
    }
    const char *c = NULL, *o = NULL;
    if (!storage_body_string(res, sort, "column", &c) ||
        !storage_body_string(res, sort, "order", &o))
        return false;
    *column = c ? c : "name";
    *order = o ? o : "asc";
    return true;
}

void storage_list_folder(request *req, response *res)
{
    storage_target t;
    if (!storage_target_get(req, res, false, &t))
        return;
    json_object *body = storage_body_object(req, res);
    const char *prefix = NULL, *search = NULL, *column, *order;
    long limit = 100, offset = 0;
    if (!body || !storage_body_string(res, body, "prefix", &prefix) ||
        !storage_body_string(res, body, "search", &search) ||
        !storage_body_long(res, body, "limit", &limit) ||
        !storage_body_long(res, body, "offset", &offset) || !sort_of(res, body, &column, &order))
        return;
    if (limit < 0 || offset < 0) {
        storage_error(res, 400, "InvalidRequest", "limit and offset must not be negative");
        return;
    }
    if (limit > LIST_MAX)
        limit = LIST_MAX;
    const char *params[] = {t.bucket,
                            prefix ? prefix : "",
                            arena_printf(req->arena, "%ld", limit),
                            arena_printf(req->arena, "%ld", offset),
                            search ? search : "",
                            column,
                            order};
    run_json(req, res, &t,
             "select storage.list_folder($1, $2, $3::integer, $4::integer, $5, $6, $7)::text", 7,
             params);
}

static const char FLAT_SQL[] =
    "select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('id', o.id, 'name', o.name,"
    " 'size', (o.metadata->>'size')::bigint, 'mime_type', o.metadata->>'mimetype',"
    " 'created_at', o.created_at, 'updated_at', o.updated_at, 'metadata', o.metadata)"
    " order by o.name), '[]')::text from (select * from storage.objects"
    " where bucket_id = $1 and name like storage.like_prefix($2) order by name"
    " limit $3::integer offset $4::integer) o";

static bool query_long(request *req, response *res, const char *name, long *out)
{
    const char *v = query_get(&req->query, name);
    if (!v)
        return true;
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 0) {
        storage_error(res, 400, "InvalidRequest",
                      arena_printf(req->arena, "%s must be a non-negative integer", name));
        return false;
    }
    *out = n;
    return true;
}

void storage_list_flat(request *req, response *res)
{
    storage_target t;
    if (!storage_target_get(req, res, false, &t))
        return;
    long limit = 1000, offset = 0;
    if (!query_long(req, res, "limit", &limit) || !query_long(req, res, "offset", &offset))
        return;
    const char *prefix = query_get(&req->query, "prefix");
    const char *params[] = {t.bucket, prefix ? prefix : "",
                            arena_printf(req->arena, "%ld", limit > LIST_MAX ? LIST_MAX : limit),
                            arena_printf(req->arena, "%ld", offset)};
    run_json(req, res, &t, FLAT_SQL, 4, params);
}
