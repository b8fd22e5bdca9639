/* POST /signup and POST /anonymous: a new user, signed in at once (201 with
 * a session) or, with REQUIRE_EMAIL_VERIFICATION, created unconfirmed (200
 * with a message — for Supabase client libraries GoTrue's reply, the user
 * object, which supabase-js signUp() returns as data.user; no tokens until
 * the email is verified) after the
 * confirmation mail went out — mail first, then the user, so a failed mail
 * leaves no user (email_flow.h). A sign-up without email and password is an
 * anonymous sign-up, as GoTrue does, allowed only with
 * ALLOW_ANONYMOUS_SIGNIN. */
#include "auth/auth_settings.h"
#include "auth/auth_txn.h"
#include "auth/body.h"
#include "auth/email_address.h"
#include "auth/email_flow.h"
#include "auth/handlers.h"
#include "auth/mailer.h"
#include "auth/password.h"
#include "auth/reply.h"
#include "auth/secret_token.h"
#include "worker/app.h"

#include <string.h>

#define SIGN_UP_SQL                                                                                \
    "select user_id, user_json, claims, expires_at from auth.sign_up($1, $2, $3::jsonb, "          \
    "$4::boolean, $5::boolean, $6, $7::boolean, $8, $9::int, $10::int, $11, $12)"
#define EMAIL_TAKEN_SQL "select exists (select from auth.users where lower(email) = lower($1))"
#define SIGN_UP_UNCONFIRMED_SQL                                                                    \
    "select user_id, user_json from auth.sign_up_unconfirmed($1, $2, $3::jsonb, $4, $5::int, $6, " \
    "$7, $8)"
#define CHECK_EMAIL_MESSAGE "{\"message\":\"Check your email to confirm your account\"}"

typedef struct sign_up {
    const char *email;    /* NULL: anonymous */
    const char *password; /* NULL: anonymous */
    const char *metadata; /* JSON object text or NULL */
    const char *role;     /* role of the new user's tokens */
    bool confirmed;
    const char *rate_bucket;
    long rate_limit;
} sign_up;

static void run_sign_up(request *req, response *res, const sign_up *s)
{
    const auth_settings *cfg = auth_settings_of(req);
    const char *hash = NULL;
    if (s->password &&
        !(hash = auth_password_hash(req->arena, s->password, (int)cfg->auth_bcrypt_cost))) {
        auth_error(res, 500, "unexpected_failure", "could not hash the password");
        return;
    }
    char *refresh = auth_secret_token_new(req->arena);
    const char **v = arena_alloc(req->arena, 12 * sizeof(char *));
    v[0] = s->email;
    v[1] = hash;
    v[2] = s->metadata;
    v[3] = s->confirmed ? "true" : "false";
    v[4] = s->email ? "false" : "true";
    v[5] = s->role;
    v[6] = "true"; /* start a session */
    v[7] = auth_secret_token_hash(req->arena, refresh);
    v[8] = arena_printf(req->arena, "%ld", cfg->refresh_token_ttl_s);
    v[9] = arena_printf(req->arena, "%ld", cfg->jwt_expiry_s);
    v[10] = req->client_addr;
    v[11] = request_header(req, "user-agent");
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, s->rate_bucket, s->rate_limit);
    int q = db_txn_add(t, SIGN_UP_SQL, 12, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    if (PQntuples(r) == 0)
        auth_error(res, 409, "email_exists", "email already registered");
    else
        auth_reply_session(req, res, 201, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
                           PQgetvalue(r, 0, 3), refresh);
}

/* With REQUIRE_EMAIL_VERIFICATION: is the email free (1), mail the
 * confirmation link (2), create the unconfirmed user and store the token's
 * hash (3). */
