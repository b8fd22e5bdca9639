/* Upload bodies streamed to the backend: a raw body is copied from the
 * request stream into a temporary blob in 64 KiB pieces (never held whole
 * in memory), hashed (MD5 → the ETag) and sized on the way; a
 * multipart/form-data body is spooled first, then its file part (storage-js
 * names the field "") is cut out of the spooled file (mapped, not read into
 * the heap) and its text fields (cacheControl, metadata, contentType) kept. */
#ifndef PGSTACK_STORAGE_INGEST_H
#define PGSTACK_STORAGE_INGEST_H

#include "core/http_io.h"
#include "core/request.h"
#include "storage/backend.h"

typedef struct storage_body {
    storage_blob blob; /* the object's bytes, not yet placed */
    long size;
    char md5[33];              /* hex */
    const char *declared_type; /* Content-Type of the body or file part */
    const char *cache_control; /* "max-age=3600" form, or NULL */
    const char *user_metadata; /* JSON object text, or NULL */
} storage_body;

typedef enum {
    INGEST_OK = 0,
    INGEST_TOO_LARGE, /* over the limit: 413 */
    INGEST_BAD,       /* malformed body: 400 */
    INGEST_FAILED,    /* the backend could not store it: 500 */
} ingest_status;

/* Reads the request body into out->blob. limit bounds the object's size
 * (and, for a multipart body, the whole request at max_body). On failure
 * nothing is left behind and *why says what went wrong. */
ingest_status storage_ingest(request *req, http_io *io, const storage_settings *s,
                             const storage_backend *be, long limit, storage_body *out,
                             const char **why);

/* Finds the file part of a multipart body held in [data, data+len):
 * boundary from the Content-Type; fills the part (pointer and length), its type and the
 * text fields. Exposed for unit tests. */
typedef struct storage_form {
    const char *part;
    size_t part_len;
    const char *part_type;
    const char *cache_control;
    const char *metadata;
    const char *content_type_field;
} storage_form;
bool storage_multipart_parse(arena *a, const char *content_type, const char *data, size_t len,
                             storage_form *form, const char **why);

#endif
