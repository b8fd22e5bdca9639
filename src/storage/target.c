/* Request targets and database callers of the storage area; see target.h. */
#include "storage/target.h"

#include "worker/caller.h"
#include "storage/key.h"
#include "storage/reply.h"

#include <string.h>

void storage_target_base(request *req, storage_target *t)
{
    memset(t, 0, sizeof *t);
    t->s = storage_settings_get(req->app);
    t->be = storage_backend_get(t->s);
}

bool storage_target_get(request *req, response *res, bool want_key, storage_target *t)
{
    storage_target_base(req, t);
    const char *why = NULL;
    if (!storage_raw_path_valid(req->raw_path ? req->raw_path : "", &why)) {
        storage_invalid_key(res, req->full_path, why);
        return false;
    }
    t->bucket = request_param(req, "bucket");
    if (!storage_bucket_name_valid(t->bucket)) {
        storage_error(res, 400, "InvalidBucketName", "Bucket name invalid");
        return false;
    }
    if (!want_key)
        return true;
    t->key = req->wildcard;
    if (!storage_key_valid(t->key, &why)) {
        storage_invalid_key(res, t->key, why);
        return false;
    }
    return true;
}

db_caller storage_caller(const request *req, const storage_settings *s)
{
    return db_caller_from_request(req, s->statement_timeout_ms);
}

db_caller storage_service_caller(const request *req, const storage_settings *s)
{
    return (db_caller){
        .db_role = "service_role",
        .claim_role = "service_role",
        .claims_json = "{\"role\":\"service_role\"}",
        .sub = "",
        .method = req->method,
        .path = req->full_path,
        .headers_json = "{}",
        .statement_timeout_ms = s->statement_timeout_ms,
    };
}

const char *storage_full_key(arena *a, const char *bucket, const char *key)
{
    return arena_printf(a, "%s/%s", bucket, key);
}
