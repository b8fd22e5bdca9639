/* GET /user, PATCH /user and POST /logout: the signed-in user's own
 * profile and sessions. The user is the verified token's sub. */
#include "auth/auth_txn.h"
#include "auth/body.h"
#include "auth/email_address.h"
#include "auth/handlers.h"
#include "auth/password.h"
#include "auth/reply.h"
#include "core/app.h"
#include "core/uuid.h"
#include "jwt/credentials.h"

#include <string.h>

#define GET_USER_SQL "select auth.user_json(u)::text from auth.users u where u.id = $1::uuid"
#define UPDATE_USER_SQL                                                                            \
    "update auth.users u set "                                                                     \
    "raw_user_meta_data = u.raw_user_meta_data || coalesce($2::jsonb, '{}'), "                     \
    "encrypted_password = coalesce($3, u.encrypted_password), "                                    \
    "email = coalesce(lower($4), u.email), updated_at = now() "                                    \
    "where u.id = $1::uuid returning auth.user_json(u)::text"
#define AUDIT_SQL                                                                                  \
    "insert into auth.audit_log (user_id, action, ip) select $1::uuid, $2, $3 where $4::boolean"
#define LOGOUT_SQL                                                                                 \
    "with gone as (delete from auth.sessions where user_id = $1::uuid and "                        \
    "($2 = 'global' or ($2 = 'local' and id::text = $3) or ($2 = 'others' and id::text <> $3)) "   \
    "returning 1) insert into auth.audit_log (user_id, action, ip, detail) "                       \
    "values ($1::uuid, 'logout', $4, jsonb_build_object('scope', $2, 'sessions', "                 \
    "(select count(*) from gone)))"

/* The caller's user id; NULL after replying 401 for tokens of no user. */
static const char *caller_user_id(request *req, response *res)
{
    const char *sub = req->auth ? req->auth->sub : NULL;
    if (!uuid_text_valid(sub)) {
        auth_error(res, 401, "no_authorization", "this endpoint needs a user's access token");
        return NULL;
    }
    return sub;
}

static const char *claim_string(request *req, const char *name)
{
    json_object *v;
    if (json_object_object_get_ex(req->auth->claims, name, &v) &&
        json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return "";
}

static void reply_user_row(response *res, PGresult *r)
{
    if (PQntuples(r) == 0)
        auth_error(res, 404, "user_not_found", "user not found");
    else
        response_json(res, 200, PQgetvalue(r, 0, 0));
}

void auth_user_get(request *req, response *res)
{
    const char *uid = caller_user_id(req, res);
    if (!uid)
        return;
    db_txn *t = auth_txn_new(req);
    const char *v[] = {uid};
    int q = db_txn_add(t, GET_USER_SQL, 1, v);
    if (auth_txn_run(t, req, res))
        reply_user_row(res, db_txn_result(t, q));
}

/* Checks the PATCH /user fields; false after replying 400. */
static bool check_update(request *req, response *res, const char *email, const char *password,
                         const char **hash)
{
    if (email && !email_address_valid(email)) {
        auth_error(res, 400, "validation_failed", "invalid email address");
        return false;
    }
    const char *problem = password ? password_problem(password) : NULL;
    if (problem) {
        auth_error(res, 400, "weak_password", problem);
        return false;
    }
    if (password &&
        !(*hash = password_hash(req->arena, password, (int)req->app->cfg.auth_bcrypt_cost))) {
        auth_error(res, 500, "unexpected_failure", "could not hash the password");
        return false;
    }
    return true;
}

void auth_user_update(request *req, response *res)
{
    const char *uid = caller_user_id(req, res);
    json_object *body = uid ? auth_body(req, res) : NULL;
    const char *email = NULL, *password = NULL, *metadata = NULL, *hash = NULL;
    if (!body || !body_string(body, "email", &email, res) ||
        !body_string(body, "password", &password, res) ||
        !body_object_text(req, body, "data", &metadata, res) ||
        !check_update(req, res, email, password, &hash))
        return;
    if (email && req->app->cfg.require_email_verification) {
        auth_error(res, 501, "not_implemented",
                   "email change with verification needs the mailer, which is not available yet");
        return;
    }
    db_txn *t = auth_txn_new(req);
    const char *v[] = {uid, metadata, hash, email};
    int q = db_txn_add(t, UPDATE_USER_SQL, 4, v);
    const char *pw[] = {uid, "password_changed", req->client_addr, hash ? "true" : "false"};
    db_txn_add(t, AUDIT_SQL, 4, pw);
    const char *em[] = {uid, "email_changed", req->client_addr, email ? "true" : "false"};
    db_txn_add(t, AUDIT_SQL, 4, em);
    if (auth_txn_run(t, req, res))
        reply_user_row(res, db_txn_result(t, q));
}

void auth_logout(request *req, response *res)
{
    const char *uid = caller_user_id(req, res);
    if (!uid)
        return;
    const char *scope = query_get(&req->query, "scope");
    if (!scope)
        scope = "global";
    if (strcmp(scope, "global") && strcmp(scope, "local") && strcmp(scope, "others")) {
        auth_error(res, 400, "validation_failed", "scope must be global, local or others");
        return;
    }
    db_txn *t = auth_txn_new(req);
    const char *v[] = {uid, scope, claim_string(req, "session_id"), req->client_addr};
    db_txn_add(t, LOGOUT_SQL, 4, v);
    if (auth_txn_run(t, req, res))
        response_empty(res, 204);
}
