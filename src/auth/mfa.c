/* TOTP multi-factor authentication (supabase-js auth.mfa.*), GoTrue's
 * endpoints:
 *   POST   /factors                {factor_type: "totp", friendly_name, issuer}
 *          -> {id, type, friendly_name, totp: {qr_code (SVG), secret, uri}}
 *   POST   /factors/{id}/challenge -> {id, type, expires_at}
 *   POST   /factors/{id}/verify    {challenge_id, code} -> a session at aal2
 *   DELETE /factors/{id}           (aal2 once the user has a verified factor)
 *   GET    /admin/users/{id}/factors, DELETE /admin/users/{id}/factors/{factor_id}
 * The secret is sealed before it is stored (secret_box.h); a code is
 * checked here (totp.h) against the steps after the last one used, and
 * auth.mfa_verify_finish uses the step up atomically, so a code works once
 * even when sent twice at the same time. A challenge lives
 * MFA_CHALLENGE_EXPIRY seconds and dies after 5 wrong codes. */
#include "auth/auth_settings.h"
#include "auth/auth_txn.h"
#include "auth/body.h"
#include "auth/handlers.h"
#include "auth/qr_svg.h"
#include "auth/reply.h"
#include "auth/secret_box.h"
#include "auth/secret_token.h"
#include "auth/totp.h"
#include "core/json_text.h"
#include "core/uuid.h"
#include "worker/app.h"
#include "worker/credentials.h"

#include <string.h>
#include <time.h>

#define MFA_BOX "pgstack mfa totp v1"
#define NAME_MAX_LEN 120
#define ENROLL_SQL "select status, factor::text from auth.mfa_enroll($1::uuid, $2, $3, $4)"
#define CHALLENGE_SQL                                                                              \
    "select id, expires_at from auth.mfa_challenge($1::uuid, $2::uuid, $3, $4::int)"
#define PREPARE_SQL                                                                                \
    "select status, secret_sealed, last_used_step from auth.mfa_verify_prepare($1::uuid, "         \
    "$2::uuid, $3::uuid)"
#define FINISH_SQL                                                                                 \
    "select status, user_json, claims, expires_at from auth.mfa_verify_finish($1::uuid, $2, "      \
    "$3::uuid, $4::uuid, $5::bigint, $6, $7::int, $8::int, $9)"
#define UNENROLL_SQL "select auth.mfa_unenroll($1::uuid, $2::uuid, $3, $4)"
#define ADMIN_LIST_SQL                                                                             \
    "select coalesce(jsonb_agg(auth.factor_json(f) order by f.created_at), '[]')::text from "      \
    "auth.mfa_factors f where f.user_id = $1::uuid"
#define ADMIN_DELETE_SQL                                                                           \
    "delete from auth.mfa_factors f where f.id = $2::uuid and f.user_id = $1::uuid returning "     \
    "auth.factor_json(f)::text"

