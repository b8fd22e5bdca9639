/* POST /token?grant_type=password, ?grant_type=refresh_token and
 * ?grant_type=pkce (?grant_type=id_token: id_token_grant.c).
 * Password: the user's hash is fetched (counting the request against the
 * rate limit), verified with bcrypt in the worker — or an equal amount of
 * work is burnt for an unknown email — and a session is started.
 * Refresh: the token is rotated by auth.refresh_rotate; reuse of a rotated
 * token after REFRESH_TOKEN_REUSE_INTERVAL revokes the whole session.
 * PKCE (supabase-js exchangeCodeForSession): {auth_code, code_verifier};
 * auth.pkce_exchange uses the flow state once — an unknown or used code is
 * 404 flow_state_not_found, an expired one 422 flow_state_expired, a
 * verifier that does not match the challenge 400 bad_code_verifier (and
 * the code is void) — and starts the session of the flow that made it; an
 * OAuth sign-in also gets the provider's tokens back, as GoTrue's reply
 * carries them. */
#include "auth/auth_settings.h"
#include "auth/auth_txn.h"
#include "auth/body.h"
#include "auth/handlers.h"
#include "auth/oauth_state.h"
#include "auth/password.h"
#include "auth/pkce.h"
#include "auth/reply.h"
#include "auth/secret_token.h"
#include "worker/app.h"
#include "core/json_text.h"

#include <string.h>
#include <time.h>

#define FIND_USER_SQL                                                                              \
    "select id, encrypted_password, email_confirmed_at is not null, "                              \
    "coalesce(banned_until > now(), false) from auth.users where lower(email) = lower($1)"
#define START_SESSION_SQL                                                                          \
    "select user_json, claims, expires_at from auth.start_session($1::uuid, $2, $3::int, "         \
    "$4::int, $5, $6, 'password')"
#define PKCE_SQL                                                                                   \
    "select status, user_json, claims, expires_at, method, provider_tokens_sealed from "           \
    "auth.pkce_exchange($1, $2, $3, $4, $5::int, $6::int, $7, $8)"
#define AUTH_CODE_MAX 256
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
    char *refresh = auth_secret_token_new(req->arena);
    const char **v = arena_alloc(req->arena, 6 * sizeof(char *));
    v[0] = user_id;
    v[1] = auth_secret_token_hash(req->arena, refresh);
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
    if (!auth_body_string(body, "email", &email, res) ||
        !auth_body_string(body, "password", &password, res))
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
        auth_password_burn(password, (int)cfg->auth_bcrypt_cost);
        invalid_credentials(res);
        return;
    }
    if (!auth_password_verify(password, PQgetvalue(r, 0, 1))) {
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
    if (!auth_body_string(body, "refresh_token", &token, res))
        return;
    if (!token || !*token) {
        auth_error(res, 400, "validation_failed", "refresh_token is required");
        return;
    }
    char *fresh = auth_secret_token_new(req->arena);
    const char **v = arena_alloc(req->arena, 6 * sizeof(char *));
    v[0] = auth_secret_token_hash(req->arena, token);
    v[1] = auth_secret_token_hash(req->arena, fresh);
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

/* ,"provider_token":...,"provider_refresh_token":... of a parked OAuth
 * sign-in, or "" when there is none or it does not open. */
static const char *provider_fields(request *req, PGresult *r)
{
    oauth_state s;
    if (PQgetisnull(r, 0, 5) ||
        auth_oauth_state_open_parked(req->arena, req->app->cfg.jwt_secret, PQgetvalue(r, 0, 5),
                                     time(NULL), &s) != OAUTH_STATE_OK ||
        !s.provider_token)
        return "";
    json_object *o = json_arena_owned(req->arena, json_object_new_object());
    json_object_object_add(o, "provider_token", json_object_new_string(s.provider_token));
    if (s.provider_refresh_token)
        json_object_object_add(o, "provider_refresh_token",
                               json_object_new_string(s.provider_refresh_token));
    const char *text = json_text(req->arena, o); /* {"provider_token":...} */
    return arena_printf(req->arena, ",%.*s", (int)strlen(text) - 2, text + 1);
}

static void flow_state_not_found(response *res)
{
    auth_error(res, 404, "flow_state_not_found", "invalid flow state, no valid flow state found");
}

static void pkce_reply(request *req, response *res, PGresult *r, const char *refresh)
{
    const char *status = PQgetvalue(r, 0, 0);
    if (strcmp(status, "ok") == 0)
        auth_reply_session_extra(req, res, 200, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
                                 PQgetvalue(r, 0, 3), refresh, provider_fields(req, r));
    else if (strcmp(status, "expired") == 0)
        auth_error(res, 422, "flow_state_expired", "invalid flow state, flow state has expired");
    else if (strcmp(status, "bad_verifier") == 0)
        auth_error(res, 400, "bad_code_verifier",
                   "code challenge does not match previously saved code verifier");
    else if (strcmp(status, "banned") == 0)
        auth_error(res, 400, "user_banned", "user is banned");
    else
        flow_state_not_found(res);
}

static void pkce_grant(request *req, response *res, json_object *body)
{
    const auth_settings *cfg = auth_settings_of(req);
    const char *code = NULL, *verifier = NULL;
    if (!auth_body_string(body, "auth_code", &code, res) ||
        !auth_body_string(body, "code_verifier", &verifier, res))
        return;
    if (!code || !*code || !verifier || !*verifier) {
        auth_error(res, 400, "validation_failed",
                   "invalid request: both auth code and code verifier should be non-empty");
        return;
    }
    if (!auth_pkce_verifier_valid(verifier)) {
        auth_error(res, 400, "validation_failed",
                   "code verifier must be 43 to 128 unreserved characters");
        return;
    }
    if (strlen(code) > AUTH_CODE_MAX) {
        flow_state_not_found(res);
        return;
    }
    char *refresh = auth_secret_token_new(req->arena);
    if (!refresh) {
        auth_error(res, 500, "unexpected_failure", "no randomness for a token");
        return;
    }
    const char **v = arena_alloc(req->arena, 8 * sizeof(char *));
    v[0] = auth_secret_token_hash(req->arena, code);
    v[1] = verifier;
    v[2] = auth_pkce_challenge_s256(req->arena, verifier);
    v[3] = auth_secret_token_hash(req->arena, refresh);
    v[4] = arena_printf(req->arena, "%ld", cfg->refresh_token_ttl_s);
    v[5] = arena_printf(req->arena, "%ld", cfg->jwt_expiry_s);
    v[6] = req->client_addr;
    v[7] = request_header(req, "user-agent");
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, "auth", cfg->auth_rate_limit);
    int q = db_txn_add(t, PKCE_SQL, 8, v);
    if (auth_txn_run(t, req, res))
        pkce_reply(req, res, db_txn_result(t, q), refresh);
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
    else if (grant && strcmp(grant, "pkce") == 0)
        pkce_grant(req, res, body);
    else if (grant && strcmp(grant, "id_token") == 0)
        auth_id_token_grant(req, res, body);
    else
        auth_error(res, 400, "unsupported_grant_type",
                   "grant_type must be password, refresh_token, pkce or id_token");
}
