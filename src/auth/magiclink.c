/* POST /magiclink and POST /otp: passwordless sign-in by a link mailed to
 * the address. As GoTrue does, an unknown address gets a new user (without
 * password, confirmed when the link is used) — for /otp unless
 * "create_user": false, which answers 422 for an unknown address. The mail
 * goes out before the token (and any new user) is written (email_flow.h).
 * /magiclink answers {"message": "Magic link sent"} (spec), /otp {} (GoTrue). */
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

#define FIND_USER_SQL "select exists (select from auth.users where lower(email) = lower($1))"
#define ISSUE_SQL                                                                                  \
    "select auth.issue_one_time_token($1, 'magiclink', $2, $3::int, $4, $5::boolean, "             \
    "$6::jsonb, $7)"

typedef struct magic_link_request {
    const char *email;
    const char *metadata; /* user_metadata of a new user, or NULL */
    bool create_user;
    const char *reply; /* JSON body of the 200 */
    pkce_request pkce;
} magic_link_request;

/* Rate limit and lookup; false after replying (429, 422 for an unknown
 * address without create_user, ...). */
static bool may_send(request *req, response *res, const magic_link_request *m)
{
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, "auth", auth_settings_of(req)->auth_rate_limit);
    const char *v[] = {m->email};
    int q = db_txn_add(t, FIND_USER_SQL, 1, v);
    if (!auth_txn_run(t, req, res))
        return false;
    if (m->create_user || strcmp(PQgetvalue(db_txn_result(t, q), 0, 0), "t") == 0)
        return true;
    auth_error(res, 422, "otp_disabled", "Signups not allowed for otp");
    return false;
}

static void send_magic_link(request *req, response *res, const magic_link_request *m)
{
    if (!auth_email_address_valid(m->email)) {
        auth_error(res, 400, "validation_failed", "invalid email address");
        return;
    }
    mailed_token token;
    const char *redirect = auth_email_flow_redirect(req);
    if (!may_send(req, res, m) || !auth_mailed_token_new(req, res, m->email, &token) ||
        !auth_mail_send(req, res, MAIL_MAGIC_LINK, m->email, &token, redirect))
        return;
    db_txn *t = auth_txn_new(req);
    const char *v[] = {m->email,
                       token.hash,
                       auth_email_flow_ttl(req, MAGIC_LINK_TTL_S),
                       redirect,
                       m->create_user ? "true" : "false",
                       m->metadata,
                       req->client_addr};
    db_txn_add(t, ISSUE_SQL, 7, v);
    auth_email_flow_store_extras(req, t, &token, &m->pkce);
    if (auth_txn_run(t, req, res))
        response_json(res, 200, m->reply);
}

void auth_magiclink(request *req, response *res)
{
    json_object *body = auth_body(req, res);
    magic_link_request m = {.create_user = true, .reply = "{\"message\":\"Magic link sent\"}"};
    if (!body || !auth_body_string(body, "email", &m.email, res) ||
        !auth_body_object_text(req, body, "data", &m.metadata, res) ||
        !auth_email_flow_pkce(req, res, body, &m.pkce))
        return;
    if (!m.email) {
        auth_error(res, 400, "validation_failed", "invalid email address");
        return;
    }
    send_magic_link(req, res, &m);
}

void auth_otp(request *req, response *res)
{
    json_object *body = auth_body(req, res);
    const char *phone = NULL;
    magic_link_request m = {.create_user = true, .reply = "{}"};
    if (!body || !auth_body_string(body, "email", &m.email, res) ||
        !auth_body_string(body, "phone", &phone, res) ||
        !auth_body_object_text(req, body, "data", &m.metadata, res) ||
        !auth_body_bool(body, "create_user", &m.create_user, res) ||
        !auth_email_flow_pkce(req, res, body, &m.pkce))
        return;
    if (!m.email && phone) {
        auth_error(res, 400, "phone_provider_disabled", "phone sign-in is not available");
        return;
    }
    if (!m.email) {
        auth_error(res, 400, "validation_failed", "invalid email address");
        return;
    }
    send_magic_link(req, res, &m);
}
