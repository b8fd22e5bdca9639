/* POST /invite (supabase-js auth.admin.inviteUserByEmail) and POST
 * /admin/generate_link (auth.admin.generateLink), service_role only.
 *
 * /invite {email, data}: mails an invitation link (with its 6-digit code)
 * and then creates the user without a password (auth.generate_link);
 * opening the link (GET /verify?type=invite) confirms the address and
 * signs the user in, who then sets a password with PUT /user. Answers the
 * user; an address already registered and confirmed is 422 email_exists.
 *
 * /admin/generate_link {type, email, password, data, new_email,
 * redirect_to}: makes the user and token as the mail flow would, sends
 * nothing, and answers GoTrue's shape: the user's fields at the top level
 * plus action_link, email_otp (the code), hashed_token (the link's token,
 * what verifyOtp({token_hash}) takes), verification_type (the type asked
 * for) and redirect_to. Each of the three works once. The two email
 * change types make GoTrue's pair for one pending change to new_email:
 * email_change_current the token of the current address (its code keyed
 * to that address), email_change_new the one of the new address; the
 * address moves once the new address's token — and the current one's, if
 * one was made — has been used (sql/0017). */
#include "auth/auth_settings.h"
#include "auth/auth_txn.h"
#include "auth/body.h"
#include "auth/email_address.h"
#include "auth/email_flow.h"
#include "auth/handlers.h"
#include "auth/mailer.h"
#include "auth/password.h"
#include "auth/reply.h"
#include "auth/urls.h"
#include "core/json_text.h"
#include "worker/app.h"

#include <string.h>

#define GENERATE_SQL                                                                               \
    "select status, user_json from auth.generate_link($1, $2, $3, $4::jsonb, $5, $6, $7, "         \
    "$8::int, "                                                                                    \
    "$9, $10)"
#define CONFIRMED_SQL                                                                              \
    "select exists (select from auth.users where lower(email) = lower($1) and "                    \
    "email_confirmed_at is not null)"

/* The link types, the verify type of their link and their lifetime. */
static const struct {
    const char *type, *verify_type;
    long ttl_s;
} LINKS[] = {
    {"signup", "signup", CONFIRMATION_TTL_S},
    {"invite", "invite", CONFIRMATION_TTL_S},
    {"magiclink", "magiclink", MAGIC_LINK_TTL_S},
    {"recovery", "recovery", RECOVERY_TTL_S},
    {"email_change_current", "email_change", EMAIL_CHANGE_TTL_S},
    {"email_change_new", "email_change", EMAIL_CHANGE_TTL_S},
};

typedef struct link_request {
    int kind; /* index in LINKS */
    const char *email, *password, *metadata, *new_email, *redirect;
    const char *auth_password_hash;
} link_request;

static bool links_admin(request *req, response *res)
{
    if (req->auth && req->auth->present && strcmp(req->auth->role, "service_role") == 0)
        return true;
    auth_error(res, 403, "not_admin", "this endpoint needs the service_role key");
    return false;
}

/* Runs auth.generate_link for token; the user's JSON, or NULL after
 * replying. */
static const char *links_store(request *req, response *res, const link_request *l,
                               const mailed_token *token)
{
    const char **v = arena_alloc(req->arena, 10 * sizeof(char *));
    v[0] = LINKS[l->kind].type;
    v[1] = l->email;
    v[2] = l->auth_password_hash;
    v[3] = l->metadata;
    v[4] = l->new_email;
    v[5] = token->hash;
    v[6] = token->code_hash;
    v[7] = auth_email_flow_ttl(req, LINKS[l->kind].ttl_s);
    v[8] = l->redirect;
    v[9] = req->client_addr;
    db_txn *t = auth_txn_new(req);
    int q = db_txn_add(t, GENERATE_SQL, 10, v);
    if (!auth_txn_run(t, req, res))
        return NULL;
    PGresult *r = db_txn_result(t, q);
    const char *status = PQgetvalue(r, 0, 0);
    if (strcmp(status, "ok") == 0)
        return PQgetvalue(r, 0, 1);
    if (strcmp(status, "email_exists") == 0)
        auth_error(res, 422, "email_exists",
                   "A user with this email address has already been registered");
    else if (strcmp(status, "user_not_found") == 0)
        auth_error(res, 404, "user_not_found", "User with this email not found");
    else if (strcmp(status, "new_email_taken") == 0)
        auth_error(res, 422, "email_exists", "the new email address is already registered");
    else
        auth_error(res, 400, "validation_failed", "new_email is required for an email change");
    return NULL;
}

/* The redirect: the body's redirect_to (generate_link) or ?redirect_to=,
 * when allowed. */