static void confirmable_sign_up(request *req, response *res, const char *email,
                                const char *password, const char *metadata,
                                const pkce_request *pkce)
{
    const auth_settings *cfg = auth_settings_of(req);
    db_txn *check = auth_txn_new(req);
    auth_txn_rate_limit(check, req, "auth", cfg->auth_rate_limit);
    const char *e[] = {email};
    int q = db_txn_add(check, EMAIL_TAKEN_SQL, 1, e);
    if (!auth_txn_run(check, req, res))
        return;
    if (strcmp(PQgetvalue(db_txn_result(check, q), 0, 0), "t") == 0) {
        auth_error(res, 409, "email_exists", "email already registered");
        return;
    }
    const char *hash = auth_password_hash(req->arena, password, (int)cfg->auth_bcrypt_cost);
    mailed_token token;
    const char *redirect = auth_email_flow_redirect(req);
    if (!hash) {
        auth_error(res, 500, "unexpected_failure", "could not hash the password");
        return;
    }
    if (!auth_mailed_token_new(req, res, email, &token) ||
        !auth_mail_send(req, res, MAIL_CONFIRMATION, email, &token, redirect))
        return;
    db_txn *t = auth_txn_new(req);
    const char *v[] = {email,
                       hash,
                       metadata,
                       token.hash,
                       auth_email_flow_ttl(req, CONFIRMATION_TTL_S),
                       redirect,
                       req->client_addr,
                       request_header(req, "user-agent")};
    q = db_txn_add(t, SIGN_UP_UNCONFIRMED_SQL, 8, v);
    auth_email_flow_store_extras(req, t, &token, pkce);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    if (PQntuples(r) == 0)
        auth_error(res, 409, "email_exists", "email already registered");
    else if (auth_client_is_supabase(req))
        response_json(res, 200, PQgetvalue(r, 0, 1)); /* GoTrue: the user, no session */
    else
        response_json(res, 200, CHECK_EMAIL_MESSAGE);
}

/* Anonymous sign-in while ALLOW_ANONYMOUS_SIGNIN is off: POST /anonymous
 * answers the spec's 503; POST /signup without email and password (how
 * supabase-js signInAnonymously asks) answers GoTrue's 422, which
 * supabase-js reports as an AuthApiError with this message — a 5xx would
 * reach the application as a retryable network error without one. */
static void anonymous_disabled(response *res, bool via_signup)
{
    if (via_signup)
        auth_error(res, 422, "anonymous_provider_disabled", "Anonymous sign-ins are disabled");
    else
        auth_error(res, 503, "anonymous_provider_disabled", "anonymous sign-in is disabled");
}

static void anonymous_sign_up(request *req, response *res, const char *metadata, const char *role,
                              bool via_signup)
{
    const auth_settings *cfg = auth_settings_of(req);
    if (!cfg->allow_anonymous_signin) {
        anonymous_disabled(res, via_signup);
        return;
    }
    sign_up s = {.metadata = metadata,
                 .role = role,
                 .confirmed = false,
                 .rate_bucket = "anonymous",
                 .rate_limit = cfg->anonymous_rate_limit};
    run_sign_up(req, res, &s);
}

void auth_signup(request *req, response *res)
{
    const auth_settings *cfg = auth_settings_of(req);
    json_object *body = auth_body(req, res);
    const char *email = NULL, *password = NULL, *metadata = NULL;
    pkce_request pkce;
    if (!body || !auth_body_string(body, "email", &email, res) ||
        !auth_body_string(body, "password", &password, res) ||
        !auth_body_object_text(req, body, "data", &metadata, res) ||
        !auth_email_flow_pkce(req, res, body, &pkce))
        return;
    if (!email && !password) {
        anonymous_sign_up(req, res, metadata, "authenticated", true);
        return;
    }
    if (!email || !auth_email_address_valid(email)) {
        auth_error(res, 400, "validation_failed", "invalid email address");
        return;
    }
    const char *problem =
        password ? auth_password_problem(password) : "password must be at least 8 characters";
    if (problem) {
        auth_error_weak_password(res, problem);
        return;
    }
    if (cfg->require_email_verification) {
        confirmable_sign_up(req, res, email, password, metadata, &pkce);
        return;
    }
    sign_up s = {.email = email,
                 .password = password,
                 .metadata = metadata,
                 .role = "authenticated",
                 .confirmed = true,
                 .rate_bucket = "auth",
                 .rate_limit = cfg->auth_rate_limit};
    run_sign_up(req, res, &s);
}

void auth_anonymous(request *req, response *res)
{
    json_object *body = auth_body(req, res);
    const char *metadata = NULL;
    if (!body || !auth_body_object_text(req, body, "data", &metadata, res))
        return;
    anonymous_sign_up(req, res, metadata, "anon", false);
}
