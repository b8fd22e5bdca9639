/* Auth replies; see reply.h. */
#include "auth/auth_settings.h"
#include "auth/reply.h"
#include "db/error.h"

#include "auth/urls.h"
#include "core/errors.h"
#include "core/sbuf.h"
#include "jwt/jwt_keys.h"
#include "jwt/jwt_sign.h"
#include "worker/app.h"

#include <stdlib.h>
#include <string.h>

/* GoTrue's error fields besides the spec's "error". */
static json_object *gotrue_error_fields(int status, const char *error_code, const char *message)
{
    json_object *extra = json_object_new_object();
    json_object_object_add(extra, "msg", json_object_new_string(message));
    json_object_object_add(extra, "code", json_object_new_int(status));
    json_object_object_add(extra, "error_code", json_object_new_string(error_code));
    return extra;
}

void auth_error(response *res, int status, const char *error_code, const char *message)
{
    http_error_with(res, status, message, gotrue_error_fields(status, error_code, message));
}

void auth_error_body(response *res, const char *error_code, const char *detail)
{
    const char *message = arena_printf(res->arena, "invalid request body: %s", detail);
    json_object *extra = gotrue_error_fields(400, error_code, message);
    json_object_object_add(extra, "detail", json_object_new_string(detail));
    http_error_with(res, 400, "invalid request body", extra);
}

void auth_error_weak_password(response *res, const char *message)
{
    json_object *reasons = json_object_new_array();
    json_object_array_add(reasons, json_object_new_string("length"));
    json_object *weak = json_object_new_object();
    json_object_object_add(weak, "reasons", reasons);
    json_object *extra = gotrue_error_fields(400, "weak_password", message);
    json_object_object_add(extra, "weak_password", weak);
    http_error_with(res, 400, message, extra);
}

bool auth_client_is_supabase(request *req)
{
    const char *client = request_header(req, "x-client-info");
    return client && *client;
}

/* Auth's own codes over db/'s shared SQLSTATE table (500 for the codes it
 * does not list: auth's statements fail only by a bug or an outage). */
void auth_reply_db_failure(response *res, db_txn *t, db_status st)
{
    db_error e = db_error_of(t, st);
    if (e.unavailable) {
        auth_error(res, 503, "unexpected_failure", "database unavailable");
    } else if (strcmp(e.sqlstate, "PS429") == 0) {
        response_set_header(res, "Retry-After", e.hint ? e.hint : "60");
        auth_error(res, 429, "over_request_rate_limit", "rate limit exceeded, try again later");
    } else if (strcmp(e.sqlstate, "23505") == 0) {
        auth_error(res, 409, "email_exists", "email already registered");
    } else if (strcmp(e.sqlstate, "PSHOK") == 0) { /* the custom access-token hook failed */
        auth_error(res, 500, "unexpected_failure", *e.message ? e.message : "hook failed");
    } else {
        auth_error(res, db_error_status(e.sqlstate, 500), "unexpected_failure",
                   *e.message ? e.message : "database error");
    }
}

static char *sign_access(request *req, response *res, const char *claims_json)
{
    const pgstack_config *cfg = &req->app->cfg;
    const jwt_key *signer = req->app->keys.signer;
    char *access = signer ? jwt_sign_with_key(req->arena, claims_json, signer)
                          : jwt_sign(req->arena, claims_json, cfg->jwt_secret, cfg->jwt_algorithm);
    if (!access)
        auth_error(res, 500, "unexpected_failure", "could not sign the access token");
    return access;
}

void auth_reply_session(request *req, response *res, int status, const char *user_json,
                        const char *claims_json, const char *expires_at, const char *refresh_token)
{
    auth_reply_session_extra(req, res, status, user_json, claims_json, expires_at, refresh_token,
                             NULL);
}

void auth_reply_session_extra(request *req, response *res, int status, const char *user_json,
                              const char *claims_json, const char *expires_at,
                              const char *refresh_token, const char *extra_fields)
{
    const auth_settings *cfg = auth_settings_of(req);
    char *access = sign_access(req, res, claims_json);
    if (!access)
        return;
    sbuf b;
    sbuf_init(&b, req->arena, 1024 + strlen(user_json));
    sbuf_printf(&b,
                "{\"access_token\":\"%s\",\"token_type\":\"bearer\",\"expires_in\":%ld,"
                "\"expires_at\":%s,\"refresh_token\":\"%s\",\"user\":%s%s}",
                access, cfg->jwt_expiry_s, expires_at, refresh_token, user_json,
                extra_fields ? extra_fields : "");
    response_set_header(res, "Cache-Control", "no-store");
    response_json(res, status, b.data);
}