static const char *mfa_claim(request *req, const char *name)
{
    json_object *v;
    json_object *claims = req->auth ? credentials_claims(req) : NULL;
    if (claims && json_object_object_get_ex(claims, name, &v) &&
        json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return "";
}

/* The caller's user id; NULL after replying 401. */
static const char *mfa_user(request *req, response *res)
{
    const char *sub = req->auth ? req->auth->sub : NULL;
    if (uuid_text_valid(sub))
        return sub;
    auth_error(res, 401, "no_authorization", "this endpoint needs a user's access token");
    return NULL;
}

/* The path parameter name as a UUID; NULL after replying 404. */
static const char *mfa_id_param(request *req, response *res, const char *name)
{
    const char *id = request_param(req, name);
    if (uuid_text_valid(id))
        return id;
    auth_error(res, 404, "mfa_factor_not_found", "Factor not found");
    return NULL;
}

static bool short_text(response *res, const char *name, const char *value)
{
    if (!value || strlen(value) <= NAME_MAX_LEN)
        return true;
    auth_error(res, 400, "validation_failed",
               arena_printf(res->arena, "%s must be at most 120 characters", name));
    return false;
}

/* The issuer shown in the authenticator app: ?issuer= or SITE_URL's host. */
static const char *mfa_issuer(request *req, const char *issuer)
{
    if (issuer && *issuer)
        return issuer;
    const char *site = auth_settings_of(req)->site_url, *host = strstr(site, "://");
    host = host ? host + 3 : site;
    size_t n = strcspn(host, ":/");
    return arena_printf(req->arena, "%.*s", (int)n, host);
}

static void enroll_reply(request *req, response *res, const char *factor_text, const char *secret,
                         const char *uri, const char *svg)
{
    json_object *factor = json_arena_owned(req->arena, json_tokener_parse(factor_text));
    json_object *id = NULL, *name = NULL,
                *o = json_arena_owned(req->arena, json_object_new_object());
    json_object_object_get_ex(factor, "id", &id);
    json_object_object_get_ex(factor, "friendly_name", &name);
    json_object *totp = json_object_new_object();
    json_object_object_add(totp, "qr_code", json_object_new_string(svg));
    json_object_object_add(totp, "secret", json_object_new_string(secret));
    json_object_object_add(totp, "uri", json_object_new_string(uri));
    json_object_object_add(o, "id", json_object_get(id));
    json_object_object_add(o, "type", json_object_new_string("totp"));
    json_object_object_add(o, "friendly_name", json_object_get(name));
    json_object_object_add(o, "totp", totp);
    response_set_header(res, "Cache-Control", "no-store");
    response_json(res, 200, json_text(req->arena, o));
}

void auth_mfa_enroll(request *req, response *res)
{
    const char *uid = mfa_user(req, res);
    json_object *body = uid ? auth_body(req, res) : NULL;
    const char *type = NULL, *name = NULL, *issuer = NULL;
    if (!body || !auth_body_string(body, "factor_type", &type, res) ||
        !auth_body_string(body, "friendly_name", &name, res) ||
        !auth_body_string(body, "issuer", &issuer, res) ||
        !short_text(res, "friendly_name", name) || !short_text(res, "issuer", issuer))
        return;
    if (!type || strcmp(type, "totp") != 0) {
        auth_error(res, 422, "mfa_factor_type_not_supported", "factor_type must be totp");
        return;
    }
    const char *secret = auth_totp_secret_new(req->arena);
    const char *sealed =
        secret ? auth_secret_box_seal(req->arena, req->app->cfg.jwt_secret, MFA_BOX, secret) : NULL;
    const char *email = mfa_claim(req, "email");
    const char *uri = auth_totp_uri(req->arena, secret ? secret : "", mfa_issuer(req, issuer),
                                    *email ? email : uid);
    const char *svg = auth_qr_svg(req->arena, uri);
    if (!sealed || !svg) {
        auth_error(res, 500, "unexpected_failure", "could not create the factor");
        return;
    }
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, "auth", auth_settings_of(req)->auth_rate_limit);
    const char *v[] = {uid, name ? name : "", sealed, req->client_addr};
    int q = db_txn_add(t, ENROLL_SQL, 4, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    const char *status = PQgetvalue(r, 0, 0);
    if (strcmp(status, "ok") == 0)
        enroll_reply(req, res, PQgetvalue(r, 0, 1), secret, uri, svg);
    else if (strcmp(status, "name_taken") == 0)
        auth_error(res, 422, "mfa_factor_name_conflict",
                   "A factor with this friendly name already exists for this user");
    else
        auth_error(res, 422, "too_many_enrolled_mfa_factors",
                   "Maximum number of enrolled factors reached, unenroll to continue");
}

void auth_mfa_challenge(request *req, response *res)
{
    const char *uid = mfa_user(req, res);
    const char *fid = uid ? mfa_id_param(req, res, "id") : NULL;
    if (!fid)
        return;
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, "auth", auth_settings_of(req)->auth_rate_limit);
    const char *v[] = {
        uid, fid, req->client_addr,
        arena_printf(req->arena, "%ld", auth_settings_of(req)->mfa_challenge_expiry_s)};
    int q = db_txn_add(t, CHALLENGE_SQL, 4, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    if (PQntuples(r) == 0) {
        auth_error(res, 404, "mfa_factor_not_found", "Factor not found");
        return;
    }
    response_json(res, 200,
                  arena_printf(req->arena, "{\"id\":\"%s\",\"type\":\"totp\",\"expires_at\":%s}",
                               PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1)));
}

typedef struct mfa_verification {
    const char *uid, *fid, *cid, *code;
} mfa_verification;

/* The step the code matches (or -1), after reading the factor; false after
 * replying (unknown factor or challenge, expired, used up). */
static bool mfa_check_code(request *req, response *res, const mfa_verification *m, long long *step)
{
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, "auth", auth_settings_of(req)->auth_rate_limit);
    const char *v[] = {m->uid, m->fid, m->cid};
    int q = db_txn_add(t, PREPARE_SQL, 3, v);
    if (!auth_txn_run(t, req, res))
        return false;
    PGresult *r = db_txn_result(t, q);
    const char *status = PQntuples(r) ? PQgetvalue(r, 0, 0) : "no_factor";
    if (strcmp(status, "ok") != 0) {
        if (strcmp(status, "expired") == 0)
            auth_error(res, 422, "mfa_challenge_expired", "MFA challenge has expired");
        else if (strcmp(status, "no_factor") == 0)
            auth_error(res, 404, "mfa_factor_not_found", "Factor not found");
        else
            auth_error(res, 422, "mfa_verification_failed", "Invalid MFA challenge");
        return false;
    }
    const char *secret =
        auth_secret_box_open(req->arena, req->app->cfg.jwt_secret, MFA_BOX, PQgetvalue(r, 0, 1));
    if (!secret) {
        auth_error(res, 500, "unexpected_failure", "the factor's secret does not open");
        return false;
    }
    *step = auth_totp_match(secret, m->code, time(NULL), atoll(PQgetvalue(r, 0, 2)));
    return true;
}

