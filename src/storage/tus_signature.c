/* Checking the x-signature token of signed resumable uploads; see
 * tus_signature.h. */
#include "storage/tus_signature.h"

#include "storage/reply.h"
#include "storage/target.h"
#include "storage/token.h"

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

bool storage_tus_signer_owner(request *req, storage_tus_signer *signer, const char *bucket,
                              const char *object)
{
    storage_token tok;
    if (verify(req, signer->token, bucket, object, &tok) != TOKEN_OK)
        return false;
    signer->owner = tok.owner;
    signer->upsert = tok.upsert;
    return true;
}
