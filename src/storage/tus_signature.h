/* Signed resumable uploads (/upload/resumable/sign, header x-signature:
 * a token of createSignedUploadUrl, token.h): no caller credentials, the
 * object is written as the token's signer (owner) with its upsert flag, as
 * the signed upload PUT does; every request must carry the token of the
 * upload's object. The routes are in tus_sign.c. */
#ifndef PGSTACK_STORAGE_TUS_SIGNATURE_H
#define PGSTACK_STORAGE_TUS_SIGNATURE_H

#include "core/request.h"
#include "core/response.h"

#include <stdbool.h>

/* creator_role of a signed upload's row */
#define STORAGE_TUS_SIGNED_ROLE "signed upload"

typedef struct storage_tus_signer {
    const char *token; /* x-signature */
    const char *owner; /* the token's signer */
    bool upsert;
} storage_tus_signer;

/* Is the token valid for bucket/object (scope upload)? false after a 400
 * reply naming why. */
bool storage_tus_signer_check(request *req, response *res, const storage_tus_signer *signer,
                              const char *bucket, const char *object);
/* The same without a reply (an upload the token does not name is "not
 * found"). */
bool storage_tus_signer_allows(request *req, const storage_tus_signer *signer, const char *bucket,
                               const char *object);

/* The token's owner and upsert flag for bucket/object; false when the
 * token is not valid for it. */
bool storage_tus_signer_owner(request *req, storage_tus_signer *signer, const char *bucket,
                              const char *object);

#endif
