/* POST /recover and POST /recover/confirm: password recovery by email.
 * /recover answers the same 200 whether or not the address is registered;
 * for an unknown address it waits about as long as this worker's recent
 * sends took (mail plus token write), so the timing does not tell either.
 * Only a failed send (mail system down) is reported, as 500 "could not send
 * email" — the user must know the mail is not coming.
 * /recover/confirm checks the token before spending bcrypt on the new
 * password, then uses it once: password set, email confirmed, every
 * session and refresh token of the user revoked (auth.verify_one_time_token). */
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

#define FIND_USER_SQL "select exists (select from auth.users where lower(email) = lower($1))"
#define ISSUE_SQL                                                                                  \
    "select auth.issue_one_time_token($1, 'recovery', $2, $3::int, $4, false, null, $5)"
#define TOKEN_LIVE_SQL                                                                             \
    "select exists (select from auth.one_time_tokens where token_hash = $1 and "                   \
    "token_type = 'recovery' and used_at is null and expires_at > now())"
#define CONFIRM_SQL                                                                                \
    "select status from auth.verify_one_time_token($1, '{recovery}', null, $2, null, 0, 0, $3, "   \
    "$4)"
#define RECOVER_MESSAGE "{\"message\":\"If this email exists, a reset link has been sent\"}"

/* Mail first, then the token's hash (email_flow.h); false after replying. */
static bool send_recovery(request *req, response *res, const char *email, const pkce_request *pkce)
{
    mailed_token token;
    const char *redirect = auth_email_flow_redirect(req);
    if (!auth_mailed_token_new(req, res, email, &token) ||
        !auth_mail_send(req, res, MAIL_RECOVERY, email, &token, redirect))
        return false;
    db_txn *t = auth_txn_new(req);
    const char *v[] = {email, token.hash, auth_email_flow_ttl(req, RECOVERY_TTL_S), redirect,
                       req->client_addr};
    db_txn_add(t, ISSUE_SQL, 5, v);
    auth_email_flow_store_extras(req, t, &token, pkce);
    return auth_txn_run(t, req, res);
}

void auth_recover(request *req, response *res)
{
    const auth_settings *cfg = auth_settings_of(req);
    json_object *body = auth_body(req, res);
    const char *email = NULL;
    pkce_request pkce;
    if (!body || !auth_body_string(body, "email", &email, res) ||
        !auth_email_flow_pkce(req, res, body, &pkce))
        return;
    if (!email || !auth_email_address_valid(email)) {
        auth_error(res, 400, "validation_failed", "invalid email address");
        return;
    }
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, "auth", cfg->auth_rate_limit);
    const char *v[] = {email};
    int q = db_txn_add(t, FIND_USER_SQL, 1, v);
    if (!auth_txn_run(t, req, res))
        return;
    if (strcmp(PQgetvalue(db_txn_result(t, q), 0, 0), "t") == 0) {
        long started = auth_email_flow_clock_us();
        if (!send_recovery(req, res, email, &pkce))
            return;
        auth_email_flow_sent(started);
    } else {
        auth_email_flow_pad();
    }
    response_json(res, 200, RECOVER_MESSAGE);
}

static void invalid_token(response *res)
{
    auth_error(res, 400, "otp_expired", "invalid or expired token");
}

/* Is the token a live recovery token? False after replying. */
static bool token_live(request *req, response *res, const char *hash)
{
    db_txn *t = auth_txn_new(req);
    const char *v[] = {hash};
    int q = db_txn_add(t, TOKEN_LIVE_SQL, 1, v);
    if (!auth_txn_run(t, req, res))
        return false;
    if (strcmp(PQgetvalue(db_txn_result(t, q), 0, 0), "t") == 0)
        return true;
    invalid_token(res);
    return false;
}

void auth_recover_confirm(request *req, response *res)
{
    json_object *body = auth_body(req, res);
    const char *token = NULL, *password = NULL;
    if (!body || !auth_body_string(body, "token", &token, res) ||
        !auth_body_string(body, "password", &password, res))
        return;
    if (!token || !*token) {
        invalid_token(res);
        return;
    }
    const char *problem =
        password ? auth_password_problem(password) : "password must be at least 8 characters";
    if (problem) {
        auth_error_weak_password(res, problem);
        return;
    }
    const char *token_hash = auth_secret_token_hash(req->arena, token);
    if (!token_live(req, res, token_hash))
        return;
    const char *hash =
        auth_password_hash(req->arena, password, (int)auth_settings_of(req)->auth_bcrypt_cost);
    if (!hash) {
        auth_error(res, 500, "unexpected_failure", "could not hash the password");
        return;
    }
    db_txn *t = auth_txn_new(req);
    const char *v[] = {token_hash, hash, req->client_addr, request_header(req, "user-agent")};
    int q = db_txn_add(t, CONFIRM_SQL, 4, v);
    if (!auth_txn_run(t, req, res))
        return;
    const char *status = PQgetvalue(db_txn_result(t, q), 0, 0);
    if (strcmp(status, "ok") == 0)
        response_json(res, 200, "{\"message\":\"Password updated\"}");
    else if (strcmp(status, "banned") == 0)
        auth_error(res, 400, "user_banned", "user is banned");
    else
        invalid_token(res);
}
