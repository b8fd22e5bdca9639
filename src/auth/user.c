/* GET /user, PATCH /user and POST /logout: the signed-in user's own
 * profile and sessions. The user is the verified token's sub. As GoTrue
 * does, a token whose session_id claim names a session that has ended
 * (signed out, revoked, reused refresh token) is refused by GET and PATCH
 * /user with 403 session_not_found, which supabase-js takes as "signed
 * out" (AuthSessionMissingError) — so getUser() tells a server that the
 * session is over even while the access token has not yet expired.
 * A new email with REQUIRE_EMAIL_VERIFICATION waits in email_change (the
 * reply's "new_email") until the link mailed to the new address is used
 * (GET/POST /verify, type email_change); the mail goes out before anything
 * is written (email_flow.h). With SECURE_EMAIL_CHANGE a second link goes
 * to the current address, and both must be used (sql/0017). */
#include "auth/auth_settings.h"
#include "auth/auth_txn.h"
#include "auth/body.h"
#include "auth/email_address.h"
#include "auth/email_flow.h"
#include "auth/handlers.h"
#include "auth/mailer.h"
#include "auth/password.h"
#include "auth/reauthenticate.h"
#include "auth/reply.h"
#include "core/uuid.h"
#include "worker/app.h"
#include "worker/credentials.h"

#include <string.h>

#define SESSION_ALIVE_SQL                                                                          \
    "($2 = '' or exists (select from auth.sessions s where s.id::text = $2 and s.user_id = u.id))"
#define GET_USER_SQL                                                                               \
    "select auth.user_json(u)::text, " SESSION_ALIVE_SQL " from auth.users u where u.id = "        \
    "$1::uuid"
#define CHECK_SESSION_SQL "select " SESSION_ALIVE_SQL " from auth.users u where u.id = $1::uuid"
#define UPDATE_USER_SQL                                                                            \
    "update auth.users u set "                                                                     \
    "raw_user_meta_data = u.raw_user_meta_data || coalesce($2::jsonb, '{}'), "                     \
    "encrypted_password = coalesce($3, u.encrypted_password), "                                    \
    "email = coalesce(lower($4), u.email), updated_at = now() "                                    \
    "where u.id = $1::uuid returning auth.user_json(u)::text"
#define EMAIL_STATE_SQL                                                                            \
    "select lower(u.email) is not distinct from lower($2), exists (select from auth.users o "      \
    "where lower(o.email) = lower($2) and o.id <> u.id), u.email from auth.users u where u.id = "  \
    "$1::uuid"
#define EMAIL_CHANGE_SQL "select auth.request_email_change($1::uuid, $2, $3, $4::int, $5, $6)"
#define EMAIL_CHANGE_CURRENT_SQL                                                                   \
    "select auth.email_change_token($1::uuid, $2, 'email_change_current', $3, $4::int, $5, $6, "   \
    "false)"
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
    if (json_object_object_get_ex(credentials_claims(req), name, &v) &&
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

static void session_not_found(response *res)
{
    auth_error(res, 403, "session_not_found",
               "Session from session_id claim in JWT does not exist");
}

void auth_user_get(request *req, response *res)
{
    const char *uid = caller_user_id(req, res);
    if (!uid)
        return;
    db_txn *t = auth_txn_new(req);
    const char *v[] = {uid, claim_string(req, "session_id")};
    int q = db_txn_add(t, GET_USER_SQL, 2, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    if (PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 1), "f") == 0)
        session_not_found(res);
    else
        reply_user_row(res, r);
}

/* Does the caller's session still exist (or has the token none)? False
 * after replying (403 session_not_found, 404, 503...). */
static bool caller_session_alive(request *req, response *res, const char *uid)
{
    const char *session_id = claim_string(req, "session_id");
    if (!*session_id)
        return true;
    db_txn *t = auth_txn_new(req);
    const char *v[] = {uid, session_id};
    int q = db_txn_add(t, CHECK_SESSION_SQL, 2, v);
    if (!auth_txn_run(t, req, res))
        return false;
    PGresult *r = db_txn_result(t, q);
    if (PQntuples(r) == 0) {
        auth_error(res, 404, "user_not_found", "user not found");
        return false;
    }
    if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
        session_not_found(res);
        return false;
    }
    return true;
}

/* Checks the PATCH /user fields; false after replying 400. */
static bool check_update(request *req, response *res, const char *email, const char *password,
                         const char **hash)
{
    if (email && !auth_email_address_valid(email)) {
        auth_error(res, 400, "validation_failed", "invalid email address");
        return false;
    }
    const char *problem = password ? auth_password_problem(password) : NULL;
    if (problem) {
        auth_error_weak_password(res, problem);
        return false;
    }
    if (password && !(*hash = auth_password_hash(req->arena, password,
                                                 (int)auth_settings_of(req)->auth_bcrypt_cost))) {
        auth_error(res, 500, "unexpected_failure", "could not hash the password");
        return false;
    }
    return true;
}

