/* GET /reauthenticate (supabase-js auth.reauthenticate): mails the
 * signed-in user a 6-digit code (the "nonce"), valid 1 hour, once; with
 * SECURE_PASSWORD_CHANGE=true a new password (PUT/PATCH /user) needs it
 * unless the session started less than 24 hours ago, and a nonce that is
 * given is always checked (auth.reauthentication_check; 5 wrong ones void
 * it). A user without an email address gets 422. Answers 200 {}. */
#include "auth/auth_settings.h"
#include "auth/auth_txn.h"
#include "auth/email_flow.h"
#include "auth/handlers.h"
#include "auth/mailer.h"
#include "auth/otp_code.h"
#include "auth/reauthenticate.h"
#include "auth/reply.h"
#include "core/uuid.h"
#include "worker/app.h"

#include <string.h>

#define REAUTH_TTL_S 3600
#define EMAIL_SQL "select coalesce(email, '') from auth.users where id = $1::uuid"
#define STORE_SQL                                                                                  \
    "select auth.store_one_time_token($1::uuid, 'reauthentication', $2, $3, null, $4::int, $5)"
#define CHECK_SQL "select auth.reauthentication_check($1::uuid, $2, $3, $4::boolean)"

void auth_reauthenticate(request *req, response *res)
{
    const char *uid = req->auth ? req->auth->sub : NULL;
    if (!uuid_text_valid(uid)) {
        auth_error(res, 401, "no_authorization", "this endpoint needs a user's access token");
        return;
    }
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, "auth", auth_settings_of(req)->auth_rate_limit);
    const char *v[] = {uid};
    int q = db_txn_add(t, EMAIL_SQL, 1, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    const char *email = PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "";
    if (!*email) {
        auth_error(res, 422, "validation_failed",
                   "Reauthentication requires the user to have an email address");
        return;
    }
    mailed_token token;
    if (!auth_mailed_token_new(req, res, email, &token) ||
        !auth_mail_send(req, res, MAIL_REAUTHENTICATION, email, &token, NULL))
        return;
    db_txn *w = auth_txn_new(req);
    const char *s[] = {uid, token.hash, email, auth_email_flow_ttl(req, REAUTH_TTL_S),
                       req->client_addr};
    db_txn_add(w, STORE_SQL, 5, s);
    auth_email_flow_store_extras(req, w, &token, NULL);
    if (auth_txn_run(w, req, res))
        response_json(res, 200, "{}");
}

/* The keyed hash of nonce for the user's address; NULL after replying
 * when it cannot be right (no address, not six digits). */
static const char *nonce_hash(request *req, response *res, const char *uid, const char *nonce)
{
    db_txn *t = auth_txn_new(req);
    const char *v[] = {uid};
    int q = db_txn_add(t, EMAIL_SQL, 1, v);
    if (!auth_txn_run(t, req, res))
        return NULL;
    PGresult *r = db_txn_result(t, q);
    const char *email = PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "";
    const char *hash = *email && auth_otp_code_shape(nonce)
                           ? auth_otp_code_hash(req->arena, req->app->cfg.jwt_secret, email, nonce)
                           : NULL;
    if (!hash)
        auth_error(res, 400, "reauthentication_not_valid", "Invalid or expired nonce");
    return hash;
}

bool auth_reauthentication_ok(request *req, response *res, const char *uid, const char *session_id,
                              const char *nonce)
{
    const auth_settings *cfg = auth_settings_of(req);
    if (!nonce && !cfg->secure_password_change)
        return true;
    const char *code_hash = NULL;
    if (nonce && !(code_hash = nonce_hash(req, res, uid, nonce)))
        return false;
    db_txn *t = auth_txn_new(req);
    if (nonce)
        auth_txn_rate_limit(t, req, "auth", cfg->auth_rate_limit);
    const char *v[] = {uid, session_id, code_hash, cfg->secure_password_change ? "true" : "false"};
    int q = db_txn_add(t, CHECK_SQL, 4, v);
    if (!auth_txn_run(t, req, res))
        return false;
    const char *status = PQgetvalue(db_txn_result(t, q), 0, 0);
    if (strcmp(status, "ok") == 0)
        return true;
    if (strcmp(status, "needed") == 0)
        auth_error(res, 400, "reauthentication_needed",
                   "Password update requires reauthentication");
    else
        auth_error(res, 400, "reauthentication_not_valid", "Invalid or expired nonce");
    return false;
}
