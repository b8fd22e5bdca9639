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
#include "storage/callers.h"
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

/* A fresh random (version 4) UUID for a new object row. */
const char *storage_new_id(arena *a);

/* "bucket/key" as replies and tokens name an object. */
const char *storage_full_key(arena *a, const char *bucket, const char *key);

#endif
