/* The routes of signed resumable uploads (/storage/v1/upload/resumable/
 * sign, header x-signature; see tus_signature.h): creation checks the token
 * against the Upload-Metadata object and takes owner and upsert from it;
 * HEAD, PATCH and DELETE check it against the upload's object (tus.c). */
#include "storage/reply.h"
#include "storage/tus.h"

#include <string.h>

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
    if (!storage_tus_meta_parse(req->arena, request_header(req, "upload-metadata"), &m, &why) ||
        !storage_tus_signer_owner(req, &signer, m.bucket, m.object))
        signer.owner = "";
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
