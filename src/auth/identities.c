/* DELETE /user/identities/{id} (supabase-js unlinkIdentity): removes one of
 * the caller's identities — never the last one (422
 * single_identity_not_deletable), never another user's (404) — and keeps
 * app_metadata.provider/providers in step (auth.identity_unlink). Linking
 * is GET /user/identities/authorize (oauth_authorize.c) and the callback
 * (oauth_callback.c, auth.oauth_link). Answers 200 {}. */
#include "auth/auth_txn.h"
#include "auth/handlers.h"
#include "auth/reply.h"
#include "core/uuid.h"

#include <string.h>

#define UNLINK_SQL "select auth.identity_unlink($1::uuid, $2::uuid, $3)"

void auth_unlink_identity(request *req, response *res)
{
    const char *uid = req->auth ? req->auth->sub : NULL;
    const char *id = request_param(req, "id");
    if (!uuid_text_valid(uid)) {
        auth_error(res, 401, "no_authorization", "this endpoint needs a user's access token");
        return;
    }
    if (!uuid_text_valid(id)) {
        auth_error(res, 404, "identity_not_found", "Identity doesn't exist");
        return;
    }
    db_txn *t = auth_txn_new(req);
    const char *v[] = {uid, id, req->client_addr};
    int q = db_txn_add(t, UNLINK_SQL, 3, v);
    if (!auth_txn_run(t, req, res))
        return;
    const char *status = PQgetvalue(db_txn_result(t, q), 0, 0);
    if (strcmp(status, "ok") == 0)
        response_json(res, 200, "{}");
    else if (strcmp(status, "last") == 0)
        auth_error(res, 422, "single_identity_not_deletable",
                   "User must have at least 1 identity after unlinking");
    else
        auth_error(res, 404, "identity_not_found", "Identity doesn't exist");
}
