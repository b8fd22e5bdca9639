/* What a storage request is about, judged before anything else runs: the
 * bucket and object key from the route (checked against the raw request
 * path too, see key.h), the worker's settings and backend, and who the
 * database work runs as. */
#ifndef PGSTACK_STORAGE_TARGET_H
#define PGSTACK_STORAGE_TARGET_H

#include "core/request.h"
#include "core/response.h"
#include "db/txn.h"
#include "storage/backend.h"
#include "storage/storage_settings.h"

typedef struct storage_target {
    const storage_settings *s;
    const storage_backend *be;
    const char *bucket;
    const char *key; /* NULL for bucket-level routes */
} storage_target;

/* Fills t from the route parameter "bucket" and, when want_key, the
 * wildcard; replies 400 and returns false for a refused name or key. */
bool storage_target_get(request *req, response *res, bool want_key, storage_target *t);

/* Just the settings and backend (routes without a bucket in the path). */
void storage_target_base(request *req, storage_target *t);

/* The request's own caller (role and claims of its JWT). */
db_caller storage_caller(const request *req, const storage_settings *s);
/* service_role, for public and signed URLs (the token or the bucket's
 * public flag has already decided). */
db_caller storage_service_caller(const request *req, const storage_settings *s);

/* "bucket/key" as replies and tokens name an object. */
const char *storage_full_key(arena *a, const char *bucket, const char *key);

#endif
