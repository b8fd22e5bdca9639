/* Using the tokens of the email flows: GET /verify (the links in
 * confirmation, recovery and email-change mails), GET /magiclink/verify
 * (the link in magic-link mails) and POST /verify (supabase-js verifyOtp:
 * type + token_hash, or type + token + email, where token is the 6-digit
 * code of the mail or the link's secret).
 *
 * A link whose flow was started with a PKCE challenge (supabase-js
 * flowType "pkce") ends, when opened, in a 302 to redirect_to/SITE_URL
 * with ?code=<auth code> and no session: the client trades the code and
 * its verifier at POST /token?grant_type=pkce (auth.verify_email_flow
 * parks the user in auth.flow_state). POST /verify always answers with
 * the session, as GoTrue does. A 6-digit code counts against the
 * AUTH_RATE_LIMIT, and the fifth wrong code voids the token.
 *
 * A used token proves the address and starts a session
 * (auth.verify_one_time_token). GET /magiclink/verify always answers as
 * the spec says: 302 to redirect_to/SITE_URL with the session in the URL
 * fragment (or GoTrue's #error=... fragment; for a token made in the PKCE
 * flow the error, error_code and error_description are in the query too,
 * where a server-side callback route reads them). GET /verify does the same for
 * browsers (Accept: text/html) and whenever redirect_to is given, as GoTrue
 * does; other clients (curl, scripts — the spec's "200 OK: Confirmation
 * result") get 200 with the session as JSON, or 400 "invalid or expired
 * token". Without type, GET /verify takes a sign-up confirmation token.
 *
 * Type email_change takes both tokens of a secure email change (the new
 * address's and the current address's, SECURE_EMAIL_CHANGE): the first one
 * used answers GoTrue's 200 {"msg": "Confirmation link accepted. Please
 * proceed to confirm link sent to the other email", "code": 200} (a browser:
 * a redirect with #message=...) and no session; the second moves the
 * address and answers as any other verification. */
#include "auth/auth_settings.h"
#include "auth/auth_txn.h"
#include "auth/body.h"
#include "auth/email_address.h"
#include "auth/handlers.h"
#include "auth/otp_code.h"
#include "auth/pkce.h"
#include "auth/reply.h"
#include "auth/secret_token.h"
#include "auth/urls.h"
#include "worker/app.h"

#include <string.h>

#define VERIFY_SQL                                                                                 \
    "select status, kind, redirect, user_json, claims, session_expires_at, pkce from "             \
    "auth.verify_email_flow($1, $2::text[], $3, $4, $5, $6::int, $7::int, $8, $9, $10, $11::int)"
#define LINK_ERROR "Email link is invalid or has expired"
#define CONFIRM_OTHER                                                                              \
    "Confirmation link accepted. Please proceed to confirm link sent to the other email"

/* GoTrue's verify types and the token kinds each accepts. */
static const struct {
    const char *type, *kinds;
} TYPES[] = {
    {"signup", "{confirmation}"},
    {"email", "{confirmation,magiclink}"},
    {"magiclink", "{magiclink}"},
    {"recovery", "{recovery}"},
    {"email_change", "{email_change,email_change_current}"},
    {"invite", "{invite}"},
};

typedef struct verification {
    const char *type;     /* GoTrue type, echoed in the redirect fragment */
    const char *kinds;    /* text[] literal */
    const char *token;    /* the secret from the mail, or its 6-digit code */
    const char *email;    /* must be the address it was mailed to, or NULL */
    const char *redirect; /* requested redirect_to, or NULL */
    bool browser;         /* answer with a redirect */
    bool code;            /* token is a 6-digit code (needs email) */
    bool link;            /* a link opened: may end with a PKCE auth code */
} verification;

/* Fills v->kinds for v->type; false after replying 400. */
static bool known_type(response *res, verification *v)
{
    for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
        if (v->type && strcmp(v->type, TYPES[i].type) == 0) {
            v->kinds = TYPES[i].kinds;
            return true;
        }
    auth_error(res, 400, "validation_failed",
               "type must be one of signup, email, magiclink, recovery, email_change, invite");
    return false;
}

/* A refusal: JSON, or for a browser GoTrue's error redirect — in the
 * query as well when the token was made in the client's PKCE flow. */
static void verify_failed(request *req, response *res, const verification *v, int status,
                          const char *code, const char *message, bool pkce)
{
    if (!v->browser) {
        auth_error(res, status, code, message);
        return;
    }
    const char *url = auth_redirect_choose(auth_settings_of(req), v->redirect, NULL);
    const char *description = strcmp(code, "otp_expired") == 0 ? LINK_ERROR : message;
    if (pkce)
        auth_reply_error_redirect_pkce(req, res, url, "access_denied", code, description);
    else
        auth_reply_error_redirect(req, res, url, code, description);
}

/* The first half of a secure email change: no session yet (GoTrue's
 * message, as JSON or in the redirect). */
static void reply_confirm_other(request *req, response *res, const verification *v, PGresult *r)
{
    if (!v->browser) {
        response_json(res, 200, "{\"msg\":\"" CONFIRM_OTHER "\",\"code\":200}");
        return;
    }
    const char *stored = PQgetisnull(r, 0, 2) ? NULL : PQgetvalue(r, 0, 2);
    auth_reply_message_redirect(req, res,
                                auth_redirect_choose(auth_settings_of(req), v->redirect, stored),
                                CONFIRM_OTHER, strcmp(PQgetvalue(r, 0, 6), "t") == 0);
}