void auth_mfa_verify(request *req, response *res)
{
    mfa_verification m = {.uid = mfa_user(req, res)};
    json_object *body = m.uid ? auth_body(req, res) : NULL;
    if (!body || !(m.fid = mfa_id_param(req, res, "id")) ||
        !auth_body_string(body, "challenge_id", &m.cid, res) ||
        !auth_body_string(body, "code", &m.code, res))
        return;
    if (!uuid_text_valid(m.cid) || !m.code || strlen(m.code) != 6 ||
        strspn(m.code, "0123456789") != 6) {
        auth_error(res, 400, "validation_failed", "challenge_id must be a UUID and code 6 digits");
        return;
    }
    long long step = -1;
    char *refresh = auth_secret_token_new(req->arena);
    if (!refresh || !mfa_check_code(req, res, &m, &step))
        return;
    const auth_settings *cfg = auth_settings_of(req);
    const char *v[] = {m.uid,
                       mfa_claim(req, "session_id"),
                       m.fid,
                       m.cid,
                       step >= 0 ? arena_printf(req->arena, "%lld", step) : NULL,
                       auth_secret_token_hash(req->arena, refresh),
                       arena_printf(req->arena, "%ld", cfg->refresh_token_ttl_s),
                       arena_printf(req->arena, "%ld", cfg->jwt_expiry_s),
                       req->client_addr};
    db_txn *t = auth_txn_new(req);
    int q = db_txn_add(t, FINISH_SQL, 9, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    const char *status = PQgetvalue(r, 0, 0);
    if (strcmp(status, "ok") == 0)
        auth_reply_session(req, res, 200, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
                           PQgetvalue(r, 0, 3), refresh);
    else if (strcmp(status, "expired") == 0)
        auth_error(res, 422, "mfa_challenge_expired", "MFA challenge has expired");
    else if (strcmp(status, "session_not_found") == 0)
        auth_error(res, 403, "session_not_found",
                   "Session from session_id claim in JWT does not exist");
    else
        auth_error(res, 422, "mfa_verification_failed", "Invalid TOTP code entered");
}

void auth_mfa_unenroll(request *req, response *res)
{
    const char *uid = mfa_user(req, res);
    const char *fid = uid ? mfa_id_param(req, res, "id") : NULL;
    if (!fid)
        return;
    db_txn *t = auth_txn_new(req);
    const char *v[] = {uid, fid, mfa_claim(req, "aal"), req->client_addr};
    int q = db_txn_add(t, UNENROLL_SQL, 4, v);
    if (!auth_txn_run(t, req, res))
        return;
    const char *status = PQgetvalue(db_txn_result(t, q), 0, 0);
    if (strcmp(status, "ok") == 0)
        response_json(res, 200, arena_printf(req->arena, "{\"id\":\"%s\"}", fid));
    else if (strcmp(status, "aal2_required") == 0)
        auth_error(res, 403, "insufficient_aal", "AAL2 required to unenroll verified factor");
    else
        auth_error(res, 404, "mfa_factor_not_found", "Factor not found");
}

static bool mfa_admin(request *req, response *res)
{
    if (req->auth && req->auth->present && strcmp(req->auth->role, "service_role") == 0)
        return true;
    auth_error(res, 403, "not_admin", "this endpoint needs the service_role key");
    return false;
}

static void mfa_admin_run(request *req, response *res, const char *sql, int n, const char **v)
{
    db_txn *t = auth_txn_new(req);
    int q = db_txn_add(t, sql, n, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    if (PQntuples(r) == 0)
        auth_error(res, 404, "mfa_factor_not_found", "Factor not found");
    else
        response_json(res, 200, PQgetvalue(r, 0, 0));
}

void auth_admin_list_factors(request *req, response *res)
{
    const char *uid = mfa_admin(req, res) ? request_param(req, "id") : NULL;
    if (!uid)
        return;
    if (!uuid_text_valid(uid)) {
        auth_error(res, 400, "validation_failed", "user id must be a UUID");
        return;
    }
    const char *v[] = {uid};
    mfa_admin_run(req, res, ADMIN_LIST_SQL, 1, v);
}

void auth_admin_delete_factor(request *req, response *res)
{
    const char *uid = mfa_admin(req, res) ? request_param(req, "id") : NULL;
    const char *fid = uid ? mfa_id_param(req, res, "factor_id") : NULL;
    if (!fid)
        return;
    if (!uuid_text_valid(uid)) {
        auth_error(res, 400, "validation_failed", "user id must be a UUID");
        return;
    }
    const char *v[] = {uid, fid};
    mfa_admin_run(req, res, ADMIN_DELETE_SQL, 2, v);
}
