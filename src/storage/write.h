/* Writing an object: bucket settings, the body streamed into the backend,
 * MIME judged from the sniffed content, then the row written as the caller
 * under RLS and the file placed before COMMIT (removed again if the commit
 * fails; the replaced version removed after it succeeds). Shared by
 * the object upload routes (POST and PUT) and the signed upload PUT. */
#ifndef PGSTACK_STORAGE_WRITE_H
#define PGSTACK_STORAGE_WRITE_H

#include "storage/ingest.h"
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

/* Would the caller's INSERT (or upsert) of t's key pass, with owner as
 * the owner? Tried in a transaction that is rolled back (signed upload
 * URLs, resumable uploads). Fills *info with the bucket's settings when
 * not NULL; false after an error reply (404 bucket, 403, 409). */
bool storage_upload_allowed(request *req, response *res, const storage_target *t,
                            const db_caller *caller, const char *owner, bool upsert,
                            storage_bucket_info *info);

/* The largest object one request may store in bucket b:
 * min(STORAGE_MAX_BODY, file_size_limit). */
long storage_bucket_limit(const storage_settings *s, const storage_bucket_info *b);

/* The steps after the bytes are in body->blob (ingested, or a completed
 * resumable upload): sniffing and MIME rules, then the row under RLS, the
 * file placed and COMMIT. The blob is placed or discarded. */
void storage_write_finish(request *req, response *res, const storage_target *t,
                          const storage_write *w, const storage_bucket_info *b, storage_body *body);

#endif
