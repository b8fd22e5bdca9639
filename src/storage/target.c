/* Request targets and database callers of the storage area; see target.h. */
#include "storage/target.h"

#include "storage/key.h"
#include "storage/reply.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

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

const char *storage_new_id(arena *a)
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        abort(); /* no randomness: nothing safe to do */
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    return arena_printf(a, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                        b[12], b[13], b[14], b[15]);
}

const char *storage_full_key(arena *a, const char *bucket, const char *key)
{
    return arena_printf(a, "%s/%s", bucket, key);
}