/* Queues the profile update (metadata, password hash; email when it
 * changes at once) with its audit entries; returns the index of the
 * statement whose result is the updated user. */
static int add_update(request *req, db_txn *t, const char *uid, const char *metadata,
                      const char *hash, const char *email)
{
    /* the statements keep pointers to their values until the run */
    const char **v = arena_alloc(req->arena, 12 * sizeof(char *));
    const char *values[] = {uid,
                            metadata,
                            hash,
                            email,
                            uid,
                            "password_changed",
                            req->client_addr,
                            hash ? "true" : "false",
                            uid,
                            "email_changed",
                            req->client_addr,
                            email ? "true" : "false"};
    memcpy(v, values, sizeof values);
    int q = db_txn_add(t, UPDATE_USER_SQL, 4, v);
    db_txn_add(t, AUDIT_SQL, 4, v + 4);
    db_txn_add(t, AUDIT_SQL, 4, v + 8);
    return q;
}

/* Is the new address the current one, or taken? Counts the request in the
 * rate limit (it sends mail). False after replying; *same tells whether
 * the address is unchanged, *current is the current address (NULL: none,
 * an anonymous user). */
static bool email_change_allowed(request *req, response *res, const char *uid, const char *email,
                                 bool *same, const char **current)
{
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, "auth", auth_settings_of(req)->auth_rate_limit);
    const char *v[] = {uid, email};
    int q = db_txn_add(t, EMAIL_STATE_SQL, 2, v);
    if (!auth_txn_run(t, req, res))
        return false;
    PGresult *r = db_txn_result(t, q);
    if (PQntuples(r) == 0) {
        auth_error(res, 404, "user_not_found", "user not found");
        return false;
    }
    if (strcmp(PQgetvalue(r, 0, 1), "t") == 0) {
        auth_error(res, 409, "email_exists", "email already registered");
        return false;
    }
    *same = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    *current = PQgetisnull(r, 0, 2) ? NULL : arena_strdup(req->arena, PQgetvalue(r, 0, 2));
    return true;
}

/* Mails the new address (and, for a secure change, the current one: a
 * non-NULL current), then stores the update and the pending change. */
static void update_with_email_change(request *req, response *res, const char *uid,
                                     const char *metadata, const char *hash, const char *email,
                                     const char *current, const pkce_request *pkce)
{
    mailed_token token, other = {0};
    const char *redirect = auth_email_flow_redirect(req);
    if (!auth_mailed_token_new(req, res, email, &token) ||
        (current && !auth_mailed_token_new(req, res, current, &other)) ||
        !auth_mail_send(req, res, MAIL_EMAIL_CHANGE, email, &token, redirect) ||
        (current &&
         !auth_mail_send(req, res, MAIL_EMAIL_CHANGE_CURRENT, current, &other, redirect)))
        return;
    db_txn *t = auth_txn_new(req);
    add_update(req, t, uid, metadata, hash, NULL);
    const char *ttl = auth_email_flow_ttl(req, EMAIL_CHANGE_TTL_S);
    const char *v[] = {uid, email, token.hash, ttl, redirect, req->client_addr};
    int q = db_txn_add(t, EMAIL_CHANGE_SQL, 6, v);
    auth_email_flow_store_extras(req, t, &token, pkce);
    const char *w[] = {uid, email, current ? other.hash : NULL, ttl, redirect, req->client_addr};
    if (current) {
        db_txn_add(t, EMAIL_CHANGE_CURRENT_SQL, 6, w);
        auth_email_flow_store_extras(req, t, &other, pkce);
    }
    if (auth_txn_run(t, req, res))
        reply_user_row(res, db_txn_result(t, q));
}

void auth_user_update(request *req, response *res)
{
    const char *uid = caller_user_id(req, res);
    json_object *body = uid ? auth_body(req, res) : NULL;
    const char *email = NULL, *password = NULL, *metadata = NULL, *hash = NULL, *nonce = NULL;
    pkce_request pkce;
    if (!body || !auth_body_string(body, "email", &email, res) ||
        !auth_body_string(body, "password", &password, res) ||
        !auth_body_string(body, "nonce", &nonce, res) ||
        !auth_body_object_text(req, body, "data", &metadata, res) ||
        !auth_email_flow_pkce(req, res, body, &pkce) || !caller_session_alive(req, res, uid) ||
        (password &&
         !auth_reauthentication_ok(req, res, uid, claim_string(req, "session_id"), nonce)) ||
        !check_update(req, res, email, password, &hash))
        return;
    if (email && auth_settings_of(req)->require_email_verification) {
        bool same = false;
        const char *current = NULL;
        if (!email_change_allowed(req, res, uid, email, &same, &current))
            return;
        if (!same) {
            update_with_email_change(req, res, uid, metadata, hash, email,
                                     auth_settings_of(req)->secure_email_change ? current : NULL,
                                     &pkce);
            return;
        }
        email = NULL;
    }
    db_txn *t = auth_txn_new(req);
    int q = add_update(req, t, uid, metadata, hash, email);
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
