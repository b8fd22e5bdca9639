/* POST /object/move and POST /object/copy: {bucketId, sourceKey,
 * destinationKey, destinationBucket?}; both as the caller under RLS (move
 * is an UPDATE of the row, copy an INSERT of a new row whose file is a
 * link to the source's immutable version). */
#include "storage/body.h"
#include "storage/handlers.h"
#include "storage/key.h"
#include "storage/reply.h"
#include "storage/target.h"

#include "worker/credentials.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct transfer {
    const char *bucket, *source, *dst_bucket, *destination;
} transfer;

static bool judged_key(response *res, const char *key)
{
    const char *why = NULL;
    if (storage_key_valid(key, &why))
        return true;
    storage_invalid_key(res, key, why);
    return false;
}

/* Reads and judges the body; false after a 400 reply. */
static bool transfer_of(request *req, response *res, transfer *x)
{
    json_object *body = storage_body_object(req, res);
    if (!body || !storage_body_string(res, body, "bucketId", &x->bucket) ||
        !storage_body_string(res, body, "sourceKey", &x->source) ||
        !storage_body_string(res, body, "destinationKey", &x->destination) ||
        !storage_body_string(res, body, "destinationBucket", &x->dst_bucket))
        return false;
    if (!x->dst_bucket)
        x->dst_bucket = x->bucket;
    if (!storage_bucket_name_valid(x->bucket) || !storage_bucket_name_valid(x->dst_bucket)) {
        storage_error(res, 400, "InvalidBucketName", "Bucket name invalid");
        return false;
    }
    return judged_key(res, x->source) && judged_key(res, x->destination);
}

static const char MOVE_VISIBLE_SQL[] =
    "select count(*), (select count(*) from storage.bucket_settings($3))"
    " from storage.objects where bucket_id = $1 and name = $2";
static const char MOVE_SQL[] =
    "update storage.objects set bucket_id = $3, name = $4, updated_at = pg_catalog.now()"
    " where bucket_id = $1 and name = $2 and exists (select from storage.bucket_settings($3))"
    " returning id";

void storage_object_move(request *req, response *res)
{
    storage_target t;
    storage_target_base(req, &t);
    transfer x;
    if (!transfer_of(req, res, &x))
        return;
    db_caller caller = storage_caller(req, t.s);
    db_txn *txn = db_txn_new(req->arena, req->app->db, &caller);
    const char *params[] = {x.bucket, x.source, x.dst_bucket, x.destination};
    int qv = db_txn_add(txn, MOVE_VISIBLE_SQL, 3, params);
    int qm = db_txn_add(txn, MOVE_SQL, 4, params);
    db_status st = db_txn_run(txn, t.s->txn_wait_ms);
    if (st != DB_OK) {
        storage_db_failure(res, txn, st, "update");
        return;
    }
    PGresult *v = db_txn_result(txn, qv);
    if (PQntuples(db_txn_result(txn, qm)) == 1)
        response_json(res, 200, "{\"message\":\"Successfully moved\"}");
    else if (atol(PQgetvalue(v, 0, 1)) == 0)
        storage_bucket_not_found(res);
    else if (atol(PQgetvalue(v, 0, 0)) > 0)
        storage_error(res, 403, "AccessDenied",
                      "row-level security policy refused this move: the update policy of "
                      "storage.objects does not allow it");
    else
        storage_not_found(res);
}

#define COPY_SQL(conflict)                                                                         \
    "with src as (select id, version, metadata, user_metadata from storage.objects"                \
    " where bucket_id = $1 and name = $2),"                                                        \
    " old as (select version from storage.objects where bucket_id = $3 and name = $4)"             \
    " insert into storage.objects as o (bucket_id, name, owner, owner_id, metadata,"               \
    " user_metadata, version) select $3, $4, case when $5 ~*"                                      \
    " '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then $5::uuid end,"         \
    " nullif($5, ''), src.metadata, src.user_metadata, $6 from src"                                \
    " where exists (select from storage.bucket_settings($3)) " conflict                            \
    " returning o.id, (select id from src), (select version from src), (select version from old)"
static const char COPY_INSERT_SQL[] = COPY_SQL("");
static const char COPY_UPSERT_SQL[] =
    COPY_SQL("on conflict (bucket_id, name) do update set owner = excluded.owner,"
             " owner_id = excluded.owner_id, metadata = excluded.metadata,"
             " user_metadata = excluded.user_metadata, version = excluded.version,"
             " updated_at = pg_catalog.now()");

static void copy_reply(response *res, const char *id, const char *full)
{
    json_object *reply = json_object_new_object();
    json_object_object_add(reply, "id", json_object_new_string(id));
    json_object_object_add(reply, "key", json_object_new_string(full));
    json_object_object_add(reply, "Id", json_object_new_string(id));
    json_object_object_add(reply, "Key", json_object_new_string(full));
    storage_json(res, 200, reply);
}

void storage_object_copy(request *req, response *res)
{
    storage_target t;
    storage_target_base(req, &t);
    transfer x;
    if (!transfer_of(req, res, &x))
        return;
    const char *upsert = request_header(req, "x-upsert");
    bool up = upsert && strcasecmp(upsert, "true") == 0;
    const char *version = storage_new_version(req->arena);
    const char *sub = req->auth ? req->auth->sub : "";
    const char *params[] = {x.bucket, x.source, x.dst_bucket, x.destination, sub, version};
    db_caller caller = storage_caller(req, t.s);
    db_txn *txn = db_txn_new_block(req->arena, req->app->db, &caller);
    int q = db_txn_add(txn, up ? COPY_UPSERT_SQL : COPY_INSERT_SQL, 6, params);
    db_status st = db_txn_run(txn, t.s->txn_wait_ms);
    PGresult *r = st == DB_OK ? db_txn_result(txn, q) : NULL;
    if (!r || PQntuples(r) == 0) {
        db_txn_end_block(txn, t.s->txn_wait_ms);
        if (!r)
            storage_db_failure(res, txn, st, up ? "upsert" : "insert");
        else
            storage_not_found(res);
        return;
    }
    const char *id = arena_strdup(req->arena, PQgetvalue(r, 0, 0));
    const char *old = PQgetisnull(r, 0, 3) ? NULL : arena_strdup(req->arena, PQgetvalue(r, 0, 3));
    if (!t.be->copy(t.s, req->arena, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), id, version, txn)) {
        db_txn_end_block(txn, t.s->txn_wait_ms);
        storage_backend_failure(res, t.be, "could not copy the object's file");
        return;
    }
    db_txn_add(txn, "commit", 0, NULL);
    st = db_txn_run(txn, t.s->txn_wait_ms);
    db_txn_end_block(txn, t.s->txn_wait_ms);
    if (st != DB_OK) {
        t.be->remove(t.s, req->arena, id, version);
        storage_db_failure(res, txn, st, "insert");
        return;
    }
    if (old)
        t.be->remove(t.s, req->arena, id, old);
    copy_reply(res, id, storage_full_key(req->arena, x.dst_bucket, x.destination));
}
