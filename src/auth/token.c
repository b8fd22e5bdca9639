/* POST /token?grant_type=password and ?grant_type=refresh_token.
 * Password: the user's hash is fetched (counting the request against the
 * rate limit), verified with bcrypt in the worker — or an equal amount of
 * work is burnt for an unknown email — and a session is started.
 * Refresh: the token is rotated by auth.refresh_rotate; reuse of a rotated
 * token after REFRESH_TOKEN_REUSE_INTERVAL revokes the whole session. */
#include "auth/auth_settings.h"
#include "auth/auth_txn.h"
#include "auth/body.h"
#include "auth/handlers.h"
#include "auth/password.h"
#include "auth/reply.h"
#include "auth/secret_token.h"
#include "worker/app.h"

#include <string.h>

#define FIND_USER_SQL                                                                              \
    "select id, encrypted_password, email_confirmed_at is not null, "                              \
    "coalesce(banned_until > now(), false) from auth.users where lower(email) = lower($1)"
#define START_SESSION_SQL                                                                          \
    "select user_json, claims, expires_at from auth.start_session($1::uuid, $2, $3::int, "         \
    "$4::int, $5, $6, 'password')"
#define REFRESH_SQL                                                                                \
    "select status, user_json, claims, expires_at from auth.refresh_rotate($1, $2, $3::int, "      \
    "$4::int, $5::int, $6)"

static void invalid_credentials(response *res)
{
    auth_error(res, 401, "invalid_credentials", "invalid email or password");
}

static void start_session(request *req, response *res, const char *user_id)
{
    const auth_settings *cfg = auth_settings_of(req);
    char *refresh = secret_token_new(req->arena);
    const char **v = arena_alloc(req->arena, 6 * sizeof(char *));
    v[0] = user_id;
    v[1] = secret_token_hash(req->arena, refresh);
    v[2] = arena_printf(req->arena, "%ld", cfg->refresh_token_ttl_s);
    v[3] = arena_printf(req->arena, "%ld", cfg->jwt_expiry_s);
    v[4] = req->client_addr;
    v[5] = request_header(req, "user-agent");
    db_txn *t = auth_txn_new(req);
    int q = db_txn_add(t, START_SESSION_SQL, 6, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    auth_reply_session(req, res, 200, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
                       refresh);
}

static void password_grant(request *req, response *res, json_object *body)
{
    const auth_settings *cfg = auth_settings_of(req);
    const char *email = NULL, *password = NULL;
    if (!body_string(body, "email", &email, res) || !body_string(body, "password", &password, res))
        return;
    if (!email || !password) {
        auth_error(res, 400, "validation_failed", "email and password are required");
        return;
    }
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, "auth", cfg->auth_rate_limit);
    const char **v = arena_alloc(req->arena, sizeof(char *));
    v[0] = email;
    int q = db_txn_add(t, FIND_USER_SQL, 1, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    if (PQntuples(r) == 0 || PQgetisnull(r, 0, 1)) {
        password_burn(password, (int)cfg->auth_bcrypt_cost);
        invalid_credentials(res);
        return;
    }
    if (!password_verify(password, PQgetvalue(r, 0, 1))) {
        invalid_credentials(res);
        return;
    }
    if (strcmp(PQgetvalue(r, 0, 2), "f") == 0 && cfg->require_email_verification) {
        auth_error(res, 400, "email_not_confirmed", "email not confirmed");
        return;
    }
    if (strcmp(PQgetvalue(r, 0, 3), "t") == 0) {
        auth_error(res, 400, "user_banned", "user is banned");
        return;
    }
    start_session(req, res, PQgetvalue(r, 0, 0));
}

static void refresh_grant(request *req, response *res, json_object *body)
{
    const auth_settings *cfg = auth_settings_of(req);
    const char *token = NULL;
    if (!body_string(body, "refresh_token", &token, res))
        return;
    if (!token || !*token) {
        auth_error(res, 400, "validation_failed", "refresh_token is required");
        return;
    }
    char *fresh = secret_token_new(req->arena);
    const char **v = arena_alloc(req->arena, 6 * sizeof(char *));
    v[0] = secret_token_hash(req->arena, token);
    v[1] = secret_token_hash(req->arena, fresh);
    v[2] = arena_printf(req->arena, "%ld", cfg->refresh_token_ttl_s);
    v[3] = arena_printf(req->arena, "%ld", cfg->refresh_token_reuse_interval_s);
    v[4] = arena_printf(req->arena, "%ld", cfg->jwt_expiry_s);
    v[5] = req->client_addr;
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, "auth", cfg->auth_rate_limit);
    int q = db_txn_add(t, REFRESH_SQL, 6, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    const char *status = PQgetvalue(r, 0, 0);
    if (strcmp(status, "ok") == 0)
        auth_reply_session(req, res, 200, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
                           PQgetvalue(r, 0, 3), fresh);
    else if (strcmp(status, "expired") == 0)
        auth_error(res, 401, "refresh_token_expired", "refresh token expired");
    else if (strcmp(status, "banned") == 0)
        auth_error(res, 400, "user_banned", "user is banned");
    else
        auth_error(res, 401, "refresh_token_not_found", "invalid refresh token");
}

void auth_token(request *req, response *res)
{
    const char *grant = query_get(&req->query, "grant_type");
    json_object *body = auth_body(req, res);
    if (!body)
        return;
    if (grant && strcmp(grant, "password") == 0)
        password_grant(req, res, body);
    else if (grant && strcmp(grant, "refresh_token") == 0)
        refresh_grant(req, res, body);
    else
        auth_error(res, 400, "unsupported_grant_type",
                   "grant_type must be password or refresh_token");
}
