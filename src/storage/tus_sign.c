/* Signed resumable uploads (/storage/v1/upload/resumable/sign, header
 * x-signature); see tus.h. The token is the one createSignedUploadUrl
 * returns (token.h, scope upload, bound to bucket/object): creation checks
 * it against the Upload-Metadata object and takes owner and upsert from
 * it; HEAD, PATCH and DELETE check it against the upload's object. */
#include "storage/key.h"
#include "storage/reply.h"
#include "storage/target.h"
#include "storage/token.h"
#include "storage/tus.h"

#include <string.h>
#include <time.h>

static token_status verify(request *req, const char *token, const char *bucket, const char *object,
                           storage_token *out)
{
    const storage_settings *s = storage_settings_get(req->app);
    return storage_token_verify(req->arena, s, token, storage_full_key(req->arena, bucket, object),
                                "upload", time(NULL), out);
}

bool storage_tus_signer_check(request *req, response *res, const storage_tus_signer *signer,
                              const char *bucket, const char *object)
{
    storage_token tok;
    switch (verify(req, signer->token, bucket, object, &tok)) {
    case TOKEN_OK:
        return true;
    case TOKEN_EXPIRED:
        storage_error(res, 400, "ExpiredToken", "The provided token has expired.");
        return false;
    case TOKEN_WRONG_URL:
        storage_error(res, 400, "InvalidSignature", "Invalid signature");
        return false;
    case TOKEN_INVALID:
        break;
    }
    storage_error(res, 400, "InvalidJWT",
                  signer->token ? "invalid token" : "the x-signature header is missing");
    return false;
}

bool storage_tus_signer_allows(request *req, const storage_tus_signer *signer, const char *bucket,
                               const char *object)
{
    storage_token tok;
    return verify(req, signer->token, bucket, object, &tok) == TOKEN_OK;
}

static bool signer_of(request *req, response *res, storage_tus_signer *out)
{
    memset(out, 0, sizeof *out);
    out->token = request_header(req, "x-signature");
    if (out->token && *out->token)
        return true;
    storage_error(res, 400, "InvalidJWT", "the x-signature header is missing");
    return false;
}

void storage_tus_sign_create(request *req, response *res)
{
    storage_tus_signer signer;
    storage_tus_meta m;
    const char *why = NULL;
    if (!signer_of(req, res, &signer))
        return;
    /* owner and upsert come from the token of the object named in the
     * metadata; the creation judges the metadata itself (400s) */
    storage_token tok;
    if (storage_tus_meta_parse(req->arena, request_header(req, "upload-metadata"), &m, &why) &&
        verify(req, signer.token, m.bucket, m.object, &tok) == TOKEN_OK) {
        signer.owner = tok.owner;
        signer.upsert = tok.upsert;
    } else {
        signer.owner = "";
    }
    storage_tus_create_as(req, res, &signer);
}

void storage_tus_sign_head(request *req, response *res)
{
    storage_tus_signer signer;
    if (signer_of(req, res, &signer))
        storage_tus_head_as(req, res, &signer);
}

void storage_tus_sign_patch(request *req, response *res)
{
    storage_tus_signer signer;
    if (signer_of(req, res, &signer))
        storage_tus_patch_as(req, res, &signer);
}

void storage_tus_sign_delete(request *req, response *res)
{
    storage_tus_signer signer;
    if (signer_of(req, res, &signer))
        storage_tus_delete_as(req, res, &signer);
}