void auth_reply_code_redirect(request *req, response *res, const char *url, const char *code)
{
    auth_reply_redirect(res,
                        arena_printf(req->arena, "%s%scode=%s", url, strchr(url, '?') ? "&" : "?",
                                     query_encode(req->arena, code)));
}

void auth_reply_redirect(response *res, const char *location)
{
    response_set_header(res, "Location", location);
    response_set_header(res, "Cache-Control", "no-store");
    response_set_header(res, "Referrer-Policy", "no-referrer");
    response_empty(res, 302);
}

/* 302 to url with the session, and extra (already encoded) fragment
 * parameters, in the fragment. */
static void session_redirect(request *req, response *res, const char *url, const char *claims_json,
                             const char *expires_at, const char *refresh_token, const char *extra)
{
    char *access = sign_access(req, res, claims_json);
    if (!access)
        return;
    arena *a = req->arena;
    auth_reply_redirect(res, arena_printf(a,
                                          "%s#access_token=%s&expires_at=%s&expires_in=%ld"
                                          "&refresh_token=%s&token_type=bearer%s",
                                          url, query_encode(a, access), query_encode(a, expires_at),
                                          auth_settings_of(req)->jwt_expiry_s,
                                          query_encode(a, refresh_token), extra));
}

void auth_reply_session_redirect(request *req, response *res, const char *url, const char *type,
                                 const char *claims_json, const char *expires_at,
                                 const char *refresh_token)
{
    session_redirect(req, res, url, claims_json, expires_at, refresh_token,
                     arena_printf(req->arena, "&type=%s", query_encode(req->arena, type)));
}

void auth_reply_provider_session_redirect(request *req, response *res, const char *url,
                                          const char *claims_json, const char *expires_at,
                                          const char *refresh_token, const char *provider_token,
                                          const char *provider_refresh_token)
{
    arena *a = req->arena;
    const char *extra = arena_printf(a, "&provider_token=%s", query_encode(a, provider_token));
    if (provider_refresh_token)
        extra = arena_printf(a, "%s&provider_refresh_token=%s", extra,
                             query_encode(a, provider_refresh_token));
    session_redirect(req, res, url, claims_json, expires_at, refresh_token, extra);
}

void auth_reply_error_redirect_as(request *req, response *res, const char *url, const char *error,
                                  const char *error_code, const char *description)
{
    arena *a = req->arena;
    auth_reply_redirect(res, arena_printf(a, "%s#error=%s&error_code=%s&error_description=%s", url,
                                          query_encode(a, error), query_encode(a, error_code),
                                          query_encode(a, description)));
}

void auth_reply_error_redirect_pkce(request *req, response *res, const char *url, const char *error,
                                    const char *error_code, const char *description)
{
    arena *a = req->arena;
    size_t base = strcspn(url, "?#");
    const char *params =
        arena_printf(a, "error=%s&error_code=%s&error_description=%s", query_encode(a, error),
                     query_encode(a, error_code), query_encode(a, description));
    auth_reply_redirect(res, arena_printf(a, "%.*s?%s#%s", (int)base, url, params, params));
}

void auth_reply_message_redirect(request *req, response *res, const char *url, const char *message,
                                 bool pkce)
{
    arena *a = req->arena;
    size_t base = strcspn(url, "#");
    const char *param = arena_printf(a, "message=%s", query_encode(a, message));
    if (pkce)
        auth_reply_redirect(res, arena_printf(a, "%.*s%s%s#%s", (int)base, url,
                                              memchr(url, '?', base) ? "&" : "?", param, param));
    else
        auth_reply_redirect(res, arena_printf(a, "%.*s#%s", (int)base, url, param));
}

void auth_reply_error_redirect(request *req, response *res, const char *url, const char *error_code,
                               const char *description)
{
    auth_reply_error_redirect_as(req, res, url, "access_denied", error_code, description);
}
