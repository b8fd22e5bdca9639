/* The admin endpoints /admin/users (service_role only; any other caller
 * gets 403): list with page/per_page, create, read, update, delete.
 * The list is a JSON array (spec) with X-Total-Count and GoTrue's Link
 * header (rel="next"/"last", which supabase-js turns into nextPage,
 * lastPage and total); Supabase client libraries (auth_client_is_supabase)
 * get GoTrue's {"users": [...], "aud"} object, which is what they parse.
 * A delete answers 204 with no body (spec); Supabase clients, which parse
 * every admin reply as JSON, get GoTrue's 200 {}. */
#include "auth/auth_settings.h"
#include "auth/auth_txn.h"
#include "auth/body.h"
#include "auth/email_address.h"
#include "auth/handlers.h"
#include "auth/password.h"
#include "auth/reply.h"
#include "core/uuid.h"
#include "jwt/jwt_verify.h"
#include "worker/app.h"
#include "worker/credentials.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define LIST_SQL                                                                                   \
    "select coalesce(json_agg(auth.user_json(u) order by u.created_at, u.id), '[]')::text, "       \
    "(select count(*) from auth.users) from (select * from auth.users order by created_at, id "    \
    "limit $1::int offset $2::int) u"
#define CREATE_SQL                                                                                 \
    "with u as (insert into auth.users (email, encrypted_password, role, email_confirmed_at, "     \
    "raw_user_meta_data, raw_app_meta_data) values (lower($1), $2, $3, "                           \
    "case when $4::boolean then now() end, coalesce($5::jsonb, '{}'), "                            \
    "jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email')) || "         \
    "coalesce($6::jsonb, '{}')) on conflict do nothing returning *), "                             \
    "i as (insert into auth.identities (user_id, provider, provider_id, email) "                   \
    "select id, 'email', id::text, email from u), "                                                \
    "a as (insert into auth.audit_log (user_id, action, detail) select id, 'admin_user_created', " \
    "'{}' from u) select auth.user_json(u)::text from u"
#define GET_SQL "select auth.user_json(u)::text from auth.users u where u.id = $1::uuid"
#define UPDATE_SQL                                                                                 \
    "update auth.users u set email = coalesce(lower($2), u.email), "                               \
    "encrypted_password = coalesce($3, u.encrypted_password), role = coalesce($4, u.role), "       \
    "email_confirmed_at = case when $5::boolean then coalesce(u.email_confirmed_at, now()) "       \
    "when not $5::boolean then null else u.email_confirmed_at end, "                               \
    "raw_user_meta_data = u.raw_user_meta_data || coalesce($6::jsonb, '{}'), "                     \
    "raw_app_meta_data = u.raw_app_meta_data || coalesce($7::jsonb, '{}'), "                       \
    "banned_until = case when $8::text is null then u.banned_until when $8 = 'none' then null "    \
    "else now() + $8::interval end, updated_at = now() where u.id = $1::uuid "                     \
    "returning auth.user_json(u)::text"
#define DELETE_SQL "delete from auth.users where id = $1::uuid returning id"
#define DEFAULT_PER_PAGE 50
#define MAX_PER_PAGE 1000

static bool require_service_role(request *req, response *res)
{
    if (req->auth && req->auth->present && strcmp(req->auth->role, "service_role") == 0)
        return true;
    auth_error(res, 403, "not_admin", "this endpoint needs the service_role key");
    return false;
}

/* An integer query parameter from 1 to max; absent or empty (supabase-js
 * sends ?page=&per_page= when it has no values) means fallback. */
static bool positive_param(request *req, response *res, const char *name, long fallback, long max,
                           long *out)
{
    const char *v = query_get(&req->query, name);
    *out = fallback;
    if (!v || !*v)
        return true;
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == '\0' || *end || n < 1 || n > max) {
        char msg[128];
        snprintf(msg, sizeof msg, "%s must be an integer from 1 to %ld", name, max);
        auth_error(res, 400, "validation_failed", msg);
        return false;
    }
    *out = n;
    return true;
}

/* GoTrue's pagination header: the next page (when there is one) and the
 * last page, as links with page first (supabase-js reads the number that
 * follows the first "="). */
static void set_pagination_headers(request *req, response *res, const char *total_text, long page,
                                   long per_page)
{
    long total = strtol(total_text, NULL, 10);
    long last = (total + per_page - 1) / per_page;
    const char *link = "";
    if (last > page)
        link =
            arena_printf(req->arena, "</auth/v1/admin/users?page=%ld&per_page=%ld>; rel=\"next\", ",
                         page + 1, per_page);
    link = arena_printf(req->arena, "%s</auth/v1/admin/users?page=%ld&per_page=%ld>; rel=\"last\"",
                        link, last, per_page);
    response_set_header(res, "Link", link);
    response_set_header(res, "X-Total-Count", total_text);
}

