/* TUS 1.0.0 resumable uploads under /storage/v1/upload/resumable
 * (creation, creation-with-upload, creation-defer-length, termination,
 * expiration), as tus-js-client and Supabase's docs use them. An upload
 * is a row of storage.uploads bound to the caller that created it, and a
 * part file of the backend that grows with each PATCH (each one a request under
 * STORAGE_MAX_BODY; the whole upload may reach the bucket's limit). The
 * caller's INSERT policy is tried at creation and the object row is
 * written as the caller, under RLS, when the last byte arrives; until then
 * no object exists. Uploads not finished within STORAGE_TUS_EXPIRY are
 * removed (a batch at each creation; all of them by `pgstack storage
 * cleanup`, tus_cleanup.h). */
#ifndef PGSTACK_STORAGE_TUS_H
#define PGSTACK_STORAGE_TUS_H

#include "core/arena.h"
#include "core/request.h"
#include "core/response.h"
#include "storage/tus_signature.h"

#include <stdbool.h>

typedef struct storage_tus_meta {
    const char *bucket;        /* bucketName */
    const char *object;        /* objectName */
    const char *content_type;  /* contentType */
    const char *cache_control; /* cacheControl (seconds) */
    const char *metadata;      /* metadata (JSON text) */
} storage_tus_meta;

/* Parses Upload-Metadata; false with *why ("Metadata header is required",
 * malformed pairs or base64, bucketName/objectName missing). */
bool storage_tus_meta_parse(arena *a, const char *header, storage_tus_meta *out, const char **why);

/* signer NULL: the request's caller. */
void storage_tus_create_as(request *req, response *res, const storage_tus_signer *signer);
void storage_tus_head_as(request *req, response *res, const storage_tus_signer *signer);
void storage_tus_patch_as(request *req, response *res, const storage_tus_signer *signer);
void storage_tus_delete_as(request *req, response *res, const storage_tus_signer *signer);

void storage_tus_sign_create(request *req, response *res);
void storage_tus_sign_head(request *req, response *res);
void storage_tus_sign_patch(request *req, response *res);
void storage_tus_sign_delete(request *req, response *res);

void storage_tus_options(request *req, response *res);
void storage_tus_create(request *req, response *res);
void storage_tus_head(request *req, response *res);
void storage_tus_patch(request *req, response *res);
void storage_tus_delete(request *req, response *res);

#endif
