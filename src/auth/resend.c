/* POST /resend (supabase-js auth.resend): {type: "signup" | "email_change",
 * email} mails a new link and code — for signup to an address whose
 * sign-up is not confirmed yet, for email_change to the pending new
 * address of the user whose current address is given. The new token
 * replaces the old one (its link and code die). Counted against
 * AUTH_RATE_LIMIT like the first mail; the answer, 200 {}, and its timing
 * are the same whether or not there was anything to resend (email_flow.h).
 * PKCE: code_challenge and code_challenge_method as in the first mail.
 * A secure email change (sql/0017) whose current address has not confirmed
 * yet gets its current-address mail again too, as GoTrue sends both. */
#include "auth/auth_settings.h"
#include "auth/auth_txn.h"
#include "auth/body.h"
#include "auth/email_address.h"
#include "auth/email_flow.h"
#include "auth/handlers.h"
#include "auth/mailer.h"
#include "auth/reply.h"
#include "worker/app.h"

#include <string.h>

#define TARGET_SQL "select user_id, send_to from auth.resend_target($1, $2)"
#define STORE_SQL "select auth.store_one_time_token($1::uuid, $2, $3, $4, $5, $6::int, $7)"
/* the current address, while a pending change still needs it to confirm */
#define CURRENT_SQL                                                                                \
    "select u.email from auth.users u where lower(u.email) = lower($1) and $2 = 'email_change' "   \
    "and u.email_change is not null "                                                              \
    "and (u.email_change_required & ~u.email_change_confirm_status & 1) = 1"
#define STORE_CURRENT_SQL                                                                          \
    "select auth.email_change_token($1::uuid, u.email_change, 'email_change_current', $2, "        \
    "$3::int, $4, $5, false) from auth.users u where u.id = $1::uuid"

typedef struct resend {
    const char *type; /* signup, email_change */
    const char *email;
    pkce_request pkce;
} resend;

/* Reads and checks the body; false after replying 400. */
static bool resend_read(request *req, response *res, resend *r)
{
    json_object *body = auth_body(req, res);
    if (!body || !auth_body_string(body, "type", &r->type, res) ||
        !auth_body_string(body, "email", &r->email, res) ||
        !auth_email_flow_pkce(req, res, body, &r->pkce))
        return false;
    if (r->type && (strcmp(r->type, "sms") == 0 || strcmp(r->type, "phone_change") == 0)) {
        auth_error(res, 400, "phone_provider_disabled", "phone sign-in is not available");
        return false;
    }
    if (!r->type || (strcmp(r->type, "signup") != 0 && strcmp(r->type, "email_change") != 0)) {
        auth_error(res, 400, "validation_failed", "type must be signup or email_change");
        return false;
    }
    if (!r->email || !auth_email_address_valid(r->email)) {
        auth_error(res, 400, "validation_failed", "invalid email address");
        return false;
    }
    return true;
}

/* Mails the new token to `to` (and, when current is not NULL, the current
 * address's half of a secure email change), then stores them for uid. */
static bool resend_send(request *req, response *res, const resend *r, const char *uid,
                        const char *to, const char *current)
{
    bool signup = strcmp(r->type, "signup") == 0;
    mailed_token token, other = {0};
    const char *redirect = auth_email_flow_redirect(req);
    if (!auth_mailed_token_new(req, res, to, &token) ||
        (current && !auth_mailed_token_new(req, res, current, &other)) ||
        !auth_mail_send(req, res, signup ? MAIL_CONFIRMATION : MAIL_EMAIL_CHANGE, to, &token,
                        redirect) ||
        (current &&
         !auth_mail_send(req, res, MAIL_EMAIL_CHANGE_CURRENT, current, &other, redirect)))
        return false;
    const char **v = arena_alloc(req->arena, 7 * sizeof(char *));
    v[0] = uid;
    v[1] = signup ? "confirmation" : "email_change";
    v[2] = token.hash;
    v[3] = to;
    v[4] = redirect;
    v[5] = auth_email_flow_ttl(req, signup ? CONFIRMATION_TTL_S : EMAIL_CHANGE_TTL_S);
    v[6] = req->client_addr;
    db_txn *t = auth_txn_new(req);
    db_txn_add(t, STORE_SQL, 7, v);
    auth_email_flow_store_extras(req, t, &token, &r->pkce);
    const char *w[] = {uid, other.hash, v[5], redirect, req->client_addr};
    if (current) {
        db_txn_add(t, STORE_CURRENT_SQL, 5, w);
        auth_email_flow_store_extras(req, t, &other, &r->pkce);
    }
    return auth_txn_run(t, req, res);
}

void auth_resend(request *req, response *res)
{
    resend r = {0};
    if (!resend_read(req, res, &r))
        return;
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, "auth", auth_settings_of(req)->auth_rate_limit);
    const char *v[] = {r.email, r.type};
    int q = db_txn_add(t, TARGET_SQL, 2, v);
    int c = db_txn_add(t, CURRENT_SQL, 2, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *found = db_txn_result(t, q), *current = db_txn_result(t, c);
    if (PQntuples(found) == 1) {
        long started = auth_email_flow_clock_us();
        if (!resend_send(req, res, &r, PQgetvalue(found, 0, 0), PQgetvalue(found, 0, 1),
                         PQntuples(current) == 1 ? PQgetvalue(current, 0, 0) : NULL))
            return;
        auth_email_flow_sent(started);
    } else {
        auth_email_flow_pad();
    }
    response_json(res, 200, "{}");
}
