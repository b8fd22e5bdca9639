/* Bucket routes: create and delete (service_role, as the spec says),
 * list, get, update and empty (as the caller under RLS). */
#include "storage/body.h"
#include "storage/handlers.h"
#include "storage/key.h"
#include "storage/reply.h"
#include "storage/target.h"

#include "core/query.h"
#include "worker/credentials.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_FILE_SIZE_LIMIT "52428800"

#define BUCKET_JSON                                                                                \
    "pg_catalog.json_build_object('id', b.id, 'name', b.name, 'owner', b.owner,"                   \
    " 'owner_id', b.owner_id, 'public', b.public, 'type', b.type,"                                 \
    " 'file_size_limit', b.file_size_limit, 'allowed_mime_types', b.allowed_mime_types,"           \
    " 'created_at', b.created_at, 'updated_at', b.updated_at)"
#define MIME_ARRAY(p)                                                                              \
    "case when " p "::json is null or " p "::json::text = 'null' then null else"                   \
    " array(select pg_catalog.json_array_elements_text(" p "::json)) end"

typedef struct bucket_fields {
    const char *id;
    const char *is_public;  /* "true" / "false" / NULL: absent */
    const char *size_limit; /* digits, or NULL for none */
    bool size_limit_given;
    const char *allowed; /* JSON array text, or NULL for none */
    bool allowed_given;
} bucket_fields;

static bool service_only(request *req, response *res)
{
    if (req->auth && req->auth->present && strcmp(req->auth->role, "service_role") == 0)
        return true;
    storage_error(res, 403, "AccessDenied", "this operation needs the service_role key");
    return false;
}

/* "1KB", "50MB", "3B", "1.5GB" (decimal units, as Supabase) or digits. */
static bool parse_size(arena *a, const char *text, const char **out)
{
    char *end;
    double n = strtod(text, &end);
    if (end == text || n < 0)
        return false;
    while (*end == ' ')
        end++;
    static const struct {
        const char *unit;
        double factor;
    } units[] = {{"", 1}, {"b", 1}, {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcasecmp(end, units[i].unit) == 0 && n * units[i].factor < 9e18) {
            *out = arena_printf(a, "%.0f", n * units[i].factor);
            return true;
        }
    return false;
}

static bool size_field(request *req, response *res, json_object *body, bucket_fields *f)
{
    json_object *v;
    if (!json_object_object_get_ex(body, "file_size_limit", &v))
        return true;
    f->size_limit_given = true;
    bool ok = true;
    if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0)
        f->size_limit = arena_printf(req->arena, "%lld", (long long)json_object_get_int64(v));
    else if (json_object_is_type(v, json_type_string))
        ok = parse_size(req->arena, json_object_get_string(v), &f->size_limit);
    else if (!json_object_is_type(v, json_type_null))
        ok = false;
    if (!ok)
        storage_error(res, 400, "InvalidRequest",
                      "file_size_limit must be a number of bytes or a size like \"50MB\"");
    return ok;
}

static bool mime_field(request *req, response *res, json_object *body, bucket_fields *f)
{
    json_object *v;
    if (!json_object_object_get_ex(body, "allowed_mime_types", &v))
        return true;
    f->allowed_given = true;
    if (json_object_is_type(v, json_type_null))
        return true;
    bool ok = json_object_is_type(v, json_type_array);
    for (size_t i = 0; ok && i < json_object_array_length(v); i++) {
        json_object *e = json_object_array_get_idx(v, i);
        ok = json_object_is_type(e, json_type_string) && strchr(json_object_get_string(e), '/');
    }
    if (!ok) {
        storage_error(res, 400, "InvalidRequest",
                      "allowed_mime_types must be an array of types like \"image/png\" or "
                      "\"image/*\"");
        return false;
    }
    f->allowed = arena_strdup(req->arena, json_object_to_json_string(v));
    return true;
}