static const char *links_redirect(request *req, const char *requested)
{
    const auth_settings *cfg = auth_settings_of(req);
    if (requested &&
        auth_redirect_url_allowed(requested, cfg->site_url, &cfg->additional_redirect_urls))
        return requested;
    return auth_email_flow_redirect(req);
}

static int link_kind(const char *type)
{
    for (size_t i = 0; type && i < sizeof LINKS / sizeof LINKS[0]; i++)
        if (strcmp(type, LINKS[i].type) == 0)
            return (int)i;
    return -1;
}

static bool links_read(request *req, response *res, json_object *body, link_request *l)
{
    const char *type = NULL, *redirect = NULL;
    if (!auth_body_string(body, "type", &type, res) ||
        !auth_body_string(body, "email", &l->email, res) ||
        !auth_body_string(body, "password", &l->password, res) ||
        !auth_body_object_text(req, body, "data", &l->metadata, res) ||
        !auth_body_string(body, "new_email", &l->new_email, res) ||
        !auth_body_string(body, "redirect_to", &redirect, res))
        return false;
    if ((l->kind = link_kind(type)) < 0) {
        auth_error(res, 400, "validation_failed",
                   "type must be one of signup, invite, magiclink, recovery, "
                   "email_change_current, email_change_new");
        return false;
    }
    if (!l->email || !auth_email_address_valid(l->email) ||
        (l->new_email && !auth_email_address_valid(l->new_email))) {
        auth_error(res, 400, "validation_failed", "invalid email address");
        return false;
    }
    const char *problem = l->kind == 0 ? (l->password ? auth_password_problem(l->password)
                                                      : "password must be at least 8 characters")
                                       : NULL;
    if (problem) {
        auth_error_weak_password(res, problem);
        return false;
    }
    if (l->kind == 0 && !(l->auth_password_hash =
                              auth_password_hash(req->arena, l->password,
                                                 (int)auth_settings_of(req)->auth_bcrypt_cost))) {
        auth_error(res, 500, "unexpected_failure", "could not hash the password");
        return false;
    }
    l->redirect = links_redirect(req, redirect);
    return true;
}

void auth_admin_generate_link(request *req, response *res)
{
    json_object *body = links_admin(req, res) ? auth_body(req, res) : NULL;
    link_request l = {0};
    if (!body || !links_read(req, res, body, &l))
        return;
    /* the code is keyed to the address its mail would go to */
    bool to_new = strcmp(LINKS[l.kind].type, "email_change_new") == 0;
    mailed_token token;
    const char *user;
    if (!auth_mailed_token_new(req, res, to_new && l.new_email ? l.new_email : l.email, &token) ||
        !(user = links_store(req, res, &l, &token)))
        return;
    const auth_settings *cfg = auth_settings_of(req);
    json_object *o = json_arena_owned(req->arena, json_tokener_parse(user));
    const char *action = auth_email_link(req->arena, auth_link_base(cfg), "/verify", token.secret,
                                         LINKS[l.kind].verify_type, l.redirect);
    json_object_object_add(o, "action_link", json_object_new_string(action));
    json_object_object_add(o, "email_otp", json_object_new_string(token.code));
    json_object_object_add(o, "hashed_token", json_object_new_string(token.secret));
    json_object_object_add(o, "verification_type", json_object_new_string(LINKS[l.kind].type));
    json_object_object_add(o, "redirect_to",
                           json_object_new_string(auth_redirect_choose(cfg, l.redirect, NULL)));
    response_set_header(res, "Cache-Control", "no-store");
    response_json(res, 200, json_text(req->arena, o));
}

void auth_invite(request *req, response *res)
{
    json_object *body = links_admin(req, res) ? auth_body(req, res) : NULL;
    link_request l = {.kind = 1};
    if (!body || !auth_body_string(body, "email", &l.email, res) ||
        !auth_body_object_text(req, body, "data", &l.metadata, res))
        return;
    if (!l.email || !auth_email_address_valid(l.email)) {
        auth_error(res, 400, "validation_failed", "invalid email address");
        return;
    }
    l.redirect = auth_email_flow_redirect(req);
    db_txn *t = auth_txn_new(req);
    const char *v[] = {l.email};
    int q = db_txn_add(t, CONFIRMED_SQL, 1, v);
    if (!auth_txn_run(t, req, res))
        return;
    if (strcmp(PQgetvalue(db_txn_result(t, q), 0, 0), "t") == 0) {
        auth_error(res, 422, "email_exists",
                   "A user with this email address has already been registered");
        return;
    }
    mailed_token token;
    const char *user;
    if (!auth_mailed_token_new(req, res, l.email, &token) ||
        !auth_mail_send(req, res, MAIL_INVITE, l.email, &token, l.redirect) ||
        !(user = links_store(req, res, &l, &token)))
        return;
    response_json(res, 200, user);
}
