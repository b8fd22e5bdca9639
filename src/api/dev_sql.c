/* The raw SQL endpoint; see dev_sql.h. */
#include "api/dev_sql.h"

#include "api/api_settings.h"
#include "core/errors.h"
#include "db/error.h"
#include "worker/app.h"
#include "worker/caller.h"
#include "worker/credentials.h"

#include <json-c/json.h>
#include <string.h>

/* type OIDs rendered as JSON values, not text */
enum {
    OID_BOOL = 16,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_OID = 26,
    OID_JSON = 114,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700,
    OID_JSONB = 3802
};

static json_object *cell(PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    const char *v = PQgetvalue(r, row, col);
    switch (PQftype(r, col)) {
    case OID_BOOL:
        return json_object_new_boolean(v[0] == 't');
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID:
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_NUMERIC:
        if (strspn(v, "0123456789.-+eE") == strlen(v)) /* not NaN or Infinity */
            return json_object_new_double_s(0, v);
        return json_object_new_string(v);
    case OID_JSON:
    case OID_JSONB: {
        json_object *parsed = json_tokener_parse(v);
        return parsed ? parsed : json_object_new_string(v);
    }
    default:
        return json_object_new_string(v);
    }
}

const char *api_rows_json(arena *a, PGresult *r)
{
    json_object *rows = json_object_new_array();
    for (int i = 0; r && i < PQntuples(r); i++) {
        json_object *row = json_object_new_object();
        for (int c = 0; c < PQnfields(r); c++)
            json_object_object_add(row, PQfname(r, c), cell(r, i, c));
        json_object_array_add(rows, row);
    }
    const char *text =
        arena_strdup(a, json_object_to_json_string_ext(rows, JSON_C_TO_STRING_PLAIN));
    json_object_put(rows);
    return text;
}

static void sql_error(response *res, db_txn *t, db_status st)
{
    db_error e = db_error_of(t, st);
    if (e.unavailable) {
        http_error(res, 503, "database unavailable");
        return;
    }
    json_object *extra = json_object_new_object();
    json_object_object_add(extra, "code", json_object_new_string(e.sqlstate));
    if (e.detail)
        json_object_object_add(extra, "details", json_object_new_string(e.detail));
    if (e.hint)
        json_object_object_add(extra, "hint", json_object_new_string(e.hint));
    http_error_with(res, db_error_status(e.sqlstate, 400), e.message, extra);
}

/* The "query" string of the body, or NULL with a 400 in res. */
static const char *body_query(request *req, response *res)
{
    json_object *body = req->body_len ? json_tokener_parse(req->body) : NULL;
    json_object *q = NULL;
    const char *query = NULL;
    if (body && json_object_object_get_ex(body, "query", &q) &&
        json_object_is_type(q, json_type_string) && json_object_get_string_len(q) > 0)
        query = arena_strdup(req->arena, json_object_get_string(q));
    json_object_put(body);
    if (!query)
        http_error(res, 400, "the body must be a JSON object with a non-empty \"query\" string");
    return query;
}

void api_dev_sql_handle(request *req, response *res)
{
    app_ctx *app = req->app;
    const api_settings *s = app->settings;
    if (!s->enable_sql_endpoint) {
        http_error(res, 404, "no route for %s %s", req->method, req->full_path);
        return;
    }
    if (!req->auth || !req->auth->role || strcmp(req->auth->role, "service_role") != 0) {
        http_error(res, 403, "the service_role key is required");
        return;
    }
    const char *query = body_query(req, res);
    if (!query)
        return;
    db_caller caller = db_caller_from_request(req, app->cfg.db_statement_timeout_ms);
    db_txn *t = db_txn_new(req->arena, app->db, &caller);
    int i = db_txn_add(t, query, 0, NULL);
    db_txn_add(t, "reset all", 0, NULL); /* no session setting outlives the call */
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (st != DB_OK) {
        sql_error(res, t, st);
        return;
    }
    response_json(res, 200, api_rows_json(req->arena, db_txn_result(t, i)));
}