static bool public_field(response *res, json_object *body, bucket_fields *f)
{
    json_object *v;
    if (!json_object_object_get_ex(body, "public", &v) || json_object_is_type(v, json_type_null))
        return true;
    if (!json_object_is_type(v, json_type_boolean)) {
        storage_error(res, 400, "InvalidRequest", "public must be true or false");
        return false;
    }
    f->is_public = json_object_get_boolean(v) ? "true" : "false";
    return true;
}

static bool fields_of(request *req, response *res, json_object *body, bucket_fields *f)
{
    memset(f, 0, sizeof *f);
    return public_field(res, body, f) && size_field(req, res, body, f) &&
           mime_field(req, res, body, f);
}

/* Runs one statement as the caller; its result, or NULL after a reply. */
static PGresult *run_one(request *req, response *res, const char *sql, int n,
                         const char *const *params, const char *operation)
{
    const storage_settings *s = storage_settings_get(req->app);
    db_caller caller = storage_caller(req, s);
    db_txn *txn = db_txn_new(req->arena, req->app->db, &caller);
    if (strcmp(operation, "delete") == 0) /* see storage.protect_delete() */
        db_txn_add(txn, "select pg_catalog.set_config('storage.allow_delete_query', 'true', true)",
                   0, NULL);
    int q = db_txn_add(txn, sql, n, params);
    db_status st = db_txn_run(txn, s->txn_wait_ms);
    if (st != DB_OK) {
        storage_db_failure(res, txn, st, operation);
        return NULL;
    }
    return db_txn_result(txn, q);
}

static const char CREATE_SQL[] =
    "insert into storage.buckets as b (id, name, owner, owner_id, public, file_size_limit,"
    " allowed_mime_types) values ($1, $1, case when $2 ~*"
    " '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then $2::uuid end,"
    " nullif($2, ''), coalesce($3::boolean, false), $4::bigint, " MIME_ARRAY(
        "$5") ") returning " BUCKET_JSON "::text";

void storage_bucket_create(request *req, response *res)
{
    if (!service_only(req, res))
        return;
    json_object *body = storage_body_object(req, res);
    const char *id = NULL, *name = NULL;
    bucket_fields f;
    if (!body || !storage_body_string(res, body, "id", &id) ||
        !storage_body_string(res, body, "name", &name) || !fields_of(req, res, body, &f))
        return;
    f.id = id ? id : name;
    if (!f.id || !storage_bucket_name_valid(f.id)) {
        storage_error(res, 400, "InvalidBucketName", "Bucket name invalid");
        return;
    }
    const char *params[] = {f.id, req->auth->sub, f.is_public,
                            f.size_limit_given ? f.size_limit : DEFAULT_FILE_SIZE_LIMIT, f.allowed};
    PGresult *r = run_one(req, res, CREATE_SQL, 5, params, "insert");
    if (r)
        response_json(res, 201, PQgetvalue(r, 0, 0));
}

static const char *sort_column(const char *c)
{
    static const char *const ok[] = {"id", "name", "created_at", "updated_at"};
    for (size_t i = 0; c && i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(c, ok[i]) == 0)
            return ok[i];
    return "name";
}

void storage_bucket_list(request *req, response *res)
{
    const char *order = query_get(&req->query, "sortOrder");
    bool desc = order && strcasecmp(order, "desc") == 0;
    const char *limit = query_get(&req->query, "limit");
    const char *offset = query_get(&req->query, "offset");
    if ((limit && (!*limit || strspn(limit, "0123456789") != strlen(limit))) ||
        (offset && (!*offset || strspn(offset, "0123456789") != strlen(offset)))) {
        storage_error(res, 400, "InvalidRequest", "limit and offset must be non-negative integers");
        return;
    }
    const char *search = query_get(&req->query, "search");
    /* the column is one of four fixed names, chosen in C */
    const char *sql = arena_printf(
        req->arena,
        "select coalesce(pg_catalog.json_agg(" BUCKET_JSON " order by b.%s %s), '[]')::text"
        " from (select * from storage.buckets where $1 = '' or name ilike"
        " storage.like_prefix($1) order by %s %s limit $2::bigint offset $3::bigint) b",
        sort_column(query_get(&req->query, "sortColumn")), desc ? "desc" : "asc",
        sort_column(query_get(&req->query, "sortColumn")), desc ? "desc" : "asc");
    const char *params[] = {search ? search : "", limit, offset ? offset : "0"};
    PGresult *r = run_one(req, res, sql, 3, params, "select");
    if (r)
        response_json(res, 200, PQgetvalue(r, 0, 0));
}

