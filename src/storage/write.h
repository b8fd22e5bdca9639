/* Writing an object: bucket settings, the body streamed into the backend,
 * MIME judged from the sniffed content, then the row written as the caller
 * under RLS and the file placed before COMMIT (removed again if the commit
 * fails; the replaced version removed after it succeeds). Shared by
 * the object upload routes (POST and PUT) and the signed upload PUT. */
#ifndef PGSTACK_STORAGE_WRITE_H
#define PGSTACK_STORAGE_WRITE_H

#include "storage/target.h"

typedef struct storage_write {
    bool upsert;
    db_caller caller;
    const char *owner; /* the JWT sub ("" for none) */
} storage_write;

void storage_write_object(request *req, response *res, const storage_target *t,
                          const storage_write *w);

/* A bucket's upload settings (from storage.bucket_settings). */
typedef struct storage_bucket_info {
    bool found;
    bool is_public;
    long file_size_limit; /* 0: none */
    const char **allowed; /* NULL: any type */
    int allowed_count;
} storage_bucket_info;

/* Reads them in the caller's transaction; false: the reply is written. */
bool storage_bucket_info_get(request *req, response *res, const storage_target *t,
                             const db_caller *caller, storage_bucket_info *out);

#endif