void auth_admin_list_users(request *req, response *res)
{
    long page, per_page;
    if (!require_service_role(req, res) || !positive_param(req, res, "page", 1, 1000000, &page) ||
        !positive_param(req, res, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE, &per_page))
        return;
    const char *v[] = {arena_printf(req->arena, "%ld", per_page),
                       arena_printf(req->arena, "%ld", (page - 1) * per_page)};
    db_txn *t = auth_txn_new(req);
    int q = db_txn_add(t, LIST_SQL, 2, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    set_pagination_headers(req, res, PQgetvalue(r, 0, 1), page, per_page);
    if (auth_client_is_supabase(req))
        response_json(res, 200,
                      arena_printf(req->arena, "{\"users\":%s,\"aud\":\"authenticated\"}",
                                   PQgetvalue(r, 0, 0)));
    else
        response_json(res, 200, PQgetvalue(r, 0, 0));
}

static bool valid_role(response *res, const char *role)
{
    if (!role || jwt_role_known(role))
        return true;
    auth_error(res, 400, "validation_failed",
               "role must be one of anon, authenticated, service_role");
    return false;
}

/* The fields of a create/update body; false after replying 400. */
typedef struct user_fields {
    const char *email, *password, *hash, *role, *user_metadata, *app_metadata, *ban_duration;
    bool email_confirm, has_email_confirm;
} user_fields;

static bool read_user_fields(request *req, response *res, user_fields *f)
{
    json_object *body = auth_body(req, res);
    memset(f, 0, sizeof(*f));
    if (!body || !auth_body_string(body, "email", &f->email, res) ||
        !auth_body_string(body, "password", &f->password, res) ||
        !auth_body_string(body, "role", &f->role, res) ||
        !auth_body_string(body, "ban_duration", &f->ban_duration, res) ||
        !auth_body_object_text(req, body, "user_metadata", &f->user_metadata, res) ||
        !auth_body_object_text(req, body, "app_metadata", &f->app_metadata, res) ||
        !auth_body_bool(body, "email_confirm", &f->email_confirm, res) || !valid_role(res, f->role))
        return false;
    f->has_email_confirm = json_object_object_get_ex(body, "email_confirm", NULL);
    if (f->email && !auth_email_address_valid(f->email)) {
        auth_error(res, 400, "validation_failed", "invalid email address");
        return false;
    }
    const char *problem = f->password ? auth_password_problem(f->password) : NULL;
    if (problem) {
        auth_error_weak_password(res, problem);
        return false;
    }
    if (f->password &&
        !(f->hash = auth_password_hash(req->arena, f->password,
                                       (int)auth_settings_of(req)->auth_bcrypt_cost))) {
        auth_error(res, 500, "unexpected_failure", "could not hash the password");
        return false;
    }
    return true;
}

void auth_admin_create_user(request *req, response *res)
{
    user_fields f;
    if (!require_service_role(req, res) || !read_user_fields(req, res, &f))
        return;
    if (!f.email) {
        auth_error(res, 400, "validation_failed", "invalid email address");
        return;
    }
    const char *v[] = {f.email,
                       f.hash,
                       f.role ? f.role : "authenticated",
                       f.email_confirm ? "true" : "false",
                       f.user_metadata,
                       f.app_metadata};
    db_txn *t = auth_txn_new(req);
    int q = db_txn_add(t, CREATE_SQL, 6, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    if (PQntuples(r) == 0)
        auth_error(res, 409, "email_exists", "email already registered");
    else
        response_json(res, 201, PQgetvalue(r, 0, 0));
}

/* The {id} route parameter; NULL after replying 400. */
static const char *user_id_param(request *req, response *res)
{
    const char *id = request_param(req, "id");
    if (uuid_text_valid(id))
        return id;
    auth_error(res, 400, "validation_failed", "user id must be a UUID");
    return NULL;
}

static void run_single(request *req, response *res, const char *sql, int n, const char **v,
                       int status)
{
    db_txn *t = auth_txn_new(req);
    int q = db_txn_add(t, sql, n, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    if (PQntuples(r) == 0)
        auth_error(res, 404, "user_not_found", "user not found");
    else if (status == 204 && auth_client_is_supabase(req))
        response_json(res, 200, "{}");
    else if (status == 204)
        response_empty(res, 204);
    else
        response_json(res, status, PQgetvalue(r, 0, 0));
}

void auth_admin_get_user(request *req, response *res)
{
    const char *id = require_service_role(req, res) ? user_id_param(req, res) : NULL;
    if (!id)
        return;
    const char *v[] = {id};
    run_single(req, res, GET_SQL, 1, v, 200);
}

/* "24h" / "30m" / "90s" -> an SQL interval text; "none" stays "none" (lift
 * the ban); NULL stays NULL (unchanged). false after replying 400. */
static bool ban_interval(request *req, response *res, const char *duration, const char **out)
{
    *out = duration;
    if (!duration || strcmp(duration, "none") == 0)
        return true;
    char *end;
    long n = strtol(duration, &end, 10);
    const char *unit = strcmp(end, "h") == 0   ? "hours"
                       : strcmp(end, "m") == 0 ? "minutes"
                       : strcmp(end, "s") == 0 ? "seconds"
                                               : NULL;
    if (isdigit((unsigned char)duration[0]) && unit && n > 0 && n <= 876000) {
        *out = arena_printf(req->arena, "%ld %s", n, unit);
        return true;
    }
    auth_error(res, 400, "validation_failed",
               "ban_duration must be \"none\" or a duration like \"24h\", \"30m\", \"90s\"");
    return false;
}

void auth_admin_update_user(request *req, response *res)
{
    const char *id = require_service_role(req, res) ? user_id_param(req, res) : NULL;
    user_fields f;
    const char *ban;
    if (!id || !read_user_fields(req, res, &f) || !ban_interval(req, res, f.ban_duration, &ban))
        return;
    const char *confirm = f.has_email_confirm ? (f.email_confirm ? "true" : "false") : NULL;
    const char *v[] = {id, f.email, f.hash, f.role, confirm, f.user_metadata, f.app_metadata, ban};
    run_single(req, res, UPDATE_SQL, 8, v, 200);
}

void auth_admin_delete_user(request *req, response *res)
{
    const char *id = require_service_role(req, res) ? user_id_param(req, res) : NULL;
    if (!id)
        return;
    const char *v[] = {id};
    run_single(req, res, DELETE_SQL, 1, v, 204);
}