static const char *bucket_param(request *req, response *res)
{
    const char *id = request_param(req, "id");
    if (storage_bucket_name_valid(id))
        return id;
    storage_error(res, 400, "InvalidBucketName", "Bucket name invalid");
    return NULL;
}

void storage_bucket_get(request *req, response *res)
{
    const char *id = bucket_param(req, res);
    const char *params[] = {id};
    PGresult *r =
        id ? run_one(req, res,
                     "select " BUCKET_JSON "::text from storage.buckets b where b.id = $1", 1,
                     params, "select")
           : NULL;
    if (r && PQntuples(r) == 0)
        storage_bucket_not_found(res);
    else if (r)
        response_json(res, 200, PQgetvalue(r, 0, 0));
}

static const char UPDATE_SQL[] =
    "update storage.buckets set public = coalesce($2::boolean, public),"
    " file_size_limit = case when $3 = 'y' then $4::bigint else file_size_limit end,"
    " allowed_mime_types = case when $5 = 'y' then " MIME_ARRAY(
        "$6") " else allowed_mime_types end, updated_at = pg_catalog.now() where id = $1 returning "
              "id";

void storage_bucket_update(request *req, response *res)
{
    const char *id = bucket_param(req, res);
    json_object *body = id ? storage_body_object(req, res) : NULL;
    bucket_fields f;
    if (!body || !fields_of(req, res, body, &f))
        return;
    const char *params[] = {id,
                            f.is_public,
                            f.size_limit_given ? "y" : "n",
                            f.size_limit,
                            f.allowed_given ? "y" : "n",
                            f.allowed};
    PGresult *r = run_one(req, res, UPDATE_SQL, 6, params, "update");
    if (r && PQntuples(r) == 0)
        storage_bucket_not_found(res);
    else if (r)
        response_json(res, 200, "{\"message\":\"Successfully updated\"}");
}

static const char EMPTY_SQL[] =
    "with d as (delete from storage.objects where bucket_id = $1"
    " returning id, coalesce(version, '') as version)"
    " select (select count(*) from storage.buckets where id = $1), d.id, d.version"
    " from (select 1) one left join d on true";

void storage_bucket_empty(request *req, response *res)
{
    const char *id = bucket_param(req, res);
    const char *params[] = {id};
    PGresult *r = id ? run_one(req, res, EMPTY_SQL, 1, params, "delete") : NULL;
    if (!r)
        return;
    if (strcmp(PQgetvalue(r, 0, 0), "0") == 0) {
        storage_bucket_not_found(res);
        return;
    }
    storage_target t;
    storage_target_base(req, &t);
    for (int i = 0; i < PQntuples(r); i++)
        if (!PQgetisnull(r, i, 1))
            t.be->remove(t.s, req->arena, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
    response_json(res, 200, "{\"message\":\"Successfully emptied\"}");
}

void storage_bucket_delete(request *req, response *res)
{
    if (!service_only(req, res))
        return;
    const char *id = bucket_param(req, res);
    const char *params[] = {id};
    PGresult *r = id ? run_one(req, res, "delete from storage.buckets where id = $1 returning id",
                               1, params, "delete")
                     : NULL;
    if (r && PQntuples(r) == 0)
        storage_bucket_not_found(res);
    else if (r)
        response_json(res, 200, "{\"message\":\"bucket deleted\"}");
}