static void reply_verified(request *req, response *res, const verification *v, PGresult *r,
                           const char *refresh, const char *auth_code)
{
    const char *stored = PQgetisnull(r, 0, 2) ? NULL : PQgetvalue(r, 0, 2);
    if (strcmp(PQgetvalue(r, 0, 6), "t") == 0) {
        auth_reply_code_redirect(
            req, res, auth_redirect_choose(auth_settings_of(req), v->redirect, stored), auth_code);
        return;
    }
    if (!v->browser) {
        auth_reply_session(req, res, 200, PQgetvalue(r, 0, 3), PQgetvalue(r, 0, 4),
                           PQgetvalue(r, 0, 5), refresh);
        return;
    }
    auth_reply_session_redirect(req, res,
                                auth_redirect_choose(auth_settings_of(req), v->redirect, stored),
                                v->type, PQgetvalue(r, 0, 4), PQgetvalue(r, 0, 5), refresh);
}

static void run_verification(request *req, response *res, const verification *v)
{
    const auth_settings *cfg = auth_settings_of(req);
    if (!v->token || !*v->token) {
        verify_failed(req, res, v, 400, "otp_expired", "invalid or expired token", false);
        return;
    }
    char *refresh = auth_secret_token_new(req->arena);
    char *auth_code = v->link ? auth_secret_token_new(req->arena) : NULL;
    const char *code_hash =
        v->code ? auth_otp_code_hash(req->arena, req->app->cfg.jwt_secret, v->email, v->token)
                : NULL;
    if (!refresh || (v->link && !auth_code) || (v->code && !code_hash)) {
        auth_error(res, 500, "unexpected_failure", "no randomness for a token");
        return;
    }
    const char **p = arena_alloc(req->arena, 11 * sizeof(char *));
    p[0] = v->code ? NULL : auth_secret_token_hash(req->arena, v->token);
    p[1] = v->kinds;
    p[2] = v->email;
    p[3] = code_hash;
    p[4] = auth_secret_token_hash(req->arena, refresh);
    p[5] = arena_printf(req->arena, "%ld", cfg->refresh_token_ttl_s);
    p[6] = arena_printf(req->arena, "%ld", cfg->jwt_expiry_s);
    p[7] = req->client_addr;
    p[8] = request_header(req, "user-agent");
    p[9] = auth_code ? auth_secret_token_hash(req->arena, auth_code) : NULL;
    p[10] = arena_printf(req->arena, "%d", PKCE_FLOW_TTL_S);
    db_txn *t = auth_txn_new(req);
    if (v->code)
        auth_txn_rate_limit(t, req, "auth", cfg->auth_rate_limit);
    int q = db_txn_add(t, VERIFY_SQL, 11, p);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    const char *status = PQgetvalue(r, 0, 0);
    bool pkce = strcmp(PQgetvalue(r, 0, 6), "t") == 0;
    if (strcmp(status, "ok") == 0)
        reply_verified(req, res, v, r, refresh, auth_code);
    else if (strcmp(status, "confirm_other") == 0)
        reply_confirm_other(req, res, v, r);
    else if (strcmp(status, "banned") == 0)
        verify_failed(req, res, v, 400, "user_banned", "user is banned", pkce);
    else if (strcmp(status, "email_exists") == 0)
        verify_failed(req, res, v, 409, "email_exists", "email already registered", pkce);
    else
        verify_failed(req, res, v, 400, "otp_expired", "invalid or expired token", pkce);
}

static bool accepts_html(request *req)
{
    const char *accept = request_header(req, "accept");
    return accept && strstr(accept, "text/html");
}

void auth_verify_get(request *req, response *res)
{
    const char *type = query_get(&req->query, "type");
    verification v = {.type = type && *type ? type : "signup",
                      .token = query_get(&req->query, "token"),
                      .redirect = query_get(&req->query, "redirect_to"),
                      .link = true};
    v.browser = (v.redirect && *v.redirect) || accepts_html(req);
    if (known_type(res, &v))
        run_verification(req, res, &v);
}

void auth_magiclink_verify(request *req, response *res)
{
    verification v = {.type = "magiclink",
                      .kinds = "{magiclink}",
                      .token = query_get(&req->query, "token"),
                      .redirect = query_get(&req->query, "redirect_to"),
                      .browser = true,
                      .link = true};
    run_verification(req, res, &v);
}

void auth_verify_post(request *req, response *res)
{
    json_object *body = auth_body(req, res);
    const char *token = NULL, *token_hash = NULL;
    verification v = {0};
    if (!body || !auth_body_string(body, "type", &v.type, res) ||
        !auth_body_string(body, "token", &token, res) ||
        !auth_body_string(body, "token_hash", &token_hash, res) ||
        !auth_body_string(body, "email", &v.email, res) || !known_type(res, &v))
        return;
    if (v.email && !auth_email_address_valid(v.email)) {
        auth_error(res, 400, "validation_failed", "invalid email address");
        return;
    }
    if (!token_hash && token && !v.email) {
        auth_error(res, 400, "validation_failed", "email is required to verify a token");
        return;
    }
    v.token = token_hash ? token_hash : token;
    v.code = !token_hash && auth_otp_code_shape(token);
    run_verification(req, res, &v);
}
